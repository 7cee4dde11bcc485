"""Replays per second of a comparison run: 1,000 recordings with 1 job (in process) and with 2 workers.

Run: ``.venv/bin/python benchmarks/compare_throughput.py [--recordings 1000]``.

Each recording is a real operation (an intercepted input, an intercepted output and one HTTP call) recorded
into a LocalCassette and replayed with ``recorder.play``. Three figures: a plain loop of ``recorder.play``
(the baseline: replay alone, nothing compared), the Equalizer with 1 job and with 2 worker processes; then
the Equalizer over prebuilt `Playback` objects, which times the comparison machinery alone.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


# -- with the Recorder: real operations recorded into a LocalCassette and replayed with recorder.play ------

_DIRECTORY = "COMPARE_BENCH_RECORDINGS"  # inherited by spawned workers


class _PriceAPI(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # http.server's naming
        body = json.dumps({"price": 1.5, "currency": "EUR"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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


def record(count: int) -> list[str]:
    """Record *count* checkouts against a local price API, then stop the API."""
    os.environ[_DIRECTORY] = directory = tempfile.mkdtemp(prefix="compare-bench-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PriceAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    recorder, shop = _service()
    for order in range(count):
        shop().checkout(url, order)
    server.shutdown()
    server.server_close()
    return list(recorder.cassette.iter_recording_ids("Shop"))


def plain_loop(ids: list[str]) -> float:
    """Seconds for ``recorder.play`` on every id in a plain loop: the replay cost without the Equalizer."""
    started = time.perf_counter()
    for recording_id in ids:
        playback = replay_player(recording_id)
        assert playback.playback_outputs == playback.recorded_outputs, recording_id
    return time.perf_counter() - started


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
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    started = time.perf_counter()
    recorded = record(args.recordings)
    print(f"recorded {len(recorded)} checkouts in {time.perf_counter() - started:.2f} s")
    total = plain_loop(recorded)
    print(f"baseline: plain loop of recorder.play, {total:.2f} s, {len(recorded) / total:,.0f} replays/s")
    modes: list[tuple[str, list[str], Callable[[str], Playback]]] = []
    modes.append(("recorder.play from a LocalCassette + structural diff", recorded, replay_player))
    prebuilt = [f"Shop/2026-11-23/{n:032x}" for n in range(args.recordings)]
    modes.append(("prebuilt Playbacks (Equalizer + structural diff only)", prebuilt, prebuilt_player))
    for name, ids, player in modes:
        print(f"mode: {name}, {len(ids)} recordings")
        for jobs in (1, 2):
            first, total, equal = measure(ids, player, jobs)
            assert equal == len(ids), f"{equal} of {len(ids)} equal"
            report(jobs, len(ids), first, total)
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
