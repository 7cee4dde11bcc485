"""A small HTTP/2 server on 127.0.0.1 (cleartext, prior knowledge), for the tests of streams over HTTP/2.

It answers every request with a chunked event stream (``data: 0`` ... ``data: N-1``), built with h2's own
sans-IO connection: ``/together?chunks=N`` sends the events and the end of the stream in one write,
``/held-stream?gate=NAME&chunks=N`` sends the events and holds the end back as the loopback server's does
(see `Gate`).
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import parse_qs, urlsplit

import h2.config
import h2.connection
import h2.events

from ._server import Gate

_GATE_TIMEOUT = 30.0


class Http2Server:
    """The server; ``url`` is its base URL (use a client with ``http1=False, http2=True``)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._gates: dict[str, Gate] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="local-h2-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def gate(self, name: str) -> Gate:
        """The gate of ``/held-stream?gate=NAME``, made on first use."""
        with self._lock:
            return self._gates.setdefault(name, Gate())

    def start(self) -> Http2Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # the listener was closed: the server stops
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        state = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        state.initiate_connection()
        try:
            with sock:
                sock.sendall(state.data_to_send())
                while data := sock.recv(65536):
                    for event in state.receive_data(data):
                        if isinstance(event, h2.events.RequestReceived):
                            self._answer(sock, state, event)
                    sock.sendall(state.data_to_send())
        except OSError:  # the client went away (a test's client closes before a held stream ends)
            return

    def _answer(
        self, sock: socket.socket, state: h2.connection.H2Connection, event: h2.events.RequestReceived
    ) -> None:
        headers = dict(event.headers or [])
        parts = urlsplit(headers[b":path"].decode())
        query = parse_qs(parts.query)
        stream_id = event.stream_id
        state.send_headers(stream_id, [(":status", "200"), ("content-type", "text/event-stream")])
        for number in range(int(query.get("chunks", ["3"])[0])):
            state.send_data(stream_id, f"data: {number}\n\n".encode())
        if parts.path != "/held-stream":
            state.end_stream(stream_id)
            sock.sendall(state.data_to_send())
            return
        sock.sendall(state.data_to_send())
        gate = self.gate(query["gate"][0])
        gate.holding.set()
        gate.release.wait(_GATE_TIMEOUT)
        state.end_stream(stream_id)
        try:
            sock.sendall(state.data_to_send())
        finally:
            gate.ended.set()
