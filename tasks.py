"""The project's entry points on a fresh machine: ``python3 tasks.py demo | test | bench``.

``demo`` and ``test`` create ``.venv`` beside this file (once), install the project with its ``dev`` extra
into it, and run inside it. ``bench`` creates ``benchmarks/.venv312`` with a Python >= 3.12 (dvd-rw needs
it; found as ``python3.13``/``python3.12`` on PATH, or ``$BENCH_PYTHON``), installs the ``bench`` extra
(every peer, matplotlib, pyinstrument) and runs ``benchmarks/run.py`` there. Only the standard library is
used here, so nothing needs to be installed first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
BENCH_VENV = ROOT / "benchmarks" / ".venv312"


def _python_in(environment: Path) -> Path:
    return (
        environment
        / ("Scripts" if os.name == "nt" else "bin")
        / ("python.exe" if os.name == "nt" else "python")
    )


def ensure_environment(environment: Path = VENV, extra: str = "dev", base: str | None = None) -> Path:
    """Create *environment* and install the project with *extra* into it, unless pyproject.toml is unchanged.

    *base* is the interpreter that creates it (None: the one running this script). Returns its python.
    """
    python, stamp = _python_in(environment), environment / ".installed-from"
    if not python.exists():
        print(f"creating {environment}", flush=True)
        if base is None:
            venv.EnvBuilder(with_pip=True).create(environment)
        else:
            subprocess.run([base, "-m", "venv", environment], check=True)
    wanted = (ROOT / "pyproject.toml").read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"installing playback-dvd[{extra}] into {environment.relative_to(ROOT)}", flush=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "-e", f"{ROOT}[{extra}]"], check=True)
    stamp.write_text(wanted)
    return python


def bench_interpreter() -> str | None:
    """A Python >= 3.12 to build the benchmark environment with (dvd-rw requires it), or None."""
    named = os.environ.get("BENCH_PYTHON")
    if named:
        return named
    if sys.version_info >= (3, 12):
        return sys.executable
    candidates = [found for name in ("python3.13", "python3.12") if (found := shutil.which(name))]
    # pyenv's shims answer only for the versions selected here; its installed versions are still usable.
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in pyenv_root.glob("versions/3.1[2-9]*/bin/python3"))
    check = "import sys; sys.exit(sys.version_info < (3, 12))"
    for candidate in candidates:  # a shim can be on PATH without its version installed: ask it to run
        if subprocess.run([candidate, "-c", check], capture_output=True).returncode == 0:
            return candidate
    return None


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command not in {"demo", "test", "bench"}:
        print(__doc__)
        print("usage: python3 tasks.py demo | test [pytest args] | bench [benchmark args]")
        return 2
    if command == "bench":
        base = bench_interpreter()
        if base is None:
            print(
                "tasks.py bench: no Python >= 3.12 found (dvd-rw needs it); set BENCH_PYTHON", file=sys.stderr
            )
            return 2
        python = ensure_environment(BENCH_VENV, "bench", base)
        return subprocess.call([python, ROOT / "benchmarks" / "run.py", *rest], cwd=ROOT)
    ensure_environment()
    if command == "demo":
        return subprocess.call([PYTHON, ROOT / "examples" / "demo.py", *rest], cwd=ROOT)
    # The full test command is also the quality gate: lint, format and strict typing fail it like a test
    # would. With pytest arguments (a focused run) only pytest runs.
    for check in [] if rest else (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]):
        print("$", " ".join(check), flush=True)
        if subprocess.call([PYTHON, "-m", *check], cwd=ROOT) != 0:
            return 1
    # The whole suite runs on every core (pytest-xdist); a focused run keeps pytest's defaults.
    return subprocess.call([PYTHON, "-m", "pytest", *(rest or ["-n", "auto"])], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
