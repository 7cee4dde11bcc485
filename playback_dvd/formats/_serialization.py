"""The one place that knows how a DVD looks on disk: the converter, the two formats, the schema version.

Rules of the stored document (both formats):

- It starts with a format marker and ``schema_version``; a reader refuses a newer version by name.
- ``.dvd.json`` is for people and git: keys in a fixed order, two-space indent, a text body stored as
  ``"body"`` (text) and a binary one (gzip, images...) as ``"body_base64"``; header pairs as ``[name,
  value]`` lists so repeated headers and their order survive.
- ``.dvd`` is for production and S3: an 8-byte magic, the schema version, then zstd frames (with a
  checksum, so truncation is detected) holding msgpack rows: bodies as raw bytes, no base64. Version 1
  is one frame holding everything; version 2 (written now, see ``_indexed_binary``) puts the request
  rows and their index keys first and the bodies after them in blocks, so it opens without decoding.
- Intercepted inputs, outputs and metadata are plain data (``None``, bools, numbers, strings, lists,
  dicts with string keys), made so by the recorder before they reach here.

Nothing read from a file is ever imported or called: models are built from plain values only.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import json
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import cattrs
import msgpack
import zstandard

from .._errors import DVDFormatError, UnsupportedSchemaVersion
from .._models import (
    DVDDocument,
    ExceptionInfo,
    Headers,
    InputRecord,
    Interaction,
    OutputRecord,
    Request,
    Response,
)
from . import _indexed_binary, _vcrpy

FORMAT_MARKER = "playback-dvd"
SCHEMA_VERSION = 1
#: The ``.dvd`` layout written now; versions 1 and 2 are read (``.dvd.json`` stays at `SCHEMA_VERSION`).
BINARY_SCHEMA_VERSION = _indexed_binary.VERSION
BINARY_MAGIC = b"\x89PBDVD\r\n"
_BINARY_HEADER = struct.Struct(">8sH")


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that all stay alive.

    Loading 100,000 interactions allocates millions of tracked objects; each allocation burst triggers
    collections that traverse everything built so far, for nothing (none of it is garbage). Pausing the
    collector halves the load time. It is restored even on error, and left alone if it was already off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- the readable JSON format ------------------------------------------------------------------------------


def _body_to_json(body: bytes, into: dict[str, Any]) -> None:
    if not body:
        return
    try:
        into["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        into["body_base64"] = base64.b64encode(body).decode("ascii")


def _body_from_json(data: Mapping[str, Any]) -> bytes:
    if "body_base64" in data:
        return base64.b64decode(data["body_base64"], validate=True)
    text = data.get("body", "")
    if not isinstance(text, str):
        raise TypeError(f"body must be text, not {type(text).__name__}")
    return text.encode("utf-8")


def _headers_from(data: Any) -> Headers:
    return tuple((str(name), str(value)) for name, value in data)


def _exception_to_json(info: ExceptionInfo | None) -> dict[str, str] | None:
    return None if info is None else {"type": info.type_name, "message": info.message}


def _exception_from_json(data: Mapping[str, Any] | None) -> ExceptionInfo | None:
    return None if data is None else ExceptionInfo(type_name=str(data["type"]), message=str(data["message"]))


def make_converter() -> cattrs.Converter:
    """Build the converter that maps models to the plain data of the ``.dvd.json`` format.

    Hooks, one per rule of the module docstring: requests and responses write their bodies as text or
    base64 and their headers as pair lists; exceptions are ``{"type", "message"}``; intercepted values are
    plain data and pass through unchanged.
    """
    converter = cattrs.Converter()

    def unstructure_request(request: Request) -> dict[str, Any]:
        data: dict[str, Any] = {"method": request.method, "url": request.url, "headers": request.headers}
        _body_to_json(request.body, data)
        return data

    def structure_request(data: Mapping[str, Any], _: type) -> Request:
        return Request(
            method=str(data["method"]),
            url=str(data["url"]),
            headers=_headers_from(data.get("headers", ())),
            body=_body_from_json(data),
        )

    def unstructure_response(response: Response) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status_code": response.status_code,
            "reason_phrase": response.reason_phrase,
            "http_version": response.http_version,
            "headers": response.headers,
        }
        _body_to_json(response.body, data)
        if not response.body_complete:
            data["body_complete"] = False
        return data

    def structure_response(data: Mapping[str, Any], _: type) -> Response:
        return Response(
            status_code=int(data["status_code"]),
            headers=_headers_from(data.get("headers", ())),
            body=_body_from_json(data),
            http_version=str(data.get("http_version", "HTTP/1.1")),
            reason_phrase=str(data.get("reason_phrase", "")),
            body_complete=bool(data.get("body_complete", True)),
        )

    def unstructure_interaction(interaction: Interaction) -> dict[str, Any]:
        data: dict[str, Any] = {"request": unstructure_request(interaction.request)}
        if interaction.response is not None:
            data["response"] = unstructure_response(interaction.response)
        if interaction.exception is not None:
            data["exception"] = _exception_to_json(interaction.exception)
        return data

    def structure_interaction(data: Mapping[str, Any], _: type) -> Interaction:
        response = data.get("response")
        return Interaction(
            request=structure_request(data["request"], Request),
            response=None if response is None else structure_response(response, Response),
            exception=_exception_from_json(data.get("exception")),
        )

    converter.register_unstructure_hook(Request, unstructure_request)
    converter.register_structure_hook(Request, structure_request)
    converter.register_unstructure_hook(Response, unstructure_response)
    converter.register_structure_hook(Response, structure_response)
    converter.register_unstructure_hook(Interaction, unstructure_interaction)
    converter.register_structure_hook(Interaction, structure_interaction)
    converter.register_unstructure_hook(ExceptionInfo, _exception_to_json)
    converter.register_structure_hook(ExceptionInfo, lambda data, _: _exception_from_json(data))
    return converter


converter = make_converter()


def _document_to_json_data(document: DVDDocument) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT_MARKER, "schema_version": SCHEMA_VERSION}
    if document.id is not None:
        data["id"] = document.id
    if document.category is not None:
        data["category"] = document.category
    if document.metadata:
        data["metadata"] = dict(sorted(document.metadata.items()))
    if document.inputs:
        data["inputs"] = {key: _input_to_json(record) for key, record in sorted(document.inputs.items())}
    if document.outputs:
        data["outputs"] = [_output_to_json(record) for record in document.outputs]
    data["interactions"] = [converter.unstructure(interaction) for interaction in document.interactions]
    return data


def _input_to_json(record: InputRecord) -> dict[str, Any]:
    if record.exception is not None:
        return {"exception": _exception_to_json(record.exception)}
    return {"value": record.value}


def _input_from_json(data: Mapping[str, Any]) -> InputRecord:
    return InputRecord(value=data.get("value"), exception=_exception_from_json(data.get("exception")))


def _output_to_json(record: OutputRecord) -> dict[str, Any]:
    data: dict[str, Any] = {"key": record.key, "arguments": record.arguments, "result": record.result}
    if record.exception is not None:
        data["exception"] = _exception_to_json(record.exception)
    return data


def _output_from_json(data: Mapping[str, Any]) -> OutputRecord:
    return OutputRecord(
        key=str(data["key"]),
        arguments=data.get("arguments"),
        result=data.get("result"),
        exception=_exception_from_json(data.get("exception")),
    )


def _check_header(data: Any, source: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT_MARKER:
        raise DVDFormatError(source, f"not a playback_dvd document (no format marker {FORMAT_MARKER!r})")
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise DVDFormatError(source, "the document has no integer schema_version")
    if version > SCHEMA_VERSION or version < 1:
        raise UnsupportedSchemaVersion(
            source,
            f"schema_version {version} is not one this playback_dvd reads (it reads 1 to {SCHEMA_VERSION}); "
            "upgrade playback_dvd to read DVDs written by a newer version",
        )


def _document_from_json_data(data: Any, source: str) -> DVDDocument:
    _check_header(data, source)
    try:
        return DVDDocument(
            interactions=tuple(
                converter.structure(item, Interaction) for item in data.get("interactions", ())
            ),
            id=data.get("id"),
            category=data.get("category"),
            metadata=dict(data.get("metadata", {})),
            inputs={str(key): _input_from_json(value) for key, value in data.get("inputs", {}).items()},
            outputs=tuple(_output_from_json(item) for item in data.get("outputs", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError, cattrs.BaseValidationError) as error:
        raise DVDFormatError(source, f"the document does not follow the DVD schema ({error!r})") from None


# A header pair on one line reads (and diffs) far better than json's four. JSON strings cannot hold a raw
# newline, so this pattern can only ever meet the two-string arrays that json.dumps itself laid out.
_PAIR = re.compile(r'\[\n\s*("(?:[^"\\]|\\.)*"),\n\s*("(?:[^"\\]|\\.)*")\n\s*\]')


def dumps_json(document: DVDDocument) -> bytes:
    """Encode *document* in the readable ``.dvd.json`` format."""
    text = json.dumps(_document_to_json_data(document), indent=2, ensure_ascii=False)
    return (_PAIR.sub(r"[\1, \2]", text) + "\n").encode("utf-8")


def _parse_json(payload: bytes, source: str) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise DVDFormatError(source, f"not valid JSON, perhaps truncated or corrupt ({error})") from None


# -- the compact binary format ---------------------------------------------------------------------------


def _flat(headers: Headers) -> list[str]:
    return [part for pair in headers for part in pair]


def _pairs(flat: list[str]) -> Headers:
    iterator = iter(flat)
    return tuple(zip(iterator, iterator, strict=True))


def _interaction_row(interaction: Interaction) -> list[Any]:
    request, response, exception = interaction.request, interaction.response, interaction.exception
    return [
        request.method,
        request.url,
        _flat(request.headers),
        request.body,
        None
        if response is None
        else [
            response.status_code,
            _flat(response.headers),
            response.body,
            response.http_version,
            response.reason_phrase,
            response.body_complete,
        ],
        None if exception is None else [exception.type_name, exception.message],
    ]


def _interaction_from_row(row: list[Any]) -> Interaction:
    method, url, headers, body, response, exception = row
    return Interaction(
        Request(method, url, _pairs(headers), body),
        None if response is None else Response(response[0], _pairs(response[1]), *response[2:]),
        None if exception is None else ExceptionInfo(*exception),
    )


def _binary_head(document: DVDDocument, version: int) -> dict[str, Any]:
    return {
        "format": FORMAT_MARKER,
        "schema_version": version,
        "id": document.id,
        "category": document.category,
        "metadata": dict(document.metadata),
        "inputs": {key: _input_to_json(record) for key, record in document.inputs.items()},
        "outputs": [_output_to_json(record) for record in document.outputs],
    }


def dumps_binary(document: DVDDocument, *, level: int = 3) -> bytes:
    """Encode *document* in the compact ``.dvd`` format (schema version 2: msgpack rows + zstd blocks)."""
    return _indexed_binary.dumps(
        _binary_head(document, BINARY_SCHEMA_VERSION),
        document.interactions,
        _interaction_row,
        _BINARY_HEADER.pack(BINARY_MAGIC, BINARY_SCHEMA_VERSION),
        level,
    )


def dumps_binary_v1(document: DVDDocument, *, level: int = 3) -> bytes:
    """Encode *document* in the ``.dvd`` layout of schema version 1 (one frame; read, no longer written)."""
    body = {
        **_binary_head(document, 1),
        "interactions": [_interaction_row(interaction) for interaction in document.interactions],
    }
    packed = msgpack.packb(body, use_bin_type=True)
    compressed = zstandard.ZstdCompressor(level=level, write_checksum=True, write_content_size=True).compress(
        packed
    )
    return _BINARY_HEADER.pack(BINARY_MAGIC, 1) + compressed


def loads_binary(payload: bytes, source: str = "<bytes>") -> DVDDocument:
    """Decode a ``.dvd`` payload. *source* names it in errors.

    A version 2 payload is opened, not decoded: its interactions are a `LazyInteractions`, each decoded
    (and checked) when read.
    """
    if len(payload) < _BINARY_HEADER.size or not payload.startswith(BINARY_MAGIC):
        raise DVDFormatError(source, "not a binary DVD (bad magic bytes)")
    _, version = _BINARY_HEADER.unpack_from(payload)
    if version > BINARY_SCHEMA_VERSION or version < 1:
        raise UnsupportedSchemaVersion(
            source,
            f"schema_version {version} is not one this playback_dvd reads (it reads 1 to "
            f"{BINARY_SCHEMA_VERSION}); upgrade playback_dvd to read DVDs written by a newer version",
        )
    if version == _indexed_binary.VERSION:
        return _document_from_indexed_binary(payload, source)
    with paused_gc():
        return _document_from_binary(payload, source)


def _document_from_indexed_binary(payload: bytes, source: str) -> DVDDocument:
    head, bodies = _indexed_binary.open_head(payload, _BINARY_HEADER.size, source)
    if head.get("format") != FORMAT_MARKER or head.get("schema_version") != _indexed_binary.VERSION:
        raise DVDFormatError(source, "the head does not match its file (format marker or schema_version)")
    interactions = _indexed_binary.lazy_interactions(head, bodies, _interaction_from_row)
    return _document_from_binary_data(head, source, interactions)


def _document_from_binary(payload: bytes, source: str) -> DVDDocument:
    try:
        packed = zstandard.ZstdDecompressor().decompress(payload[_BINARY_HEADER.size :])
        data = msgpack.unpackb(packed, raw=False, strict_map_key=True)
    except (zstandard.ZstdError, ValueError, msgpack.UnpackException) as error:
        raise DVDFormatError(source, f"the data is truncated or corrupt ({error})") from None
    _check_header(data, source)
    try:
        interactions = tuple(_interaction_from_row(row) for row in data["interactions"])
    except (KeyError, TypeError, ValueError) as error:
        raise DVDFormatError(source, f"the document does not follow the DVD schema ({error!r})") from None
    return _document_from_binary_data(data, source, interactions)


def _document_from_binary_data(
    data: Mapping[str, Any], source: str, interactions: Sequence[Interaction]
) -> DVDDocument:
    """The document of a binary head (both versions), with *interactions* already decoded or lazy."""
    try:
        return DVDDocument(
            interactions=interactions,  # type: ignore[arg-type]  # a LazyInteractions stands for the tuple
            id=data.get("id"),
            category=data.get("category"),
            metadata=data.get("metadata") or {},
            inputs={key: _input_from_json(value) for key, value in (data.get("inputs") or {}).items()},
            outputs=tuple(_output_from_json(item) for item in data.get("outputs") or ()),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DVDFormatError(source, f"the document does not follow the DVD schema ({error!r})") from None


# -- choosing the format ---------------------------------------------------------------------------------


def dumps(document: DVDDocument, *, binary: bool) -> bytes:
    """Encode *document* in the binary or the JSON format."""
    return dumps_binary(document) if binary else dumps_json(document)


def loads(payload: bytes, source: str = "<bytes>") -> DVDDocument:
    """Decode a DVD in either format, or a vcrpy cassette (YAML or JSON), recognised by content, not name."""
    if payload.startswith(BINARY_MAGIC):
        return loads_binary(payload, source)
    stripped = payload.lstrip()
    if not stripped:
        raise DVDFormatError(source, "the file is empty")
    if stripped[:1] in (b"{", b"["):
        data = _parse_json(payload, source)
        if _vcrpy.looks_like_vcrpy_json(data):  # never true of ours: they carry the format marker
            return _vcrpy.loads_vcrpy_json(data, source)
        return _document_from_json_data(data, source)
    # Neither binary nor JSON: a vcrpy YAML cassette, or nothing we read.
    return _vcrpy.loads_vcrpy_yaml(payload, source)
