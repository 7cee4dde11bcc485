"""The ContextVar of the HTTP handler that answers httpx/httpx2 requests right now, in this thread or task.

State lives here and never on a recorder or DVD instance, so 20 threads and 200 asyncio tasks can each
record their own operation at once. asyncio tasks inherit the handler of the code that created them;
plain threads start with none unless started through ``contextvars.copy_context().run``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Protocol

#: An ``httpx.Request`` or an ``httpx2.Request``: the two libraries share the API the handlers use, but
#: not their classes, and httpx2 may not be installed; the handler builds answers with `library_of`.
ClientRequest = Any
#: An ``httpx.Response`` or an ``httpx2.Response`` (of the same library as the request).
ClientResponse = Any


class HttpHandler(Protocol):
    """Decides what happens to a request made while it is in charge: replay, record, or refuse it."""

    def handle(
        self, request: ClientRequest, send: Callable[[ClientRequest], ClientResponse]
    ) -> ClientResponse: ...

    async def ahandle(
        self, request: ClientRequest, send: Callable[[ClientRequest], Awaitable[ClientResponse]]
    ) -> ClientResponse: ...


current_http_handler: ContextVar[HttpHandler | None] = ContextVar("playback_dvd_http_handler", default=None)
