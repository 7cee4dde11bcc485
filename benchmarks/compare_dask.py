"""Replays per second on a Dask cluster: 10,000 recordings with 1, 2 and 4 worker processes.

Run: ``.venv/bin/python benchmarks/compare_dask.py [--recordings 10000] [--repeat 3]`` (needs the ``dask``
extra, which ``dev`` includes).

The recordings are `compare_throughput`'s checkouts (an intercepted input, one HTTP call, an intercepted
output), recorded once into a LocalCassette under /dev/shm when it exists (so that recording 10,000 does
not wait on 20,000 fsyncs; the disk is not what is measured), else under benchmarks/results. Each run starts
a `distributed.LocalCluster` of N single-threaded worker processes on 127.0.0.1, waits for them, imports the
player on them (not timed: a cluster is started once and used for many runs), then times
``Equalizer(..., compare_execution_config=CompareExecutionConfig(executor=client.get_executor()))`` over
every recording, as ``playback-dvd compare --executor`` does. The workers' CPU time is read on each worker
before and after.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import compare_throughput
import distributed

from playback_dvd import CompareExecutionConfig, EqualityStatus, Equalizer, LocalCassette
from playback_dvd.compare._location import play_from_location

PLAYER = "compare_throughput:replay_function"


def recordings_directory(count: int) -> Path:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(__file__).resolve().parent / "results"
    return base / f"playback-dvd-compare-dask-{count}"


def recorded_ids(count: int) -> list[str]:
    """*count* recorded checkouts (recorded once, by compare_throughput in a child process)."""
    directory = recordings_directory(count)
    os.environ[compare_throughput._DIRECTORY] = str(directory)
    ids = list(LocalCassette(directory).iter_recording_ids("Shop")) if directory.is_dir() else []
    if len(ids) != count:
        script = Path(compare_throughput.__file__)
        subprocess.run([sys.executable, str(script), "--record-only", "--recordings", str(count)], check=True)
        ids = list(LocalCassette(directory).iter_recording_ids("Shop"))
    assert len(ids) == count, f"{len(ids)} recordings in {directory}"
    return ids


def _worker_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _warm_up() -> bool:
    import compare_throughput  # noqa: F401  # the player's module, as the first replay would

    return True


def run_on_cluster(ids: list[str], workers: int) -> tuple[float, float, int]:
    """(seconds, CPU seconds of the workers, Equal comparisons) for one run on a fresh cluster."""
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # a worker's heartbeat racing the shutdown logs an ERROR
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        client.run(_warm_up)
        before = client.run(_worker_cpu)
        player = functools.partial(play_from_location, os.environ[compare_throughput._DIRECTORY], PLAYER)
        config = CompareExecutionConfig(executor=client.get_executor(), max_batches_in_flight=2 * workers)
        started = time.perf_counter()
        equal = sum(
            comparison.equality_status is EqualityStatus.Equal
            for comparison in Equalizer(ids, player, compare_execution_config=config).run_comparison()
        )
        wall = time.perf_counter() - started
        after = client.run(_worker_cpu)
    return wall, sum(after[w] - before[w] for w in after), equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}, {os.cpu_count()} cores")
    started = time.perf_counter()
    ids = recorded_ids(args.recordings)
    print(f"{len(ids)} recorded checkouts ready in {time.perf_counter() - started:.1f} s")
    figures: dict[int, list[tuple[float, float]]] = {workers: [] for workers in args.workers}
    for repetition in range(args.repeat):
        order = (
            args.workers[repetition % len(args.workers) :] + args.workers[: repetition % len(args.workers)]
        )
        for workers in order:
            wall, cpu, equal = run_on_cluster(ids, workers)
            assert equal == len(ids), f"{equal} of {len(ids)} equal"
            figures[workers].append((wall, cpu))
            print(
                f"  {workers} workers: {wall:.2f} s, workers' CPU {cpu:.2f} s, load {os.getloadavg()[0]:.2f}"
            )
    print(f"{'workers':>7} {'wall s':>8} {'replays/s':>10} {'CPU s (workers)':>16}  (medians)")
    for workers, rows in figures.items():
        wall = statistics.median(row[0] for row in rows)
        cpu: Any = statistics.median(row[1] for row in rows)
        print(f"{workers:>7} {wall:>8.2f} {len(ids) / wall:>10,.0f} {cpu:>16.2f}")
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
