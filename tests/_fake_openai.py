"""A small local fake of the OpenAI chat completions API (plain and streamed), on 127.0.0.1.

It answers ``POST /v1/chat/completions`` with a reply derived from the last message, so a test can tell
which request got which answer; ``hits`` counts what reached it, so a test proves a replay stayed offline.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def reply_to(prompt: str) -> str:
    """What the fake model answers to *prompt*."""
    return f"echo: {prompt}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeOpenAI

    def log_message(self, format: str, *args: object) -> None:  # the base class's name
        pass

    def do_POST(self) -> None:  # http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        with self.server.lock:
            self.server.hits += 1
        if self.path != "/v1/chat/completions":
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request"}})
            return
        text = reply_to(str(request["messages"][-1]["content"]))
        base: dict[str, Any] = {"id": "chatcmpl-1", "created": 1700000000, "model": request["model"]}
        if request.get("stream"):
            self._stream(base, text)
            return
        self._send_json(
            200,
            {
                **base,
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
            },
        )

    def _send_json(self, status: int, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, base: dict[str, Any], text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        words = text.split(" ")
        for number, word in enumerate(words):
            delta = {"content": word if number == 0 else " " + word}
            finish = "stop" if number == len(words) - 1 else None
            chunk = {
                **base,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
            time.sleep(0.001)  # tokens arrive one by one, as a model's do
        # The last event and the end of the body in one write, as a server that ends the stream with its
        # last event does: the client has both at once (a late end is tested on the loopback server).
        self._chunk(b"data: [DONE]\n\n", end=b"0\r\n\r\n")

    def _chunk(self, data: bytes, end: bytes = b"") -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n" + end)
        self.wfile.flush()


class FakeOpenAI(ThreadingHTTPServer):
    """The fake API server; ``url`` is its base URL (pass ``url + "/v1"`` as the SDK's base_url)."""

    daemon_threads = True
    request_queue_size = 128  # 20 concurrent clients connect at once; the default backlog of 5 resets them

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits = 0
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, name="fake-openai", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
