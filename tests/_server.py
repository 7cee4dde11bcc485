"""A real HTTP/1.1 server on 127.0.0.1 for the tests: every recording test talks to it over TCP (or TLS)."""

from __future__ import annotations

import dataclasses
import gzip
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

try:
    import brotli
except ImportError:  # pragma: no cover  # brotli is in the dev extra; /br answers 501 without it
    brotli = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LocalServer

    def log_message(self, format: str, *args: object) -> None:  # the base class's name
        pass

    def _send(
        self, status: int, body: bytes, headers: list[tuple[str, str]] = (), reason: str | None = None
    ) -> None:
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: object, status: int = 200, extra: list[tuple[str, str]] = ()) -> None:
        self._send(status, json.dumps(data).encode(), [("Content-Type", "application/json"), *extra])

    def do_GET(self) -> None:  # http.server's naming
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_PUT(self) -> None:
        self._route()

    def do_DELETE(self) -> None:
        self._route()

    def do_QUERY(self) -> None:  # the QUERY method (a safe GET with a body), which httpx2 sends natively
        self._route()

    def _route(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.hits.append((self.command, self.path))
            count = len(self.server.hits)
        path = parts.path
        if path == "/items":
            self._json({"id": query.get("id", [""])[0], "hit": count, "query": query})
        elif path == "/echo":
            self._json(
                {
                    "method": self.command,
                    "body": body.decode("utf-8", "replace"),
                    "content_type": self.headers.get("Content-Type", ""),
                    "hit": count,
                }
            )
        elif path == "/gzip":
            self._send(
                200,
                gzip.compress(b'{"compressed": "gzip"}'),
                [("Content-Encoding", "gzip"), ("Content-Type", "application/json")],
            )
        elif path == "/br":
            if brotli is None:
                self._send(501, b"no brotli")
            else:
                self._send(
                    200,
                    brotli.compress(b'{"compressed": "br"}'),
                    [("Content-Encoding", "br"), ("Content-Type", "application/json")],
                )
        elif path == "/binary":
            self._send(200, bytes(range(256)) * 4, [("Content-Type", "application/octet-stream")])
        elif path == "/redirect":
            target = query.get("to", ["/items?id=redirected"])[0]
            self._send(302, b"", [("Location", target)])
        elif path == "/cookies":
            self._send(
                200,
                b"ok",
                [
                    ("Set-Cookie", "a=1; Path=/"),
                    ("Set-Cookie", "b=2; Path=/"),
                    ("Content-Type", "text/plain"),
                ],
            )
        elif path.startswith("/status/"):
            status = int(path.rsplit("/", 1)[1])
            self._send(
                status,
                f"status {status}".encode(),
                [("Content-Type", "text/plain")],
                reason=query.get("reason", [None])[0],
            )
        elif path == "/stream":
            chunks = int(query.get("chunks", ["5"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for number in range(chunks):
                data = f"chunk {number}\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/held-stream":
            self._held_stream(self.server.gate(query["gate"][0]), int(query.get("chunks", ["3"])[0]))
        elif path.startswith("/reflect"):
            self._reflect(parts.query, body)
        elif path == "/oauth/token":
            self._token(query)
        elif path == "/slow":
            time.sleep(float(query.get("seconds", ["0.2"])[0]))
            self._json({"slow": True, "hit": count})
        else:
            self._send(404, b"not found", [("Content-Type", "text/plain")])

    def _held_stream(self, gate: Gate, chunks: int) -> None:
        # Chunked, with the end held back until the test says: a stream whose server is still sending.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for number in range(chunks):
            data = f"data: {number}\n\n".encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        gate.holding.set()
        gate.release.wait(_GATE_TIMEOUT)
        try:
            self.wfile.write(b"0\r\n\r\n")
        finally:
            gate.ended.set()

    def _reflect(self, raw_query: str, body: bytes) -> None:
        # Echoes what it was sent where servers echo things: the body, a Location header, a next link.
        self._json(
            {
                "path": self.path,
                "query": raw_query,
                "authorization": self.headers.get("Authorization", ""),
                "auth_token": self.headers.get("X-Auth-Token", ""),
                "headers": dict(self.headers.items()),
                "body": body.decode("utf-8", "replace"),
                "next": f"http://{self.headers.get('Host', '')}/reflect?{raw_query}&page=2",
            },
            extra=[
                ("Location", f"/reflect?{raw_query}"),
                ("X-Seen-Authorization", self.headers.get("Authorization", "")),
            ],
        )

    def _token(self, query: dict[str, list[str]]) -> None:
        # An OAuth token endpoint: fresh tokens in the response body (JSON, form, or gzip-compressed JSON).
        tokens = {
            "access_token": "srv-access-9f8e7d6c5b4a39281706",
            "refresh_token": "srv-refresh-0a1b2c3d4e5f60718293",
            "id_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLW9mLXRoZS10ZXN0",
            "token_type": "bearer",
            "expires_in": 3600,
        }
        shape = query.get("format", ["json"])[0]
        if shape == "form":
            form = "&".join(f"{key}={value}" for key, value in tokens.items())
            self._send(200, form.encode(), [("Content-Type", "application/x-www-form-urlencoded")])
        elif shape == "gzip":
            data = gzip.compress(json.dumps(tokens).encode())
            self._send(200, data, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")])
        else:
            self._json(tokens)


#: How long a held stream waits for its test at most (generous: only a failing test waits this long).
_GATE_TIMEOUT = 30.0


@dataclasses.dataclass
class Gate:
    """How a test steers ``/held-stream?gate=NAME``: the server sets ``holding`` once every chunk is sent,
    waits for ``release``, sends the end of the body, then sets ``ended``."""

    holding: threading.Event = dataclasses.field(default_factory=threading.Event)
    release: threading.Event = dataclasses.field(default_factory=threading.Event)
    ended: threading.Event = dataclasses.field(default_factory=threading.Event)


class LocalServer(ThreadingHTTPServer):
    """The test server; ``hits`` lists every (method, path) it answered: tests prove no network was used."""

    daemon_threads = True
    request_queue_size = 128  # concurrency tests connect many clients at once (the default backlog is 5)

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._tls = tls
        self.hits: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self._gates: dict[str, Gate] = {}
        self._thread = threading.Thread(target=self.serve_forever, name="local-http-server", daemon=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up mid-answer (a timed-out /slow request, a worker killed by a test) is not a
        # server fault: socketserver would print its traceback into the test output. Anything else is shown.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()
        if self._tls is None:
            return connection, address
        # The handshake happens in the request's own thread, at its first read, not in the accepting one.
        return self._tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address

    def gate(self, name: str) -> Gate:
        """The gate of ``/held-stream?gate=NAME``, made on first use (by the test or by the request)."""
        with self.lock:
            return self._gates.setdefault(name, Gate())

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'http' if self._tls is None else 'https'}://{host}:{port}"

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()
            self._gates.clear()
