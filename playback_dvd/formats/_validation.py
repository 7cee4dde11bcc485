"""Checking what a file holds, one record at a time, before anything is built from it.

Each function takes the plain data of one record (a request row of a ``.dvd``, a response of a
``.dvd.json``, an intercepted input...) and the record's *path* in the document (``interactions[12]``), and
returns the model, or raises `InvalidField` naming the field (``interactions[12].request.method: expected
a string, got 3.0``). The loaders turn that into `DVDFormatError` with the file's name
(`field_errors_name`). A lazy layout that decodes rows on demand calls the same functions per row.

The rules are those of what we write, and of what a replay hands to httpx:

- methods are HTTP tokens; URLs are absolute and split without error; header names and values, and the
  reason phrase, are latin-1 text (httpx gets them as latin-1 bytes); the HTTP version is ASCII;
- status codes are integers from 100 to 999; bodies are bytes; ``body_complete`` is a bool;
- recorded values and metadata are plain data (None, bools, numbers, text, lists, maps with text keys),
  with integers that fit 64 bits (both formats can store them), nested at most `LoadLimits.max_depth` deep;
- the metadata the library itself reads (``duration``, ``recorded_at``) has the type it needs.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import math
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, NoReturn
from urllib.parse import urlsplit

from .._errors import DVDFormatError
from .._models import ExceptionInfo, Headers, InputRecord, Interaction, OutputRecord, Request, Response
from ._limits import LoadLimits

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_SMALLEST_INT = -(1 << 63)
_LARGEST_INT = (1 << 64) - 1


class InvalidField(ValueError):
    """A field of a record has the wrong type or value.

    Args:
        path: Where the field is in the document, e.g. ``interactions[12].request.method``.
        problem: What is wrong, e.g. ``expected a string, got 3.0``.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


@contextlib.contextmanager
def field_errors_name(source: str) -> Iterator[None]:
    """Turn an `InvalidField` raised inside into `DVDFormatError` naming *source* (the file) and the field."""
    try:
        yield
    except InvalidField as error:
        raise DVDFormatError(source, str(error), field=error.path) from None


def describe(value: Any) -> str:
    """A short description of *value* for an error message: never the whole of a big value."""
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)} bytes"
    if isinstance(value, Mapping):
        return f"a map of {len(value)} keys"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def fail(path: str, expected: str, value: Any) -> NoReturn:
    """Raise `InvalidField` for *value* at *path*, which should have been *expected*."""
    raise InvalidField(path, f"expected {expected}, got {describe(value)}")


def join(path: str, key: str | int) -> str:
    """The path of a member: ``a.b`` for a key, ``a[3]`` for an index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if not key.isidentifier():
        return f"{path}[{key!r}]"
    return f"{path}.{key}" if path else key


# -- scalars ---------------------------------------------------------------------------------------------


def text(value: Any, path: str) -> str:
    """*value*, which must be a string that UTF-8 can encode (JSON may hold lone surrogates; msgpack not)."""
    if not isinstance(value, str):
        fail(path, "a string", value)
    if not value.isascii() and not _encodes(value, "utf-8"):
        fail(path, "text that UTF-8 can encode (no lone surrogates)", value)
    return value


def optional_text(value: Any, path: str) -> str | None:
    """*value*, which must be a string or None."""
    return None if value is None else text(value, path)


def latin1_text(value: Any, path: str) -> str:
    """*value*, a string that latin-1 can encode (what httpx gets for headers and reason phrases)."""
    result = text(value, path)
    if not _encodes(result, "latin-1"):
        fail(path, "latin-1 text", value)
    return result


def boolean(value: Any, path: str) -> bool:
    """*value*, which must be a bool."""
    if not isinstance(value, bool):
        fail(path, "true or false", value)
    return value


def body_bytes(value: Any, path: str) -> bytes:
    """*value*, which must be bytes (a body)."""
    if not isinstance(value, bytes):
        fail(path, "bytes", value)
    return value


def sequence(value: Any, path: str, length: int | None = None) -> list[Any] | tuple[Any, ...]:
    """*value*, which must be a list (of *length* items when given)."""
    if not isinstance(value, (list, tuple)):
        fail(path, "a list", value)
    if length is not None and len(value) != length:
        fail(path, f"a list of {length} items", value)
    return value


def mapping(value: Any, path: str, allowed: frozenset[str] | None = None) -> Mapping[str, Any]:
    """*value*, which must be a map with string keys (only *allowed* ones, when given)."""
    if not isinstance(value, Mapping):
        fail(path, "a map", value)
    for key in value:
        if not isinstance(key, str):
            fail(path, "a map with string keys", key)
        text(key, path)
        if allowed is not None and key not in allowed:
            raise InvalidField(
                join(path, key), f"unknown field (expected one of {', '.join(sorted(allowed))})"
            )
    return value


def required(data: Mapping[str, Any], key: str, path: str) -> Any:
    """The member *key* of *data*, which must be there."""
    if key not in data:
        raise InvalidField(join(path, key), "missing")
    return data[key]


# -- HTTP fields -----------------------------------------------------------------------------------------


def method(value: Any, path: str) -> str:
    """An HTTP method: a token (``GET``, ``PATCH``...)."""
    result = text(value, path)
    if not _TOKEN.fullmatch(result):
        fail(path, "an HTTP method such as 'GET'", value)
    return result


# A plain absolute URL, as httpx writes every URL it sends: scheme://host[:port]/path?query#fragment, ASCII
# without spaces or controls, no userinfo, IPv6 brackets or zone ids. Such a URL is checked (and split, by
# the matchers) with this one regex; anything else goes through urllib.
PLAIN_URL = re.compile(
    r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#@\[\]%:\x00-\x20\x7f]*)(?::([0-9]{0,5}))?"
    r"(/[^?#\x00-\x20\x7f]*)?(?:\?([^#\x00-\x20\x7f]*))?(?:#[^\x00-\x20\x7f]*)?"
)


def _plain_url(value: str) -> bool:
    plain = PLAIN_URL.fullmatch(value) if value.isascii() else None
    return plain is not None and bool(plain[2]) and (not plain[3] or int(plain[3]) <= 65535)


def url(value: Any, path: str) -> str:
    """An absolute URL that splits without error (scheme, host, a port that is a number)."""
    result = text(value, path)
    if _plain_url(result):
        return result
    try:
        parts = urlsplit(result)
        parts.port  # noqa: B018  # raises ValueError on a port out of range or not a number
    except ValueError as error:
        raise InvalidField(path, f"not a valid URL ({error}): {describe(value)}") from None
    if not _SCHEME.fullmatch(parts.scheme) or not parts.netloc:
        fail(path, "an absolute URL (scheme://host/...)", value)
    return result


def status_code(value: Any, path: str) -> int:
    """An HTTP status code: an integer from 100 to 999."""
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 999:
        fail(path, "a status code (an integer from 100 to 999)", value)
    return value


def http_version(value: Any, path: str) -> str:
    """The protocol version, ASCII text (``HTTP/1.1``)."""
    result = text(value, path)
    if not result.isascii():
        fail(path, "an ASCII protocol version such as 'HTTP/1.1'", value)
    return result


def header_pairs(value: Any, path: str) -> Headers:
    """Header pairs as the JSON format stores them: ``[[name, value], ...]``."""
    pairs = []
    for index, pair in enumerate(sequence(value, path)):
        where = join(path, index)
        name, content = sequence(pair, where, 2)
        pairs.append((latin1_text(name, join(where, 0)), latin1_text(content, join(where, 1))))
    return tuple(pairs)


def flat_headers(value: Any, path: str) -> Headers:
    """Header pairs as the binary format stores them: ``[name, value, name, value...]``."""
    flat = sequence(value, path)
    if len(flat) % 2:
        fail(path, "a list of names and values (an even number of strings)", value)
    for index, item in enumerate(flat):
        latin1_text(item, join(path, index))
    iterator = iter(flat)
    return tuple(zip(iterator, iterator, strict=True))


def exception_info(value: Any, path: str) -> ExceptionInfo:
    """A recorded exception as the JSON format stores it: ``{"type": ..., "message": ...}``."""
    data = mapping(value, path, frozenset({"type", "message"}))
    return ExceptionInfo(
        type_name=text(required(data, "type", path), join(path, "type")),
        message=text(required(data, "message", path), join(path, "message")),
    )


def optional_exception_info(value: Any, path: str) -> ExceptionInfo | None:
    """A recorded exception, or None."""
    return None if value is None else exception_info(value, path)


# -- binary rows -----------------------------------------------------------------------------------------

REQUEST_ROW_FIELDS = ("method", "url", "headers", "body", "response", "exception")
RESPONSE_ROW_FIELDS = ("status_code", "headers", "body", "http_version", "reason_phrase", "body_complete")


# The rows of a .dvd are checked twice over only when something is wrong: a fast pass that builds the model
# from rows of the expected shape (a few type tests per field, no paths), and, when it refuses a row, the
# field-by-field pass below that says which field is wrong. 100,000 interactions cost ~0.1 s either way.


def _good_headers(flat: Any) -> bool:
    if type(flat) is not list or len(flat) % 2:
        return False
    for item in flat:
        if type(item) is not str:
            return False
    joined = "".join(flat)
    return joined.isascii() or _encodes(joined, "latin-1")


def _good_response(row: Any) -> Response | None:
    if type(row) is not list or len(row) != 6:
        return None
    status, headers, body, version, reason, complete = row
    if type(body) is not bytes or not good_response_fields(status, headers, version, reason, complete):
        return None
    iterator = iter(headers)
    return Response(status, tuple(zip(iterator, iterator, strict=True)), body, version, reason, complete)


def _encodes(value: str, encoding: str) -> bool:
    """Whether *encoding* can encode *value* (UTF-8 refuses lone surrogates; latin-1 anything past 255)."""
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def good_request_fields(verb: Any, address: Any, headers: Any, body: Any) -> bool:
    """The fast pass over a row's request fields: True when they build a valid `Request` as they are."""
    return (
        type(verb) is str
        and _TOKEN.fullmatch(verb) is not None
        and type(address) is str
        and _plain_url(address)
        and type(body) is bytes
        and _good_headers(headers)
    )


def good_response_fields(status: Any, headers: Any, version: Any, reason: Any, complete: Any) -> bool:
    """The fast pass over a response row's fields but its body: True when they are valid as they are."""
    return (
        type(status) is int
        and 100 <= status <= 999
        and type(version) is str
        and version.isascii()
        and type(reason) is str
        and (reason.isascii() or _encodes(reason, "latin-1"))
        and type(complete) is bool
        and _good_headers(headers)
    )


def _good_interaction(row: Any) -> Interaction | None:
    if type(row) is not list or len(row) != 6:
        return None
    verb, address, headers, body, response_row, exception_row = row
    if not good_request_fields(verb, address, headers, body):
        return None
    response = None
    if response_row is not None:
        response = _good_response(response_row)
        if response is None:
            return None
    exception = None
    if exception_row is not None:
        if (
            type(exception_row) is not list
            or len(exception_row) != 2
            or type(exception_row[0]) is not str
            or type(exception_row[1]) is not str
        ):
            return None
        exception = ExceptionInfo(exception_row[0], exception_row[1])
    iterator = iter(headers)
    return Interaction(
        Request(verb, address, tuple(zip(iterator, iterator, strict=True)), body), response, exception
    )


def response_from_row(row: Any, path: str) -> Response:
    """A response row of a ``.dvd``: ``[status, flat headers, body, http_version, reason, complete]``."""
    status, headers, body, version, reason, complete = sequence(row, path, len(RESPONSE_ROW_FIELDS))
    return Response(
        status_code=status_code(status, join(path, "status_code")),
        headers=flat_headers(headers, join(path, "headers")),
        body=body_bytes(body, join(path, "body")),
        http_version=http_version(version, join(path, "http_version")),
        reason_phrase=latin1_text(reason, join(path, "reason_phrase")),
        body_complete=boolean(complete, join(path, "body_complete")),
    )


def exception_from_row(row: Any, path: str) -> ExceptionInfo:
    """An exception row of a ``.dvd``: ``[type name, message]``."""
    type_name, message = sequence(row, path, 2)
    return ExceptionInfo(text(type_name, join(path, "type")), text(message, join(path, "message")))


def interaction_from_row(row: Any, path: str) -> Interaction:
    """An interaction row of a ``.dvd``: ``[method, url, flat headers, body, response, exception]``."""
    interaction = _good_interaction(row)
    return interaction if interaction is not None else _checked_interaction_from_row(row, path)


def _checked_interaction_from_row(row: Any, path: str) -> Interaction:
    verb, address, headers, body, response, exception = sequence(row, path, len(REQUEST_ROW_FIELDS))
    request_path = join(path, "request")
    return Interaction(
        Request(
            method(verb, join(request_path, "method")),
            url(address, join(request_path, "url")),
            flat_headers(headers, join(request_path, "headers")),
            body_bytes(body, join(request_path, "body")),
        ),
        None if response is None else response_from_row(response, join(path, "response")),
        None if exception is None else exception_from_row(exception, join(path, "exception")),
    )


# -- JSON records ----------------------------------------------------------------------------------------

_REQUEST_KEYS = frozenset({"method", "url", "headers", "body", "body_base64"})
_INTERACTION_KEYS = frozenset({"request", "response", "exception"})
_ANSWERED_KEYS = frozenset({"request", "response"})
_RESPONSE_KEYS = frozenset(
    {"status_code", "reason_phrase", "http_version", "headers", "body", "body_base64", "body_complete"}
)


def json_body(data: Mapping[str, Any], path: str) -> bytes:
    """The body of a ``.dvd.json`` request or response: ``"body"`` (text) or ``"body_base64"``."""
    if "body_base64" in data:
        encoded = text(data["body_base64"], join(path, "body_base64"))
        try:
            return base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            fail(join(path, "body_base64"), "base64 text", encoded)
    return text(data.get("body", ""), join(path, "body")).encode("utf-8")


def _good_pairs(value: Any) -> Headers | None:
    if type(value) is not list:
        return None
    pairs = []
    for pair in value:
        if type(pair) is not list or len(pair) != 2:
            return None
        name, content = pair
        if type(name) is not str or type(content) is not str:
            return None
        pairs.append((name, content))
    joined = "".join(part for pair in value for part in pair)
    return tuple(pairs) if joined.isascii() or _encodes(joined, "latin-1") else None


def _good_json_body(data: Mapping[str, Any]) -> bytes | None:
    if "body_base64" in data:
        encoded = data["body_base64"]
        if type(encoded) is not str or "body" in data:
            return None
        try:
            return base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            return None
    body = data.get("body", "")
    if type(body) is not str or not (body.isascii() or _encodes(body, "utf-8")):
        return None
    return body.encode("utf-8")


def _good_json_request(data: Any) -> Request | None:
    if type(data) is not dict or not _REQUEST_KEYS.issuperset(data):
        return None
    verb, address = data.get("method"), data.get("url")
    headers = _good_pairs(data.get("headers", []))
    body = _good_json_body(data)
    if (
        headers is None
        or body is None
        or type(verb) is not str
        or not _TOKEN.fullmatch(verb)
        or type(address) is not str
        or not _plain_url(address)
    ):
        return None
    return Request(verb, address, headers, body)


def _good_json_response(data: Any) -> Response | None:
    if type(data) is not dict or not _RESPONSE_KEYS.issuperset(data):
        return None
    status = data.get("status_code")
    version = data.get("http_version", "HTTP/1.1")
    reason = data.get("reason_phrase", "")
    complete = data.get("body_complete", True)
    headers = _good_pairs(data.get("headers", []))
    body = _good_json_body(data)
    if (
        headers is None
        or body is None
        or type(status) is not int
        or not 100 <= status <= 999
        or type(version) is not str
        or not version.isascii()
        or type(reason) is not str
        or not (reason.isascii() or _encodes(reason, "latin-1"))
        or type(complete) is not bool
    ):
        return None
    return Response(status, headers, body, version, reason, complete)


def _good_json_interaction(data: Any) -> Interaction | None:
    """The common case (a request and its response, well formed), without building paths."""
    if type(data) is not dict or "request" not in data or not _ANSWERED_KEYS.issuperset(data):
        return None
    request = _good_json_request(data["request"])
    response = data.get("response")
    answer = None if response is None else _good_json_response(response)
    if request is None or (response is not None and answer is None):
        return None
    return Interaction(request, answer)


def request_from_json(value: Any, path: str) -> Request:
    """A request of a ``.dvd.json``: method, url, header pairs, body."""
    request = _good_json_request(value)
    if request is not None:
        return request
    data = mapping(value, path, _REQUEST_KEYS)
    return Request(
        method=method(required(data, "method", path), join(path, "method")),
        url=url(required(data, "url", path), join(path, "url")),
        headers=header_pairs(data.get("headers", ()), join(path, "headers")),
        body=json_body(data, path),
    )


def response_from_json(value: Any, path: str) -> Response:
    """A response of a ``.dvd.json``: status, header pairs, body, version, reason, completeness."""
    response = _good_json_response(value)
    if response is not None:
        return response
    data = mapping(value, path, _RESPONSE_KEYS)
    return Response(
        status_code=status_code(required(data, "status_code", path), join(path, "status_code")),
        headers=header_pairs(data.get("headers", ()), join(path, "headers")),
        body=json_body(data, path),
        http_version=http_version(data.get("http_version", "HTTP/1.1"), join(path, "http_version")),
        reason_phrase=latin1_text(data.get("reason_phrase", ""), join(path, "reason_phrase")),
        body_complete=boolean(data.get("body_complete", True), join(path, "body_complete")),
    )


def interaction_from_json(value: Any, path: str) -> Interaction:
    """An interaction of a ``.dvd.json``: a request, and a response or an exception."""
    interaction = _good_json_interaction(value)
    if interaction is not None:
        return interaction
    data = mapping(value, path, _INTERACTION_KEYS)
    response = data.get("response")
    return Interaction(
        request=request_from_json(required(data, "request", path), join(path, "request")),
        response=None if response is None else response_from_json(response, join(path, "response")),
        exception=optional_exception_info(data.get("exception"), join(path, "exception")),
    )


# -- plain values ----------------------------------------------------------------------------------------


def plain_value(value: Any, path: str, limits: LoadLimits, depth: int = 0) -> Any:
    """*value*, which must be plain data nested at most ``limits.max_depth`` deep; tuples become lists."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, str):
        return text(value, path)
    if isinstance(value, int):
        if not _SMALLEST_INT <= value <= _LARGEST_INT:
            fail(path, "an integer that fits 64 bits", value)
        return value
    if depth >= limits.max_depth:
        raise InvalidField(path, f"nested more than {limits.max_depth} levels deep (LoadLimits.max_depth)")
    if isinstance(value, (list, tuple)):
        return [plain_value(item, join(path, index), limits, depth + 1) for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        mapping(value, path)
        return {key: plain_value(item, join(path, key), limits, depth + 1) for key, item in value.items()}
    fail(path, "plain data (None, a bool, a number, a string, a list or a map)", value)


def metadata(value: Any, path: str, limits: LoadLimits) -> dict[str, Any]:
    """Recording metadata: a map of plain data, whose ``duration`` and ``recorded_at`` have their types."""
    result: dict[str, Any] = plain_value(mapping(value, path), path, limits)
    if "duration" in result:
        duration = result["duration"]
        if (
            isinstance(duration, bool)
            or not isinstance(duration, (int, float))
            or not math.isfinite(duration)
            or duration < 0
        ):
            fail(join(path, "duration"), "a number of seconds (finite, not negative)", duration)
    if "recorded_at" in result:
        recorded_at = text(result["recorded_at"], join(path, "recorded_at"))
        try:
            datetime.fromisoformat(
                recorded_at[:-1] + "+00:00" if recorded_at.endswith(("Z", "z")) else recorded_at
            )
        except ValueError:
            fail(join(path, "recorded_at"), "an ISO 8601 date and time", recorded_at)
    return result


def input_record(value: Any, path: str, limits: LoadLimits) -> InputRecord:
    """An intercepted input: ``{"value": plain data}`` or ``{"exception": {...}}``."""
    data = mapping(value, path, frozenset({"value", "exception"}))
    return InputRecord(
        value=plain_value(data.get("value"), join(path, "value"), limits),
        exception=optional_exception_info(data.get("exception"), join(path, "exception")),
    )


def output_record(value: Any, path: str, limits: LoadLimits) -> OutputRecord:
    """An intercepted output (or the operation's result): key, arguments, result, and maybe an exception."""
    data = mapping(value, path, frozenset({"key", "arguments", "result", "exception"}))
    return OutputRecord(
        key=text(required(data, "key", path), join(path, "key")),
        arguments=plain_value(data.get("arguments"), join(path, "arguments"), limits),
        result=plain_value(data.get("result"), join(path, "result"), limits),
        exception=optional_exception_info(data.get("exception"), join(path, "exception")),
    )


def inputs(value: Any, path: str, limits: LoadLimits) -> dict[str, InputRecord]:
    """The intercepted inputs of a recording: a map from input key to `input_record`."""
    return {key: input_record(item, join(path, key), limits) for key, item in mapping(value, path).items()}


def outputs(value: Any, path: str, limits: LoadLimits) -> tuple[OutputRecord, ...]:
    """The intercepted outputs of a recording: a list of `output_record`."""
    return tuple(
        output_record(item, join(path, index), limits) for index, item in enumerate(sequence(value, path))
    )
