"""The client libraries the seam covers: httpx always, httpx2 when it is installed (Python >= 3.11).

Both have the same API but separate classes (an ``httpx2.Client`` is not an ``httpx.Client``), so each has
a small adapter (`_httpx`, `_httpx2`) naming its module, its handler transports, its tee streams and the
transport errors a replay may raise again. Everything else in `http/` is written once, against the shared
API, and picks the adapter of the request in hand: a replayed response or exception is always the calling
library's own type, and a DVD does not depend on which library recorded it.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import attrs

from ._streams import AsyncTeeStream, TeeStream


@attrs.frozen
class HttpLibrary:
    """One client library's classes, as the seam uses them.

    Args:
        name: The distribution's import name (``"httpx"``, ``"httpx2"``).
        module: The imported module (``Client``, ``AsyncClient``, ``Response``, ``ByteStream``...).
        handler_transport: `HandlerDispatch` mixed into the library's ``BaseTransport``.
        async_handler_transport: `AsyncHandlerDispatch` mixed into its ``AsyncBaseTransport``.
        tee_stream: `TeeStream` mixed into its ``SyncByteStream`` (the client checks the type).
        async_tee_stream: `AsyncTeeStream` mixed into its ``AsyncByteStream``.
    """

    name: str
    module: ModuleType
    handler_transport: type[Any]
    async_handler_transport: type[Any]
    tee_stream: type[TeeStream]
    async_tee_stream: type[AsyncTeeStream]
    #: A recorded exception is raised again only as one of the library's own transport errors, looked up
    #: by name in its namespace: never an import of a name found in a file (DESIGN 4.7).
    replayable_exceptions: Mapping[str, type[Exception]] = attrs.field(init=False)

    @replayable_exceptions.default
    def _transport_errors(self) -> Mapping[str, type[Exception]]:
        base = self.module.TransportError
        return {
            name: value
            for name in self.module.__all__
            if isinstance(value := getattr(self.module, name), type) and issubclass(value, base)
        }

    @property
    def transport_error(self) -> type[Exception]:
        """The base class of the errors a transport raises (``TransportError``)."""
        return self.module.TransportError  # type: ignore[no-any-return]


_lock = threading.Lock()
_installed: tuple[HttpLibrary, ...] | None = None
_by_request_type: dict[type[Any], HttpLibrary] = {}


def installed_libraries() -> tuple[HttpLibrary, ...]:
    """httpx, then httpx2 if it can be imported; httpx2 is imported here, at the first session, so that a
    client module imported later inside the session (an SDK imported lazily) is already covered."""
    global _installed
    with _lock:
        if _installed is None:
            from . import _httpx

            found = [_httpx.LIBRARY]
            if importlib.util.find_spec("httpx2") is not None:
                from . import _httpx2

                # httpx2.alias_httpx() makes "httpx" the same module: one patch, not two.
                if _httpx2.LIBRARY.module is not _httpx.LIBRARY.module:
                    found.append(_httpx2.LIBRARY)
            for library in found:
                _by_request_type[library.module.Request] = library
            _installed = tuple(found)
        return _installed


def library_of(request: Any) -> HttpLibrary:
    """The library whose ``Request`` *request* is (a subclass counts)."""
    library = _by_request_type.get(type(request))
    if library is not None:
        return library
    for candidate in installed_libraries():
        if isinstance(request, candidate.module.Request):
            _by_request_type[type(request)] = candidate
            return candidate
    raise TypeError(f"{type(request).__qualname__} is not a request of httpx or httpx2")
