"""The recording model: frozen attrs classes that hold data and do no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .dvd._dvd import DVD

#: Header pairs in the order they were sent or received; repeated names (``set-cookie``) stay repeated.
Headers = tuple[tuple[str, str], ...]


@attrs.frozen(slots=True)
class Request:
    """An HTTP request as it was sent.

    Args:
        method: Upper-case HTTP method.
        url: The absolute URL, query string included.
        headers: Header pairs as sent, in order, names with their original case.
        body: The request body bytes (empty when there was none).
    """

    method: str
    url: str
    headers: Headers = ()
    body: bytes = b""


@attrs.frozen(slots=True)
class Response:
    """An HTTP response as it came off the wire.

    The body is kept exactly as received: still gzip/br encoded when the server compressed it, so a
    replay goes through the same decoding as the live call did.

    Args:
        status_code: The HTTP status code.
        headers: Header pairs as received, in order; repeated names stay repeated.
        body: The raw (undecoded) body bytes.
        http_version: The protocol version, e.g. ``"HTTP/1.1"``.
        reason_phrase: The status line's reason, e.g. ``"OK"`` (empty for HTTP/2).
        body_complete: False when the caller closed a streamed response before reading it all, or the
            body was cut at the recording size limit: the body then holds only what was read.
    """

    status_code: int
    headers: Headers = ()
    body: bytes = b""
    http_version: str = "HTTP/1.1"
    reason_phrase: str = ""
    body_complete: bool = True


#: A recorded response as a client library is handed it: status, header pairs as bytes, the raw body, and
#: the HTTP version and reason phrase as bytes (the ``extensions`` httpx keeps them in; b"" for none).
WireResponse = tuple[int, list[tuple[bytes, bytes]], bytes, bytes, bytes]


def wire_response(response: Response) -> WireResponse:
    """*response* in the form a client library is handed (see `WireResponse`)."""
    return (
        response.status_code,
        [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers],
        response.body,
        response.http_version.encode("ascii"),
        response.reason_phrase.encode("latin-1"),
    )


@attrs.frozen(slots=True)
class ExceptionInfo:
    """An exception raised instead of a response (e.g. ``httpx.ConnectError``), kept as data.

    Only the type's name and message are kept: a replay re-raises the same httpx exception class when the
    name is on an allow-list, and never imports anything named in a file.
    """

    type_name: str
    message: str


def exception_info(error: BaseException) -> ExceptionInfo:
    """What is kept of an exception: its type's name and its message.

    A `ReplayedException` is kept as the exception it stands for, so a replay that raises a recorded
    exception again compares equal to the recording.
    """
    type_name = getattr(error, "replayed_type_name", None)
    if not isinstance(type_name, str):
        type_name = type(error).__name__
    return ExceptionInfo(type_name=type_name, message=str(error))


@attrs.frozen(slots=True)
class Interaction:
    """One request and what answered it: a response, or an exception."""

    request: Request
    response: Response | None = None
    exception: ExceptionInfo | None = None


@attrs.frozen(slots=True)
class Output:
    """A value produced by an operation: its result, or the arguments of an intercepted output call."""

    key: str
    value: Any


@attrs.frozen(slots=True)
class InputRecord:
    """The recorded result of an intercepted input call: a value, or the exception it raised."""

    value: Any = None
    exception: ExceptionInfo | None = None


@attrs.frozen(slots=True)
class OutputRecord:
    """An intercepted output call: the arguments it was given and the result it returned."""

    key: str
    arguments: Any = None
    result: Any = None
    exception: ExceptionInfo | None = None


@attrs.frozen
class DVDDocument:
    """Everything a stored DVD holds, independent of the format it is stored in."""

    interactions: tuple[Interaction, ...] = ()
    id: str | None = None
    category: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    inputs: Mapping[str, InputRecord] = attrs.field(factory=dict)
    outputs: tuple[OutputRecord, ...] = ()


@attrs.frozen
class Playback:
    """The result of `Recorder.play`: recorded and replayed outputs side by side.

    Attributes:
        recording_id: The recording that was replayed.
        recorded_outputs: The outputs of the recorded run, in order: intercepted outputs (key
            ``"{alias} #{n}"``, value = the call's arguments) then the operation's result (key
            ``"operation"``).
        playback_outputs: The same, produced by the replay.
        recorded_duration: Seconds the recorded operation took.
        playback_duration: Seconds the replay took.
        original_recording: The replayed DVD (``.id``, ``.category``, ``.metadata``...).
        recorded_error: The exception the recorded operation raised, if any.
        playback_error: The exception the replayed operation raised, if any.
        unplayed_requests: Recorded HTTP requests the replay never made.
        unmatched_requests: HTTP requests the replay made that the recording lacks.
        blocked_connections: Connections the hermetic replay refused, as ``"tcp host:port (library)"``
            (e.g. ``"tcp api.example.com:443 (urllib3)"``): calls that bypass httpx/httpx2, never recorded.
        playback_traceback: Where the replay raised *playback_error*, trimmed to the user's frames.
        playback_code_version: The ``code_version`` of the recorder whose operation replayed (None when
            it has none).
    """

    recording_id: str
    recorded_outputs: list[Output]
    playback_outputs: list[Output]
    recorded_duration: float
    playback_duration: float
    original_recording: DVD
    recorded_error: ExceptionInfo | None = None
    playback_error: ExceptionInfo | None = None
    unplayed_requests: tuple[Request, ...] = ()
    unmatched_requests: tuple[Request, ...] = ()
    blocked_connections: tuple[str, ...] = ()
    playback_traceback: str | None = None
    playback_code_version: str | None = None
