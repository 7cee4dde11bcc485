"""The project's two entry points on a fresh machine: ``python3 tasks.py demo`` and ``python3 tasks.py test``.

Each creates ``.venv`` beside this file (once), installs the project with its ``dev`` extra into it, and
runs inside it. Only the standard library is used here, so nothing needs to be installed first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"


def ensure_environment() -> None:
    """Create the virtual environment and install the project into it, unless pyproject.toml is unchanged."""
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = (ROOT / "pyproject.toml").read_text()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("installing playback-dvd[dev] into .venv", flush=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "-q", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command not in {"demo", "test", "bench"}:
        print(__doc__)
        print("usage: python3 tasks.py demo | test [pytest args] | bench [benchmark args]")
        return 2
    ensure_environment()
    if command == "demo":
        return subprocess.call([PYTHON, ROOT / "examples" / "demo.py", *rest], cwd=ROOT)
    if command == "bench":
        return subprocess.call([PYTHON, ROOT / "benchmarks" / "run.py", *rest], cwd=ROOT)
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
