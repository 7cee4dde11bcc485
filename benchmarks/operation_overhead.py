"""What ``@recorder.operation`` costs: per call when not recording, and when recording a realistic operation.

1. Overhead per call of a decorated no-op function with recording disabled, and with ``sampling_rate=0``,
   over the undecorated function (DESIGN bar: <= 2 µs per call).
2. An operation making 10 HTTP calls to a local server and 10 intercepted inputs, run unrecorded (plain
   function), and recorded into a `MemoryCassette` and a `LocalCassette` (saved synchronously).

Run: ``.venv/bin/python benchmarks/operation_overhead.py`` (``--calls N`` for part 1, ``--runs N`` for 2).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playback_dvd import LocalCassette, MemoryCassette, Recorder
from tests import _server  # the suite's real HTTP server on 127.0.0.1

# The server writes headers and body in two segments; with Nagle on, each keep-alive request then waits
# ~40 ms for a delayed ACK, which would hide everything this benchmark measures.
_server._Handler.disable_nagle_algorithm = True


def per_call_ns(function: Callable[[], object], calls: int) -> float:
    """Best of 5 timings of *calls* calls, in nanoseconds per call."""
    return min(timeit.repeat(function, number=calls, repeat=5)) / calls * 1e9


def idle_overhead_ns(calls: int) -> dict[str, float]:
    """ns per call of a bare function, and of it decorated with recording disabled / ``sampling_rate=0``."""

    def bare(n: int = 1) -> int:
        return n

    disabled = Recorder(MemoryCassette(), recording_enabled=False).operation()(bare)
    unsampled = Recorder(MemoryCassette(), sampling_rate=0.0).operation()(bare)
    return {
        "undecorated": per_call_ns(bare, calls),
        "recording disabled": per_call_ns(disabled, calls),
        "sampling_rate=0": per_call_ns(unsampled, calls),
    }


def idle_overhead(calls: int) -> None:
    timings = idle_overhead_ns(calls)
    base = timings.pop("undecorated")
    print(f"undecorated call:               {base:8.0f} ns")
    for label, cost in timings.items():
        label += ":"
        print(f"{label:<31} {cost:8.0f} ns  (overhead {cost - base:6.0f} ns = {(cost - base) / 1000:.2f} µs)")


def make_operation(
    recorder: Recorder, client: httpx.Client, url: str
) -> tuple[Callable[[], int], Callable[[], int]]:
    def load(n: int) -> dict[str, int]:
        return {"n": n, "square": n * n}

    def run(loader: Callable[[int], dict[str, int]]) -> int:
        total = 0
        for n in range(10):
            total += len(client.get(f"{url}/items?id={n}").content)
            total += loader(n)["square"]
        return total

    recorded_load = recorder.intercept_input("bench.load")(load)
    recorded = recorder.operation(category="bench")(lambda: run(recorded_load))
    return (lambda: run(load)), recorded


def recording_cost(runs: int) -> None:
    server = _server.LocalServer().start()
    try:
        with httpx.Client() as client, tempfile.TemporaryDirectory() as directory:
            plain, memory = make_operation(Recorder(MemoryCassette()), client, server.url)
            _, local = make_operation(Recorder(LocalCassette(Path(directory))), client, server.url)
            timings: dict[str, list[float]] = {"unrecorded": [], "MemoryCassette": [], "LocalCassette": []}
            for _ in range(3):  # warm up connections and caches
                plain(), memory(), local()
            for _ in range(runs):  # interleaved, so machine noise hits every variant alike
                for label, function in (
                    ("unrecorded", plain),
                    ("MemoryCassette", memory),
                    ("LocalCassette", local),
                ):
                    start = timeit.default_timer()
                    function()
                    timings[label].append(timeit.default_timer() - start)
    finally:
        server.stop()
    base = statistics.median(timings["unrecorded"])
    print(f"\noperation with 10 HTTP calls + 10 intercepted inputs, median of {runs} runs:")
    for label, values in timings.items():
        median = statistics.median(values)
        print(
            f"{label:<15} {median * 1000:7.2f} ms  ({median / base:5.2f}x, +{(median - base) * 1000:5.2f} ms)"
        )


def saving_cost_s(operations: int = 200, repetitions: int = 3) -> dict[str, float]:
    """Seconds (CPU; ``*_wall``: wall; medians) to run and save *operations* operations in a `LocalCassette`.

    ``caller``: each recording is written in the operation's thread; ``background``: with
    ``background_saving=True``, the flush that waits for the last write included, so nothing is left
    out of the timing.
    """
    import time

    server = _server.LocalServer().start()
    timings: dict[str, list[float]] = {
        "caller": [],
        "background": [],
        "caller_wall": [],
        "background_wall": [],
    }
    try:
        with httpx.Client() as client:
            for repetition in range(repetitions):
                kinds = ["caller", "background"] if repetition % 2 == 0 else ["background", "caller"]
                for kind in kinds:
                    with tempfile.TemporaryDirectory() as directory:
                        recorder = Recorder(
                            LocalCassette(Path(directory)), background_saving=kind != "caller"
                        )
                        _, recorded = make_operation(recorder, client, server.url)
                        recorded()  # the connection and first-use costs, untimed
                        recorder.flush()
                        start, wall = time.process_time(), time.perf_counter()
                        for _ in range(operations):
                            recorded()
                        recorder.flush()
                        timings[kind].append(time.process_time() - start)
                        timings[f"{kind}_wall"].append(time.perf_counter() - wall)
                        recorder.close()
    finally:
        server.stop()
    return {kind: statistics.median(values) for kind, values in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    idle_overhead(args.calls)
    recording_cost(args.runs)
    saving = saving_cost_s()
    print(
        f"\n200 operations saved into a LocalCassette, CPU s (median of 3): in the caller "
        f"{saving['caller']:.2f}, in the background (flush included) {saving['background']:.2f} "
        f"({saving['background'] / saving['caller']:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
