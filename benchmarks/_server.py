"""A bounded loopback HTTP/1.1 server for the benchmarks, run in its own process (``python _server.py``).

``GET /items/{i}?q=v{i}&page={i % 7}`` answers a ~1 KB JSON body unique to *i* (random hex by default);
``POST /items/{i}`` answers the same shape with the posted JSON echoed in it. Headers and body go out in
one write with TCP_NODELAY (separate writes stall each request ~40 ms on Nagle + delayed ACK). The server
prints its port on stdout and stops when its stdin closes (so it never outlives the benchmark), or after an
hour.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY_KINDS = ("hex", "json")
#: What the bodies are made of: ``hex`` (the default) is random hex, which no compressor shrinks below
#: half its size, so file sizes are not flattered; ``json`` is word-like filler (~4x compressible), closer
#: to typical API traffic. Chosen by ``$BENCH_BODIES`` so the server process and the harness agree.
BODY_KIND = os.environ.get("BENCH_BODIES", "hex")
if BODY_KIND not in BODY_KINDS:
    raise SystemExit(f"BENCH_BODIES must be one of {', '.join(BODY_KINDS)}, not {BODY_KIND!r}")

_WORDS = [
    *("alpha", "beta", "gamma", "delta", "order", "item", "price", "stock", "warehouse", "shipped"),
    *("pending", "customer", "invoice", "total", "discount", "region", "north", "south", "east", "west"),
    *("blue", "green", "red", "small", "large", "express", "standard", "returned"),
]


def item_body(number: int, posted: bytes = b"") -> bytes:
    """The ~1 KB JSON body answered for item *number*, the same every time it is asked for.

    Its ``payload`` is random hex (``BODY_KIND`` ``hex``, incompressible beyond hex's own 2x) or words and
    numbers (``json``); the ``id`` field comes first, so a replay's answer is checked cheaply.
    """
    if BODY_KIND == "hex":
        payload: object = random.Random(number).randbytes(470).hex()
    else:
        seed = number * 2654435761 % 2**32
        words = []
        for _ in range(120):
            seed = (seed * 1103515245 + 12345) % 2**31
            words.append(_WORDS[seed % len(_WORDS)])
        payload = " ".join(words)
    data = {
        "id": number,
        "name": f"item-{number}",
        "echo": posted.decode("utf-8", "replace"),
        "payload": payload,
    }
    return json.dumps(data, separators=(",", ":")).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY on each connection (socketserver.StreamRequestHandler)

    def log_message(self, format: str, *args: object) -> None:  # the base class's name
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        posted = self.rfile.read(length) if length else b""
        try:
            number = int(self.path.split("?", 1)[0].rsplit("/", 1)[1])
        except ValueError:
            number = -1
        body = item_body(number, posted)
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Server: bench\r\n\r\n"
        ).encode()
        self.wfile.write(head + body)

    do_GET = _answer  # noqa: N815  # http.server's naming
    do_POST = _answer  # noqa: N815


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    # Bounded: stop when the parent closes our stdin (or dies), or after an hour at most.
    reader = threading.Thread(target=sys.stdin.read, daemon=True)
    reader.start()
    reader.join(timeout=3600)
    server.shutdown()


if __name__ == "__main__":
    main()
