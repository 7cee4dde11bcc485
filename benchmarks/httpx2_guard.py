"""Replay through httpx2 against its own MockTransport floor, and the connection guard's cost per request.

    python benchmarks/httpx2_guard.py [--reps 5] [--requests 2000]

Each variant runs in a fresh process (an audit hook, once added, cannot be removed), variants rotate
between repetitions, and the median µs per request (wall and CPU) is printed with the median ratio to the
floor of the same repetition.

- ``floor``: ``httpx2.Client(transport=httpx2.MockTransport(handler))``, the handler looking prebuilt
  response parts up in a dict.
- ``replay``: the same requests through a plain ``httpx2.Client()`` inside ``use_dvd(path,
  record_mode="none")`` (a DVD recorded once through the MockTransport).
- ``replay+guard``: the same inside ``use_dvd(..., block_network=True)``: the audit hook is installed and
  the policy set, so every audited event of the replay goes through the hook.
- ``httpx floor`` / ``httpx replay``: the same two through httpx, replaying the same DVD (recorded
  through httpx2: one format), for a side-by-side in the same run.
- ``live`` / ``live+guard``: requests sent for real to a loopback server by ``urllib`` (which the guard
  sees connect), without a hook, then inside a session whose guard reports the connection (a recording):
  the hook's cost on a request that does open a connection.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
BODY = b'{"ok": true, "padding": "' + b"x" * 900 + b'"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


def urls(count: int) -> list[str]:
    return [f"http://api.bench/items/{number}?page={number % 7}" for number in range(count)]


def dvd_path(count: int) -> Path:
    return RESULTS / f"httpx2-{count}.dvd"


def record(count: int) -> None:
    import httpx2

    import playback_dvd as pd

    RESULTS.mkdir(exist_ok=True)
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, headers=HEADERS, content=BODY))
    with pd.use_dvd(dvd_path(count), record_mode="all"), httpx2.Client(transport=transport) as client:
        for url in urls(count):
            client.get(url).read()


def _timed(loop: Callable[[], None]) -> tuple[float, float]:
    loop()  # warm up: imports, first patch, index build
    wall, cpu = time.perf_counter(), time.process_time()
    loop()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(variant: str, count: int) -> tuple[float, float]:
    """Seconds (wall, CPU) of *count* requests of *variant*, in this process."""
    import importlib

    import playback_dvd as pd

    # "httpx floor" / "httpx replay": the same through httpx, for a side-by-side in one run.
    library, _, variant = variant.rpartition(" ")
    module = importlib.import_module(library or "httpx2")

    if variant == "floor":
        responses = dict.fromkeys(urls(count), (200, HEADERS, BODY))

        def handler(request: Any) -> Any:
            status, headers, body = responses[str(request.url)]
            return module.Response(status, headers=headers, content=body)

        client = module.Client(transport=module.MockTransport(handler))

        def floor_loop() -> None:
            for url in urls(count):
                client.get(url).read()

        return _timed(floor_loop)
    if variant in ("replay", "replay+guard"):
        client = module.Client()

        def replay_loop() -> None:
            for url in urls(count):
                client.get(url).read()

        # Loaded once, outside the timing; repeats allowed so the warm-up pass does not use it up.
        guarded = variant == "replay+guard"
        with pd.use_dvd(
            dvd_path(count), record_mode="none", block_network=guarded, allow_playback_repeats=True
        ):
            return _timed(replay_loop)
    return _measure_live(variant, count)


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one connection per request: every request connects

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def _measure_live(variant: str, count: int) -> tuple[float, float]:
    from playback_dvd.http import _guard

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    server.request_queue_size = 128
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/x"
    live_count = max(count // 10, 50)

    def live_loop() -> None:
        for _ in range(live_count):
            with urllib.request.urlopen(url) as answer:
                answer.read()

    try:
        if variant == "live":
            wall, cpu = _timed(live_loop)
        else:
            _guard.ensure_hook()
            token = _guard.current_connection_policy.set(_guard.BypassLog().policy())
            try:
                wall, cpu = _timed(live_loop)
            finally:
                _guard.current_connection_policy.reset(token)
    finally:
        server.shutdown()
        server.server_close()
    # Scaled to the same request count as the other variants, so µs per request compare.
    return wall * count / live_count, cpu * count / live_count


VARIANTS = ("floor", "replay", "replay+guard", "httpx floor", "httpx replay", "live", "live+guard")


def hook_costs(loops: int = 200_000) -> dict[str, float]:
    """ns per call of the audit hook itself, on the paths that matter (timed in this process)."""
    import logging
    import socket
    import timeit

    from playback_dvd.http import _guard

    logging.getLogger("playback_dvd").disabled = True  # the once-per-process warning is not the point

    sock = socket.socket()
    connect_args = (sock, ("127.0.0.1", 9))
    costs = {
        "any other event, any context": timeit.timeit(
            lambda: _guard._audit("open", ("f", "r", 0)), number=loops
        ),
        "socket.connect outside a session": timeit.timeit(
            lambda: _guard._audit("socket.connect", connect_args), number=loops
        ),
    }
    log = _guard.BypassLog()
    token = _guard.current_connection_policy.set(log.policy())
    try:
        sending = _guard.intercepted.set(True)
        costs["socket.connect of an intercepted client, in a session"] = timeit.timeit(
            lambda: _guard._audit("socket.connect", connect_args), number=loops
        )
        _guard.intercepted.reset(sending)
        costs["socket.connect bypassing, reported (recording)"] = (
            timeit.timeit(lambda: _guard._audit("socket.connect", connect_args), number=loops // 10) * 10
        )
    finally:
        _guard.current_connection_policy.reset(token)
        sock.close()
    baseline = timeit.timeit(lambda: None, number=loops)
    return {name: (seconds - baseline) / loops * 1e9 for name, seconds in costs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--worker", nargs=2, metavar=("VARIANT", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        wall, cpu = measure(args.worker[0], int(args.worker[1]))
        print(json.dumps({"wall": wall, "cpu": cpu}))
        return
    for name, nanoseconds in hook_costs().items():
        print(f"  audit hook, {name}: {nanoseconds:,.0f} ns")
    record(args.requests)
    runs: dict[str, list[tuple[float, float]]] = {variant: [] for variant in VARIANTS}
    for rep in range(args.reps):
        order = VARIANTS[rep % len(VARIANTS) :] + VARIANTS[: rep % len(VARIANTS)]
        for variant in order:
            output = subprocess.run(
                [sys.executable, __file__, "--worker", variant, str(args.requests)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            timing = json.loads(output.strip().splitlines()[-1])
            runs[variant].append((timing["wall"], timing["cpu"]))
    per_request = 1e6 / args.requests
    print(
        f"{args.requests} requests, {args.reps} repetitions, median µs per request and median ratio "
        "(wall / CPU)"
    )
    for variant in VARIANTS:
        wall = statistics.median(w for w, _ in runs[variant]) * per_request
        cpu = statistics.median(c for _, c in runs[variant]) * per_request
        base = (
            "live"
            if variant.startswith("live")
            else "httpx floor"
            if variant.startswith("httpx")
            else "floor"
        )
        pairs = list(zip(runs[variant], runs[base], strict=True))
        wall_ratio = statistics.median(w / b for (w, _), (b, _) in pairs)
        cpu_ratio = statistics.median(c / d for (_, c), (_, d) in pairs)
        print(f"  {variant:<13} {wall:8.1f} / {cpu:8.1f}   x{wall_ratio:.2f} / x{cpu_ratio:.2f} of {base}")


if __name__ == "__main__":
    main()
