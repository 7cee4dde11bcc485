"""The one monkeypatch: ``Client._transport_for_url`` and its async twin, in httpx and httpx2, refcounted.

Patching this seam (as respx does) rather than ``Client.send`` keeps everything the client does above the
transport intact: cookies, redirects (each hop is its own request), auth, event hooks, streaming, mounts
and custom transports. vcrpy moved its patch point four times, each move after bugs in streaming, custom
transports or leaked connections; if a library renames this hook, only this file changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ._active import current_http_handler
from ._libraries import HttpLibrary, installed_libraries

_lock = threading.Lock()
_users = 0
# (client class, its original _transport_for_url) for every class patched, to put back exactly.
_originals: list[tuple[type[Any], Callable[..., Any]]] = []


def _handler_transport_for(client: Any, transport: Any, kind: type[Any]) -> Any:
    """The handler transport wrapping *transport*, made once per client and transport (not per request).

    Kept on the client, keyed by the transport's id and checked by identity (a replaced transport's id
    may be reused): client -> wrapper -> transport, which the client holds anyway, so no cycle.
    """
    wrappers: dict[int, Any] = client.__dict__.setdefault("_playback_dvd_handler_transports", {})
    wrapper = wrappers.get(id(transport))
    if wrapper is None or wrapper.transport is not transport:
        wrapper = wrappers[id(transport)] = kind(transport)
    return wrapper


def _wrap(original: Callable[[Any, Any], Any], handler_transport: type[Any]) -> Callable[..., Any]:
    def _transport_for_url(self: Any, url: Any) -> Any:
        transport = original(self, url)
        # With no handler in charge (another thread, or after the block) the client is left as it was.
        if current_http_handler.get() is None or isinstance(transport, handler_transport):
            return transport
        return _handler_transport_for(self, transport, handler_transport)

    return _transport_for_url


def _patch(library: HttpLibrary) -> None:
    module = library.module
    for client, transport in (
        (module.Client, library.handler_transport),
        (module.AsyncClient, library.async_handler_transport),
    ):
        original = client._transport_for_url
        _originals.append((client, original))
        client._transport_for_url = _wrap(original, transport)


def install() -> None:
    """Route httpx and httpx2 traffic through the handler transports; the first call patches, later count."""
    global _users
    libraries = installed_libraries()  # outside the lock: the first call may import httpx2
    with _lock:
        _users += 1
        if _users == 1:
            for library in libraries:
                _patch(library)


def uninstall() -> None:
    """Undo one `install`; the last one restores every client class exactly as it was."""
    global _users
    with _lock:
        if _users == 0:
            return
        _users -= 1
        if _users == 0:
            while _originals:
                client, original = _originals.pop()
                client._transport_for_url = original


def installed() -> bool:
    """Whether the patch is in place now (for tests and diagnostics)."""
    return _users > 0
