"""The one monkeypatch: ``Client._transport_for_url`` and its async twin, installed with a reference count.

Patching this seam (as respx does) rather than ``Client.send`` keeps everything httpx does above the
transport intact: cookies, redirects (each hop is its own request), auth, event hooks, streaming, mounts
and custom transports. vcrpy moved its patch point four times, each move after bugs in streaming, custom
transports or leaked connections; if httpx renames this hook, only this file changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx

from ._active import current_http_handler
from ._transports import AsyncHandlerTransport, HandlerTransport

_lock = threading.Lock()
_users = 0
_originals: tuple[Callable[..., Any], Callable[..., Any]] | None = None


def _wrap_sync(original: Callable[[httpx.Client, httpx.URL], httpx.BaseTransport]) -> Callable[..., Any]:
    def _transport_for_url(self: httpx.Client, url: httpx.URL) -> httpx.BaseTransport:
        transport = original(self, url)
        # With no handler in charge (another thread, or after the block) the client is left exactly as it was.
        if current_http_handler.get() is None or isinstance(transport, HandlerTransport):
            return transport
        return HandlerTransport(transport)

    return _transport_for_url


def _wrap_async(
    original: Callable[[httpx.AsyncClient, httpx.URL], httpx.AsyncBaseTransport],
) -> Callable[..., Any]:
    def _transport_for_url(self: httpx.AsyncClient, url: httpx.URL) -> httpx.AsyncBaseTransport:
        transport = original(self, url)
        if current_http_handler.get() is None or isinstance(transport, AsyncHandlerTransport):
            return transport
        return AsyncHandlerTransport(transport)

    return _transport_for_url


def install() -> None:
    """Route httpx traffic through the handler transports; the first call patches, later ones count."""
    global _users, _originals
    with _lock:
        _users += 1
        if _users == 1:
            _originals = (httpx.Client._transport_for_url, httpx.AsyncClient._transport_for_url)
            httpx.Client._transport_for_url = _wrap_sync(_originals[0])  # type: ignore[method-assign]
            httpx.AsyncClient._transport_for_url = _wrap_async(_originals[1])  # type: ignore[method-assign]


def uninstall() -> None:
    """Undo one `install`; the last one restores httpx exactly as it was."""
    global _users, _originals
    with _lock:
        if _users == 0:
            return
        _users -= 1
        if _users == 0 and _originals is not None:
            httpx.Client._transport_for_url, httpx.AsyncClient._transport_for_url = _originals  # type: ignore[method-assign]
            _originals = None


def installed() -> bool:
    """Whether the patch is in place now (for tests and diagnostics)."""
    return _users > 0
