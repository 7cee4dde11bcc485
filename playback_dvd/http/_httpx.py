"""The adapter of httpx: its transports and tee streams, built from the library-neutral parts."""

from __future__ import annotations

import httpx

from ._libraries import HttpLibrary
from ._streams import AsyncTeeStream, TeeStream
from ._transports import AsyncHandlerDispatch, HandlerDispatch


class HandlerTransport(HandlerDispatch, httpx.BaseTransport):
    """Wraps an httpx client's transport: the handler in charge decides; with none, it passes through.

    Installed for you in every client while a handler is in charge; pass it explicitly
    (``httpx.Client(transport=HandlerTransport(httpx.HTTPTransport()))``) to wire a client by hand.
    """


class AsyncHandlerTransport(AsyncHandlerDispatch, httpx.AsyncBaseTransport):
    """The async twin of `HandlerTransport`."""


class _TeeStream(TeeStream, httpx.SyncByteStream):
    pass


class _AsyncTeeStream(AsyncTeeStream, httpx.AsyncByteStream):
    pass


LIBRARY = HttpLibrary(
    name="httpx",
    module=httpx,
    handler_transport=HandlerTransport,
    async_handler_transport=AsyncHandlerTransport,
    tee_stream=_TeeStream,
    async_tee_stream=_AsyncTeeStream,
)
