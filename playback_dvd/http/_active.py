"""The ContextVar of the HTTP handler that answers httpx requests right now, in this thread or task.

State lives here and never on a recorder or DVD instance, so 20 threads and 200 asyncio tasks can each
record their own operation at once. asyncio tasks inherit the handler of the code that created them;
plain threads start with none unless started through ``contextvars.copy_context().run``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx


class HttpHandler(Protocol):
    """Decides what happens to an httpx request made while it is in charge: replay, record, or refuse it."""

    def handle(
        self, request: httpx.Request, send: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response: ...

    async def ahandle(
        self, request: httpx.Request, send: Callable[[httpx.Request], Awaitable[httpx.Response]]
    ) -> httpx.Response: ...


current_http_handler: ContextVar[HttpHandler | None] = ContextVar("playback_dvd_http_handler", default=None)
