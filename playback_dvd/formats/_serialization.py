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
from collections.abc import Iterator
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
from . import _validation as validation
from ._decoding import check_size, parse_json, unpack_frame
from ._limits import DEFAULT_LIMITS, LoadLimits

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


def _exception_to_json(info: ExceptionInfo | None) -> dict[str, str] | None:
    return None if info is None else {"type": info.type_name, "message": info.message}


def make_converter() -> cattrs.Converter:
    """Build the converter that maps models to the plain data of the ``.dvd.json`` format.

    Hooks, one per rule of the module docstring: requests and responses write their bodies as text or
    base64 and their headers as pair lists; exceptions are ``{"type", "message"}``; intercepted values are
    plain data and pass through unchanged. Structuring checks every field (`_validation`): bad data raises
    `InvalidField` naming it.
    """
    converter = cattrs.Converter()

    def unstructure_request(request: Request) -> dict[str, Any]:
        data: dict[str, Any] = {"method": request.method, "url": request.url, "headers": request.headers}
        _body_to_json(request.body, data)
        return data

    def structure_request(data: Any, _: type) -> Request:
        return validation.request_from_json(data, "request")

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

    def structure_response(data: Any, _: type) -> Response:
        return validation.response_from_json(data, "response")

    def unstructure_interaction(interaction: Interaction) -> dict[str, Any]:
        data: dict[str, Any] = {"request": unstructure_request(interaction.request)}
        if interaction.response is not None:
            data["response"] = unstructure_response(interaction.response)
        if interaction.exception is not None:
            data["exception"] = _exception_to_json(interaction.exception)
        return data

    def structure_interaction(data: Any, _: type) -> Interaction:
        return validation.interaction_from_json(data, "interaction")

    converter.register_unstructure_hook(Request, unstructure_request)
    converter.register_structure_hook(Request, structure_request)
    converter.register_unstructure_hook(Response, unstructure_response)
    converter.register_structure_hook(Response, structure_response)
    converter.register_unstructure_hook(Interaction, unstructure_interaction)
    converter.register_structure_hook(Interaction, structure_interaction)
    converter.register_unstructure_hook(ExceptionInfo, _exception_to_json)
    converter.register_structure_hook(
        ExceptionInfo, lambda data, _: validation.exception_info(data, "exception")
    )
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


def _output_to_json(record: OutputRecord) -> dict[str, Any]:
    data: dict[str, Any] = {"key": record.key, "arguments": record.arguments, "result": record.result}
    if record.exception is not None:
        data["exception"] = _exception_to_json(record.exception)
    return data


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


_DOCUMENT_KEYS = frozenset(
    {"format", "schema_version", "id", "category", "metadata", "inputs", "outputs", "interactions"}
)
# The head of a schema 2 ``.dvd`` holds rows, stored keys and body blocks instead of "interactions".
_INDEXED_HEAD_KEYS = (_DOCUMENT_KEYS - {"interactions"}) | _indexed_binary.HEAD_KEYS


def _document_fields(data: Any, limits: LoadLimits, keys: frozenset[str] = _DOCUMENT_KEYS) -> dict[str, Any]:
    """The fields of a document every format shares (everything but the interactions), checked."""
    validation.mapping(data, "", keys)
    return {
        "id": validation.optional_text(data.get("id"), "id"),
        "category": validation.optional_text(data.get("category"), "category"),
        "metadata": validation.metadata(_unless_none(data.get("metadata"), {}), "metadata", limits),
        "inputs": validation.inputs(_unless_none(data.get("inputs"), {}), "inputs", limits),
        "outputs": validation.outputs(_unless_none(data.get("outputs"), ()), "outputs", limits),
    }


def _unless_none(value: Any, default: Any) -> Any:
    return default if value is None else value


def _document_from_json_data(data: Any, source: str, limits: LoadLimits) -> DVDDocument:
    _check_header(data, source)
    with validation.field_errors_name(source):
        interactions = validation.sequence(data.get("interactions", ()), "interactions")
        return DVDDocument(
            interactions=tuple(
                validation.interaction_from_json(item, f"interactions[{index}]")
                for index, item in enumerate(interactions)
            ),
            **_document_fields(data, limits),
        )


# A header pair on one line reads (and diffs) far better than json's four. JSON strings cannot hold a raw
# newline, so this pattern can only ever meet the two-string arrays that json.dumps itself laid out.
_PAIR = re.compile(r'\[\n\s*("(?:[^"\\]|\\.)*"),\n\s*("(?:[^"\\]|\\.)*")\n\s*\]')


def dumps_json(document: DVDDocument) -> bytes:
    """Encode *document* in the readable ``.dvd.json`` format."""
    text = json.dumps(_document_to_json_data(document), indent=2, ensure_ascii=False)
    return (_PAIR.sub(r"[\1, \2]", text) + "\n").encode("utf-8")


# -- the compact binary format ---------------------------------------------------------------------------


def _flat(headers: Headers) -> list[str]:
    return [part for pair in headers for part in pair]


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


def loads_binary(
    payload: bytes, source: str = "<bytes>", *, limits: LoadLimits = DEFAULT_LIMITS
) -> DVDDocument:
    """Decode a ``.dvd`` payload. *source* names it in errors.

    A version 2 payload is opened, not decoded: its interactions are a `LazyInteractions`, each decoded
    and checked when read.

    Raises:
        DVDFormatError: Not a valid DVD, or beyond *limits* (the error names the field at fault).
    """
    if len(payload) < _BINARY_HEADER.size or not payload.startswith(BINARY_MAGIC):
        raise DVDFormatError(source, "not a binary DVD (bad magic bytes)")
    check_size(len(payload), source, limits)
    _, version = _BINARY_HEADER.unpack_from(payload)
    if version > BINARY_SCHEMA_VERSION or version < 1:
        raise UnsupportedSchemaVersion(
            source,
            f"schema_version {version} is not one this playback_dvd reads (it reads 1 to "
            f"{BINARY_SCHEMA_VERSION}); upgrade playback_dvd to read DVDs written by a newer version",
        )
    if version == _indexed_binary.VERSION:
        return _document_from_indexed_binary(payload, source, limits)
    with paused_gc():
        return _document_from_binary(payload, source, limits)


def _document_from_indexed_binary(payload: bytes, source: str, limits: LoadLimits) -> DVDDocument:
    head, bodies = _indexed_binary.open_head(payload, _BINARY_HEADER.size, source, limits)
    if head.get("format") != FORMAT_MARKER or head.get("schema_version") != _indexed_binary.VERSION:
        raise DVDFormatError(source, "the head does not match its file (format marker or schema_version)")
    interactions = _indexed_binary.lazy_interactions(head, bodies, validation.interaction_from_row)
    with validation.field_errors_name(source):
        return DVDDocument(
            interactions=interactions,  # type: ignore[arg-type]  # a LazyInteractions stands for the tuple
            **_document_fields(head, limits, _INDEXED_HEAD_KEYS),
        )


def _document_from_binary(payload: bytes, source: str, limits: LoadLimits) -> DVDDocument:
    data = unpack_frame(memoryview(payload)[_BINARY_HEADER.size :], source, limits)
    _check_header(data, source)
    with validation.field_errors_name(source):
        rows = validation.sequence(validation.required(data, "interactions", ""), "interactions")
        return DVDDocument(
            interactions=tuple(
                validation.interaction_from_row(row, f"interactions[{index}]")
                for index, row in enumerate(rows)
            ),
            **_document_fields(data, limits),
        )


# -- choosing the format ---------------------------------------------------------------------------------


def dumps(document: DVDDocument, *, binary: bool) -> bytes:
    """Encode *document* in the binary or the JSON format."""
    return dumps_binary(document) if binary else dumps_json(document)


def loads(payload: bytes, source: str = "<bytes>", *, limits: LoadLimits = DEFAULT_LIMITS) -> DVDDocument:
    """Decode a DVD in either format, or a vcrpy cassette (YAML or JSON), recognised by content, not name.

    Args:
        payload: The file's bytes.
        source: What to call it in errors (the file's path).
        limits: The bounds of what is accepted (`LoadLimits`: size, nesting, YAML aliases).

    Raises:
        DVDFormatError: Not a readable DVD or vcrpy cassette, or beyond *limits*. Nothing else, whatever
            the bytes hold.
    """
    if payload.startswith(BINARY_MAGIC):
        return loads_binary(payload, source, limits=limits)
    check_size(len(payload), source, limits)
    stripped = payload.lstrip()
    if not stripped:
        raise DVDFormatError(source, "the file is empty")
    if stripped[:1] in (b"{", b"["):
        data = parse_json(payload, source, limits)
        if _vcrpy.looks_like_vcrpy_json(data):  # never true of ours: they carry the format marker
            return _vcrpy.loads_vcrpy_json(data, source, limits)
        return _document_from_json_data(data, source, limits)
    # Neither binary nor JSON: a vcrpy YAML cassette, or nothing we read.
    return _vcrpy.loads_vcrpy_yaml(payload, source, limits)
