"""HTTP capture for httpx: transports that record and replay, and the one hook that activates them."""

from ._handler import DVDHttpHandler
from ._transports import AsyncHandlerTransport, HandlerTransport

__all__ = ["AsyncHandlerTransport", "DVDHttpHandler", "HandlerTransport"]
