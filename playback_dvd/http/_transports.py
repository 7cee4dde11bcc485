"""Transports that hand each request to the HTTP handler in charge, or to the wrapped transport.

The dispatch is written once here; each client library's adapter (`_httpx`, `_httpx2`) mixes it into
that library's ``BaseTransport`` so the client sees a transport of its own kind.
"""

from __future__ import annotations

from typing import Any

from . import _guard
from ._active import current_http_handler


class HandlerDispatch:
    """Wraps a client's real transport: the handler in charge decides; with none, it passes through."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def handle_request(self, request: Any) -> Any:
        handler = current_http_handler.get()
        if handler is None:
            return self.transport.handle_request(request)
        return handler.handle(request, self._send)

    def _send(self, request: Any) -> Any:
        # The handler chose to send it: the connection it opens is an intercepted one, which the guard
        # of a hermetic replay lets through.
        token = _guard.intercepted.set(True)
        try:
            return self.transport.handle_request(request)
        finally:
            _guard.intercepted.reset(token)

    def close(self) -> None:
        self.transport.close()


class AsyncHandlerDispatch:
    """The async twin of `HandlerDispatch`."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    async def handle_async_request(self, request: Any) -> Any:
        handler = current_http_handler.get()
        if handler is None:
            return await self.transport.handle_async_request(request)
        return await handler.ahandle(request, self._send)

    async def _send(self, request: Any) -> Any:
        token = _guard.intercepted.set(True)
        try:
            return await self.transport.handle_async_request(request)
        finally:
            _guard.intercepted.reset(token)

    async def aclose(self) -> None:
        await self.transport.aclose()
