"""Replays per second of a comparison run: 1,000 recordings with 1 job (in process) and with 2 workers.

Run: ``.venv/bin/python benchmarks/compare_throughput.py [--recordings 1000]``.

With the `Recorder` installed (``playback_dvd.Recorder`` and ``LocalCassette``), each recording is a real
operation (an intercepted input, an intercepted output and one HTTP call) recorded into a LocalCassette
and replayed with ``recorder.play``. Without it, the Equalizer is measured over prebuilt `Playback`
objects (the player builds them), which times the comparison machinery alone; the output says which.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from playback_dvd import DVD, CompareExecutionConfig, EqualityStatus, Equalizer, Output, Playback


def _outputs(number: int) -> list[Output]:
    items = [{"sku": f"sku-{n}", "price": n * 1.5, "tags": ["a", "b"]} for n in range(10)]
    return [
        Output("shop.save_invoice #1", {"order": number, "items": items}),
        Output("operation", {"order": number, "total": sum(item["price"] for item in items)}),
    ]


def prebuilt_player(recording_id: str) -> Playback:
    """A Playback as ``recorder.play`` returns it, built from data (no Recorder needed)."""
    number = int(recording_id.rsplit("/", 1)[1], 16)
    return Playback(
        recording_id=recording_id,
        recorded_outputs=_outputs(number),
        playback_outputs=_outputs(number),
        recorded_duration=0.001,
        playback_duration=0.001,
        original_recording=DVD(id=recording_id, category="Shop"),
    )


def measure(ids: list[str], player: Callable[[str], Playback], jobs: int) -> tuple[float, float, int]:
    """(seconds to the first comparison, seconds in all, how many were Equal)."""
    config = CompareExecutionConfig(jobs=jobs)
    started = time.perf_counter()
    first = 0.0
    equal = 0
    for comparison in Equalizer(ids, player, compare_execution_config=config).run_comparison():
        first = first or time.perf_counter() - started
        equal += comparison.equality_status is EqualityStatus.Equal
    return first, time.perf_counter() - started, equal


def report(jobs: int, count: int, first: float, total: float) -> None:
    steady = (count - 1) / (total - first) if total > first else float("inf")
    print(
        f"jobs={jobs}: {total:.2f} s in all, {count / total:,.0f} replays/s overall;"
        f" first result after {first:.2f} s (worker start-up), then {steady:,.0f} replays/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=1000)
    args = parser.parse_args()
    ids = [f"Shop/2026-11-23/{n:032x}" for n in range(args.recordings)]
    print(f"mode: prebuilt Playbacks (Equalizer + structural diff only), {len(ids)} recordings")
    for jobs in (1, 2):
        first, total, equal = measure(ids, prebuilt_player, jobs)
        assert equal == len(ids), f"{equal} of {len(ids)} equal"
        report(jobs, len(ids), first, total)


if __name__ == "__main__":
    main()
