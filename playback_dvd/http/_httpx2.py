"""The adapter of httpx2 (imported only when it is installed): its transports and tee streams."""

from __future__ import annotations

import httpx2

from ._libraries import HttpLibrary
from ._streams import AsyncTeeStream, TeeStream
from ._transports import AsyncHandlerDispatch, HandlerDispatch


class Httpx2HandlerTransport(HandlerDispatch, httpx2.BaseTransport):
    """Wraps an httpx2 client's transport: the handler in charge decides; with none, it passes through.

    Installed for you in every client while a handler is in charge; pass it explicitly
    (``httpx2.Client(transport=Httpx2HandlerTransport(httpx2.HTTPTransport()))``) to wire a client by hand.
    """


class AsyncHttpx2HandlerTransport(AsyncHandlerDispatch, httpx2.AsyncBaseTransport):
    """The async twin of `Httpx2HandlerTransport`."""


class _TeeStream(TeeStream, httpx2.SyncByteStream):
    pass


class _AsyncTeeStream(AsyncTeeStream, httpx2.AsyncByteStream):
    pass


LIBRARY = HttpLibrary(
    name="httpx2",
    module=httpx2,
    handler_transport=Httpx2HandlerTransport,
    async_handler_transport=AsyncHttpx2HandlerTransport,
    tee_stream=_TeeStream,
    async_tee_stream=_AsyncTeeStream,
)
