"""Transports that hand each request to the HTTP handler in charge, or to the wrapped transport."""

from __future__ import annotations

import httpx

from ._active import current_http_handler


class HandlerTransport(httpx.BaseTransport):
    """Wraps a client's real transport: the handler in charge decides; with none, it passes through."""

    __slots__ = ("transport",)

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        handler = current_http_handler.get()
        if handler is None:
            return self.transport.handle_request(request)
        return handler.handle(request, self.transport.handle_request)

    def close(self) -> None:
        self.transport.close()


class AsyncHandlerTransport(httpx.AsyncBaseTransport):
    """The async twin of `HandlerTransport`."""

    __slots__ = ("transport",)

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        handler = current_http_handler.get()
        if handler is None:
            return await self.transport.handle_async_request(request)
        return await handler.ahandle(request, self.transport.handle_async_request)

    async def aclose(self) -> None:
        await self.transport.aclose()
