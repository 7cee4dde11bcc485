"""httpx requests and responses to and from the recording model; plain functions, no I/O."""

from __future__ import annotations

import httpx

from .._errors import ReplayedException
from .._models import Interaction, Request, Response

# A recorded exception is raised again only as an httpx transport error, looked up by name in httpx's
# own namespace: never an import of a name found in a file (DESIGN 4.7).
_REPLAYABLE_EXCEPTIONS: dict[str, type[httpx.TransportError]] = {
    name: value
    for name in httpx.__all__
    if isinstance(value := getattr(httpx, name), type) and issubclass(value, httpx.TransportError)
}


def request_from_httpx(request: httpx.Request, body: bytes) -> Request:
    """The model of an httpx request whose body has been read (*body*)."""
    return Request(
        method=request.method,
        url=str(request.url),
        # A list comprehension, not a generator: this runs for every request (and is ~2x faster).
        headers=tuple(
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw]
        ),
        body=body,
    )


def response_head(response: httpx.Response) -> tuple[int, tuple[tuple[str, str], ...], str, str]:
    """Status, header pairs (original case, repeats kept), http_version and reason phrase of a response."""
    extensions = response.extensions
    http_version = extensions.get("http_version", b"HTTP/1.1")
    reason = extensions.get("reason_phrase", b"")
    return (
        response.status_code,
        tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw),
        http_version.decode("ascii", "replace") if isinstance(http_version, bytes) else str(http_version),
        reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
    )


def httpx_response(recorded: Response, request: httpx.Request) -> httpx.Response:
    """An httpx response that replays *recorded*: raw body bytes, so httpx decodes gzip/br as it did live."""
    return httpx.Response(
        recorded.status_code,
        headers=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in recorded.headers],
        stream=httpx.ByteStream(recorded.body),
        extensions={
            "http_version": recorded.http_version.encode("ascii"),
            "reason_phrase": recorded.reason_phrase.encode("latin-1"),
        },
        request=request,
    )


def replay_interaction(interaction: Interaction, request: httpx.Request) -> httpx.Response:
    """Answer *request* with a recorded interaction: its response, or its exception raised again."""
    if interaction.response is not None:
        return httpx_response(interaction.response, request)
    info = interaction.exception
    if info is None:
        raise ReplayedException(
            "MissingResponse", "the recorded interaction has neither a response nor an exception"
        )
    exception_class = _REPLAYABLE_EXCEPTIONS.get(info.type_name)
    if exception_class is None:
        raise ReplayedException(info.type_name, info.message)
    raise exception_class(info.message, request=request)
