"""What merely installing playback_dvd costs a pytest session that uses no DVD (target: under 20 ms).

Runs the same small suite (tests that use no DVD) in fresh ``python -m pytest`` processes, alternately with
the plugin disabled (``-p no:playback_dvd``) and enabled, and compares the medians.

Usage: ``python benchmarks/plugin_overhead.py [--runs 15] [--tests 200]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUITE = '''
import pytest

@pytest.mark.parametrize("number", range({tests}))
def test_nothing(number):
    assert number >= 0
'''


def run_once(folder: Path, extra: list[str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, str(folder)]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"pytest failed:\n{completed.stdout}\n{completed.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="sessions per variant (default 15)")
    parser.add_argument("--tests", type=int, default=200, help="tests in the suite (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory) / "tests_with_no_dvd"
        folder.mkdir()
        (folder / "test_plain.py").write_text(SUITE.format(tests=args.tests))
        variants = {"without plugin": ["-p", "no:playback_dvd"], "with plugin": []}
        times: dict[str, list[float]] = {name: [] for name in variants}
        for name, extra in variants.items():  # warm-up: bytecode caches, page cache
            run_once(folder, extra)
        for _ in range(args.runs):  # alternate, so drift on a shared machine hits both variants alike
            for name, extra in variants.items():
                times[name].append(run_once(folder, extra))
    without = statistics.median(times["without plugin"])
    with_plugin = statistics.median(times["with plugin"])
    print(f"pytest session, {args.tests} tests using no DVD, median of {args.runs} runs each:")
    for name, values in times.items():
        print(f"  {name:15} {statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f} ms)")
    print(f"  overhead        {(with_plugin - without) * 1000:7.1f} ms  (target: under 20 ms)")


if __name__ == "__main__":
    main()
