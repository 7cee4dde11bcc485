"""httpx/httpx2 requests and responses to and from the recording model; plain functions, no I/O.

The two libraries share this API; a replayed response is built with the calling library's own classes.
"""

from __future__ import annotations

from typing import Any

from .._bodies import decoded_headers
from .._errors import ReplayedException
from .._models import Interaction, Request, Response, WireResponse, wire_response
from ..dvd._matching import DEFAULT_PORTS
from ._libraries import HttpLibrary


def url_parts(url: Any) -> tuple[str, str, int | None, str, str] | None:
    """``split_url(str(url))`` read from httpx's (or httpx2's) own parse of *url* (~20x faster), or None.

    Only plain URLs (a registered name or IPv4 host, no userinfo, no fragment) are read this way: str(url)
    is built from exactly these parts, so splitting it gives them back (tests/http/test_url_parts.py).
    """
    parsed = getattr(url, "_uri_reference", None)  # the library's parse result; absent: split instead
    if parsed is None or parsed.userinfo or parsed.fragment:  # a fragment: the secret rules read it
        return None
    host, scheme, port = parsed.host, parsed.scheme, parsed.port
    if not (isinstance(host, str) and isinstance(scheme, str)) or not host.isascii() or ":" in host:
        return None
    if "%" in host or "@" in host or not scheme.isascii():
        return None
    return (
        scheme.lower(),
        host.lower(),
        port if port is not None else DEFAULT_PORTS.get(scheme.lower()),
        parsed.path or "/",
        parsed.query or "",
    )


def request_from_httpx(request: Any, body: bytes) -> Request:
    """The model of an httpx or httpx2 request whose body has been read (*body*)."""
    return Request(
        method=request.method,
        url=str(request.url),
        headers=decoded_headers(request.headers.raw),
        body=body,
    )


def response_head(response: Any) -> tuple[int, tuple[tuple[str, str], ...], str, str]:
    """Status, header pairs (original case, repeats kept), http_version and reason phrase of a response."""
    extensions = response.extensions
    http_version = extensions.get("http_version", b"HTTP/1.1")
    reason = extensions.get("reason_phrase", b"")
    return (
        response.status_code,
        decoded_headers(response.headers.raw),
        http_version.decode("ascii", "replace") if isinstance(http_version, bytes) else str(http_version),
        reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
    )


def library_response(library: HttpLibrary, recorded: Response, request: Any) -> Any:
    """A response of *library* that replays *recorded*: raw body bytes, decoded (gzip/br) as it was live."""
    return wire_library_response(library, wire_response(recorded), request)


def wire_library_response(library: HttpLibrary, wire: WireResponse, request: Any) -> Any:
    """A response of *library* built from a recorded response's wire form (see `library_response`).

    An empty recorded reason phrase (HTTP/2, old vcrpy cassettes) is left out, so the library derives it
    from the status (``"OK"``, ``"Not Found"``), as it does for live HTTP/2 responses and as vcrpy replays.
    """
    status, headers, body, http_version, reason = wire
    module = library.module
    extensions = (
        {"http_version": http_version, "reason_phrase": reason} if reason else {"http_version": http_version}
    )
    return module.Response(
        status, headers=headers, stream=module.ByteStream(body), extensions=extensions, request=request
    )


def replay_interaction(library: HttpLibrary, interaction: Interaction, request: Any) -> Any:
    """Answer *request* with a recorded interaction: its response, or its exception raised again."""
    if interaction.response is not None:
        return library_response(library, interaction.response, request)
    info = interaction.exception
    if info is None:
        raise ReplayedException(
            "MissingResponse", "the recorded interaction has neither a response nor an exception"
        )
    exception_class = library.replayable_exceptions.get(info.type_name)
    if exception_class is None:
        raise ReplayedException(info.type_name, info.message)
    raise exception_class(info.message, request=request)  # type: ignore[call-arg]  # httpx's signature
