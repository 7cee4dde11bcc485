"""What merely installing playback_dvd costs a pytest session that uses no DVD (target: under 20 ms).

Runs the same small suite (tests that use no DVD) in fresh ``python -m pytest`` processes, alternately with
the plugin disabled (``-p no:playback_dvd``) and enabled, and compares the medians. Each session's CPU time
(user + system, from ``getrusage``) is the figure to trust on a shared machine: wall time also counts the
time other processes held the CPU. Unix only (``resource``).

By default the other installed pytest plugins are kept out (``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``, and the
plugin loaded with ``-p playback_dvd.pytest_plugin``): the dev extra brings hypothesis, whose import alone
costs ~1 s of CPU and varies by more than what is measured here. ``--all-plugins`` measures with every
installed plugin loaded, the plugin by its entry point.

A busy machine blurs whole-process figures by tens of milliseconds, so the script also splits the cost into
its two parts, each measured where it is stable: the import of the plugin's modules (``-X importtime`` self
times, in a fresh process) and its work in a session (``pytest.main`` run in one process, alternately with
and without the plugin, after a warm-up: the same session minus the imports).

Bytecode caching is turned on for the measured processes (``PYTHONDONTWRITEBYTECODE`` removed): an installed
wheel has its ``.pyc`` files, while an editable source tree without them is compiled on every run (and the
plugin module, which pytest rewrites for assertions, twice): ~14 ms that no installed user pays.

Usage: ``python benchmarks/plugin_overhead.py [--runs 15] [--tests 200] [--all-plugins]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUITE = """
import pytest

@pytest.mark.parametrize("number", range({tests}))
def test_nothing(number):
    assert number >= 0
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(folder: Path, extra: list[str], env: dict[str, str]) -> tuple[float, float]:
    """One pytest session in a fresh process: (wall seconds, CPU seconds)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, str(folder)]
    cpu_before, started = _children_cpu(), time.perf_counter()
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if completed.returncode != 0:
        raise SystemExit(f"pytest failed:\n{completed.stdout}\n{completed.stderr}")
    return wall, cpu


def import_cost_ms() -> float:
    """Self time of importing the plugin's modules after pytest, from ``-X importtime`` (median of 9)."""
    code = "import pytest; import playback_dvd.pytest_plugin; import playback_dvd.pytest_plugin._hooks"
    totals = []
    for _ in range(9):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        command = [sys.executable, "-X", "importtime", "-c", code]
        completed = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        lines = completed.stderr.splitlines()
        after_pytest = lines[next(n for n, line in enumerate(lines) if line.rstrip().endswith("| pytest")) :]
        totals.append(sum(int(line.split("|")[0].split(":")[1]) for line in after_pytest[1:]) / 1000)
    return statistics.median(totals)


def in_process_session_ms(folder: Path, runs: int) -> tuple[float, float]:
    """CPU ms of one pytest session in this process, (without plugin, with plugin), imports already done."""
    import contextlib
    import io

    import pytest

    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    variants = ([], ["-p", "playback_dvd.pytest_plugin"])
    times: tuple[list[float], list[float]] = ([], [])
    for round_number in range(runs + 1):
        for position, extra in enumerate(variants):
            started = time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):
                code = pytest.main(["-q", "-p", "no:cacheprovider", *extra, str(folder)])
            if code != 0:
                raise SystemExit(f"pytest failed with exit code {code}")
            if round_number:  # the first round warms up (imports, bytecode)
                times[position].append(time.process_time() - started)
    return statistics.median(times[0]) * 1e3, statistics.median(times[1]) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="sessions per variant (default 15)")
    parser.add_argument("--tests", type=int, default=200, help="tests in the suite (default 200)")
    parser.add_argument("--all-plugins", action="store_true", help="load every installed pytest plugin")
    args = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what an installed package costs (see the docstring)
    if args.all_plugins:
        variants = {"without plugin": ["-p", "no:playback_dvd"], "with plugin": []}
    else:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        variants = {"without plugin": [], "with plugin": ["-p", "playback_dvd.pytest_plugin"]}
    with tempfile.TemporaryDirectory() as directory:  # one suite for both measurements
        folder = Path(directory) / "tests_with_no_dvd"
        folder.mkdir()
        (folder / "test_plain.py").write_text(SUITE.format(tests=args.tests))
        walls: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        for extra in variants.values():  # warm-up: bytecode caches, page cache
            run_once(folder, extra, env)
        for _ in range(args.runs):  # alternate, so drift on a shared machine hits both variants alike
            for name, extra in variants.items():
                wall, cpu = run_once(folder, extra, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        plugins = "all installed plugins" if args.all_plugins else "no other plugins"
        print(f"pytest session, {args.tests} tests using no DVD, {plugins}, median of {args.runs} runs each:")
        # Other processes only ever add time, so the minimum is the steadier estimate on a busy machine.
        print(f"  {'':15} {'CPU ms':>8} {'wall ms':>9} {'min CPU':>9} {'min wall':>9}")
        for name in variants:
            cpu, wall = statistics.median(cpus[name]) * 1e3, statistics.median(walls[name]) * 1e3
            low_cpu, low_wall = min(cpus[name]) * 1e3, min(walls[name]) * 1e3
            print(f"  {name:15} {cpu:8.1f} {wall:9.1f} {low_cpu:9.1f} {low_wall:9.1f}")
        median = statistics.median
        cpu_overhead = (median(cpus["with plugin"]) - median(cpus["without plugin"])) * 1e3
        wall_overhead = (median(walls["with plugin"]) - median(walls["without plugin"])) * 1e3
        min_cpu = (min(cpus["with plugin"]) - min(cpus["without plugin"])) * 1e3
        min_wall = (min(walls["with plugin"]) - min(walls["without plugin"])) * 1e3
        print(f"  {'overhead':15} {cpu_overhead:8.1f} {wall_overhead:9.1f} {min_cpu:9.1f} {min_wall:9.1f}")
        print("  (target: under 20 ms)")
        print("the same overhead in its two parts:")
        imports = import_cost_ms()
        print(f"  importing the plugin's modules (after pytest)  {imports:6.1f} ms")
        without_ms, with_ms = in_process_session_ms(folder, args.runs)
    print(f"  its work in a session (hooks, fixtures, {args.tests} tests) {with_ms - without_ms:6.1f} ms CPU")
    print(f"    (in-process session: {without_ms:.1f} ms without, {with_ms:.1f} ms with)")
    print(f"  total                                           {imports + with_ms - without_ms:6.1f} ms")


if __name__ == "__main__":
    main()
