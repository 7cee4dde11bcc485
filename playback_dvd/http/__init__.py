"""HTTP capture for httpx and httpx2: transports that record and replay, and the one hook that activates them.

``Httpx2HandlerTransport`` and ``AsyncHttpx2HandlerTransport`` are imported on first use, so that
``import playback_dvd.http`` never imports httpx2.
"""

from typing import Any

from ._handler import DVDHttpHandler
from ._httpx import AsyncHandlerTransport, HandlerTransport

__all__ = [
    "AsyncHttpx2HandlerTransport",
    "AsyncHandlerTransport",
    "DVDHttpHandler",
    "Httpx2HandlerTransport",
    "HandlerTransport",
]


def __getattr__(name: str) -> Any:
    if name in ("Httpx2HandlerTransport", "AsyncHttpx2HandlerTransport"):
        from . import _httpx2

        return getattr(_httpx2, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
