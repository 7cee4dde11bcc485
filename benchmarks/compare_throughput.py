"""Replays per second of a comparison run: 1,000 recordings with 1 job (in process) and with 2 workers.

Run: ``.venv/bin/python benchmarks/compare_throughput.py [--recordings 1000] [--repeat 5]``.

Each recording is a real operation (an intercepted input, an intercepted output and one HTTP call) recorded
into a LocalCassette (once, kept in benchmarks/results) and replayed with ``recorder.play`` through the
CLI's player (``play_from_location`` with a ``module:function`` playback function). Figures: a plain loop
of ``recorder.play`` (the baseline: replay alone, nothing compared), the Equalizer with 1 job, 2 forked
workers (the default) and 2 spawned workers; then the Equalizer over prebuilt `Playback` objects, which
times the comparison machinery alone. Each repetition runs the variants in a rotated order; medians of wall
time and of CPU time (this process plus its workers) are printed, and the 2-job speed-up per repetition.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playback_dvd import (
    DVD,
    CompareExecutionConfig,
    EqualityStatus,
    Equalizer,
    LocalCassette,
    Output,
    Playback,
)
from playback_dvd.compare._location import play_from_location


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


# -- with the Recorder: real operations recorded into a LocalCassette and replayed with recorder.play ------

_DIRECTORY = "COMPARE_BENCH_RECORDINGS"  # inherited by spawned workers


class _PriceAPI(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY: no Nagle + delayed-ACK stall (~40 ms) per answer

    def do_GET(self) -> None:  # http.server's naming
        body = json.dumps({"price": 1.5, "currency": "EUR"}).encode()
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.wfile.write(head + body)  # one write: head and body in one segment

    def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
        pass


@functools.cache
def _service() -> Any:
    """The recorded service: built on first use, in the main process and in each worker."""
    import httpx

    from playback_dvd import LocalCassette, Recorder

    recorder = Recorder(LocalCassette(os.environ[_DIRECTORY]))
    # One client for the process, as a service keeps: a new httpx.Client builds an SSL context (~10-100 ms).
    client = httpx.Client()

    class Shop:
        @recorder.operation(metadata_extractor=lambda self, url, order: {"url": url, "order": order})
        def checkout(self, url: str, order: int) -> dict[str, Any]:
            items = self.load_items(order)
            price = client.get(f"{url}/price", params={"order": order}).json()["price"]
            invoice = {"order": order, "items": items, "total": price * len(items)}
            self.save_invoice(invoice)
            return {"order": order, "total": invoice["total"]}

        @recorder.intercept_input("shop.load_items")
        def load_items(self, order: int) -> list[dict[str, Any]]:
            return [{"sku": f"sku-{n}", "qty": n % 3 + 1} for n in range(10)]

        @recorder.intercept_output("shop.save_invoice")
        def save_invoice(self, invoice: dict[str, Any]) -> None:
            pass

    return recorder, Shop


def replay_player(recording_id: str) -> Playback:
    """The player: ``recorder.play`` with a playback function rerunning the checkout."""
    recorder, shop = _service()
    return recorder.play(
        recording_id, lambda dvd: shop().checkout(dvd.metadata["url"], dvd.metadata["order"])
    )  # type: ignore[no-any-return]


def recorded_ids(count: int) -> list[str]:
    """The ids of *count* recorded checkouts, recorded once (kept under benchmarks/results) by a child
    process: the recording leaves the price API's connection thread behind, and the comparisons must start
    from a single-threaded process, as the CLI's do (the pool forks only then)."""
    directory = Path(__file__).resolve().parent / "results" / f"compare-throughput-{count}"
    os.environ[_DIRECTORY] = str(directory)
    ids = list(LocalCassette(directory).iter_recording_ids("Shop")) if directory.is_dir() else []
    if len(ids) != count:
        shutil.rmtree(directory, ignore_errors=True)
        subprocess.run([sys.executable, __file__, "--record-only", "--recordings", str(count)], check=True)
        ids = list(LocalCassette(directory).iter_recording_ids("Shop"))
    assert len(ids) == count, f"{len(ids)} recordings in {directory}"
    return ids


def record(count: int) -> None:
    """Record *count* checkouts against a local price API, then stop the API."""
    _, shop = _service()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PriceAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    for order in range(count):
        shop().checkout(url, order)
    server.shutdown()
    server.server_close()
    thread.join()


def plain_loop(ids: list[str]) -> float:
    """Seconds for ``recorder.play`` on every id in a plain loop: the replay cost without the Equalizer."""
    started = time.perf_counter()
    for recording_id in ids:
        playback = replay_player(recording_id)
        assert playback.playback_outputs == playback.recorded_outputs, recording_id
    return time.perf_counter() - started


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process, and of its reaped children (the pool's workers, once shut down)."""
    times = os.times()
    return times.user + times.system, times.children_user + times.children_system


def measure(
    ids: list[str], player: Callable[[str], Playback], jobs: int, start_method: str | None = None
) -> tuple[float, float, float, float, int]:
    """(seconds to the first comparison, seconds in all, CPU seconds of this process, CPU seconds of the
    workers, how many were Equal)."""
    config = CompareExecutionConfig(jobs=jobs, start_method=start_method)
    own, workers = _cpu_seconds()
    started = time.perf_counter()
    first = 0.0
    equal = 0
    for comparison in Equalizer(ids, player, compare_execution_config=config).run_comparison():
        first = first or time.perf_counter() - started
        equal += comparison.equality_status is EqualityStatus.Equal
    wall = time.perf_counter() - started
    own_after, workers_after = _cpu_seconds()
    return first, wall, own_after - own, workers_after - workers, equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="repetitions, variants in rotated order")
    parser.add_argument("--record-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record_only:
        record(args.recordings)
        return
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    started = time.perf_counter()
    recorded = recorded_ids(args.recordings)
    print(f"{len(recorded)} recorded checkouts ready in {time.perf_counter() - started:.2f} s")
    total = plain_loop(recorded)
    print(f"baseline: plain loop of recorder.play, {total:.2f} s, {len(recorded) / total:,.0f} replays/s")
    # The CLI's player: a picklable partial naming the playback function, resolved once per worker.
    cli_player = functools.partial(play_from_location, os.environ[_DIRECTORY], f"{__name__}:replay_function")
    variants: list[tuple[str, list[str], Callable[[str], Playback], int, str | None]] = [
        ("recorder.play, 1 job (in process)", recorded, cli_player, 1, None),
        ("recorder.play, 2 jobs (default start: fork)", recorded, cli_player, 2, None),
        ("recorder.play, 2 jobs (spawn)", recorded, cli_player, 2, "spawn"),
    ]
    prebuilt = [f"Shop/2026-11-23/{n:032x}" for n in range(args.recordings)]
    variants += [
        ("prebuilt Playbacks, 1 job", prebuilt, prebuilt_player, 1, None),
        ("prebuilt Playbacks, 2 jobs (fork)", prebuilt, prebuilt_player, 2, None),
    ]
    figures: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name, *_ in variants}
    for repetition in range(args.repeat):
        rotated = variants[repetition % len(variants) :] + variants[: repetition % len(variants)]
        for name, ids, player, jobs, start_method in rotated:
            first, wall, own, workers, equal = measure(ids, player, jobs, start_method)
            assert equal == len(ids), f"{name}: {equal} of {len(ids)} equal"
            figures[name].append((first, wall, own, workers))
        print(f"repetition {repetition + 1}/{args.repeat} done, load {os.getloadavg()[0]:.2f}")
    # With free cores, a run is bound by the busiest process: the parent, or each of its 2 workers (the
    # workers' CPU split evenly); on a shared machine this bound is steadier than the wall clock.
    print(
        f"{'variant':<46} {'wall s':>7} {'replays/s':>10} {'first s':>8} {'CPU here':>9} {'CPU workers':>12}"
        f" {'CPU bound s':>12}  (medians)"
    )
    for name, rows in figures.items():
        first, wall, own, workers = (statistics.median(row[i] for row in rows) for i in range(4))
        jobs = next(v[3] for v in variants if v[0] == name)
        bound = max(own, workers / jobs) if workers else own
        print(
            f"{name:<46} {wall:>7.2f} {args.recordings / wall:>10,.0f} {first:>8.2f} {own:>9.2f}"
            f" {workers:>12.2f} {bound:>12.2f}"
        )
    one = [row[1] for row in figures[variants[0][0]]]
    two = [row[1] for row in figures[variants[1][0]]]
    ratios = sorted(a / b for a, b in zip(one, two, strict=True))
    print(f"--jobs 2 speed-up over --jobs 1 (fork, per repetition): {', '.join(f'{r:.2f}' for r in ratios)};")
    print(f"  median {statistics.median(ratios):.2f}x")
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


def replay_function(dvd: Any) -> dict[str, Any]:
    """The playback function the CLI would be given (``--player compare_throughput:replay_function``)."""
    _, shop = _service()
    return shop().checkout(dvd.metadata["url"], dvd.metadata["order"])  # type: ignore[no-any-return]


if __name__ == "__main__":
    main()
