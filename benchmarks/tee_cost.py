"""What the recording tee costs per response and per chunk, against the same requests sent live.

    python benchmarks/tee_cost.py [--passes 7] [--requests 1000]

A loopback server in a child process answers ``/items`` (~1 KB, ``Content-Length``: one chunk) and
``/sse`` (a chunked event stream of 20 events of ~100 bytes, the whole response in one write). The client
thread's CPU time (``time.thread_time``: the server and the machine's other load are not counted) is taken
for N requests through one ``httpx.Client`` per variant, read with ``iter_raw`` and closed (the third
workload stops at the last event and closes, as an SDK does at ``data: [DONE]``); the minimum of the
passes is reported (variants rotate between passes). Variants:

- ``live``: a transport wrapper that hands the live stream back in a new ``httpx.Response``, as the
  handler does, without a tee: the floor.
- ``tee``: the same wrapper with the tee around the stream (commit does nothing): the tee's own cost.
- ``recorded``: a plain client inside ``use_dvd(path, record_mode="all")``: the whole recording path
  (handler, filters, conversion, ``DVD.record``), the save at the block's end excluded.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

import playback_dvd as pd
from playback_dvd.http._httpx import LIBRARY

ITEM = b'{"ok": true, "padding": "' + b"x" * 1000 + b'"}'
EVENTS = 20
EVENT = b"data: " + b'{"delta": "' + b"y" * 80 + b'"}' + b"\n\n"


def _chunked(events: int) -> bytes:
    chunk = f"{len(EVENT):x}\r\n".encode() + EVENT + b"\r\n"
    return chunk * events + b"0\r\n\r\n"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # the base class's name
        pass

    def do_GET(self) -> None:  # http.server's naming
        if self.path.startswith("/sse"):
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            self.wfile.write(head + _chunked(EVENTS))
        else:
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(ITEM)}\r\n\r\n"
            self.wfile.write(head.encode() + ITEM)


def _serve() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # stops when the benchmark closes its stdin


class _Rewrap(httpx.BaseTransport):
    """Hands the live stream back in a new response, with or without the tee, as the handler does."""

    def __init__(self, tee: bool) -> None:
        self._inner = httpx.HTTPTransport()
        self._tee = tee

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        live = self._inner.handle_request(request)
        stream: Any = live.stream
        if self._tee:
            length = live.headers.get("content-length")
            stream = LIBRARY.tee_stream(stream, _ignore, None, None, int(length) if length else None)
        return httpx.Response(
            live.status_code, headers=live.headers.raw, stream=stream, extensions=live.extensions
        )

    def close(self) -> None:
        self._inner.close()


def _ignore(body: bytes, complete: bool) -> None:
    pass


def _requests(client: httpx.Client, url: str, count: int) -> float:
    # "?early" stops at the last event and closes, as an SDK does at data: [DONE] (iterator held).
    early = url.endswith("?early")
    start = time.thread_time()
    for _ in range(count):
        with client.stream("GET", url) as response:
            raw, read = response.iter_raw(), 0
            for chunk in raw:
                read += len(chunk)
                if early and read == EVENTS * len(EVENT):
                    break
    return time.thread_time() - start


def _variant(name: str, url: str, count: int, directory: Path) -> float:
    if name == "recorded":
        with pd.use_dvd(directory / "tee.dvd", record_mode="all"), httpx.Client() as client:
            return _requests(client, url, count)
    with httpx.Client(transport=_Rewrap(tee=name == "tee")) as client:
        return _requests(client, url, count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve()
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    names = ["live", "tee", "recorded"]
    try:
        with tempfile.TemporaryDirectory() as scratch:
            for path, label in (
                ("/items", "1 KB, Content-Length (1 chunk)"),
                ("/sse", f"chunked, {EVENTS} events"),
                ("/sse?early", f"chunked, {EVENTS} events, closed at the last event"),
            ):
                url = f"http://127.0.0.1:{port}{path}"
                best: dict[str, float] = {}
                for number in range(args.passes):
                    order = names[number % 3 :] + names[: number % 3]
                    for name in order:
                        spent = _variant(name, url, args.requests, Path(scratch))
                        best[name] = min(best.get(name, spent), spent)
                floor = best["live"]
                print(
                    f"{label}: µs of client CPU per request (min of {args.passes} passes of {args.requests})"
                )
                for name in names:
                    per_request = best[name] / args.requests * 1e6
                    print(f"  {name:9} {per_request:8.1f}  {best[name] / floor:5.2f}x")
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait()


if __name__ == "__main__":
    main()
