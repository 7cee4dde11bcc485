"""Bytes to plain data within `LoadLimits`: bounded zstd + msgpack for ``.dvd``, bounded JSON for the rest.

A ``.dvd`` frame is checked before anything is allocated for it: it must carry a checksum and declare its
content size, and that size must be within ``LoadLimits.max_bytes``. Decompression then streams, a small
slice of compressed input at a time (an RLE block of 4 bytes can stand for 128 KiB, so a slice of 1 KiB
yields at most 32 MiB), into an incremental msgpack unpacker: content that is not one msgpack map fails on
its first bytes, content larger than declared fails as soon as it outgrows the declaration, and a
truncated frame, a wrong checksum or bytes after the frame fail at the end.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack
import zstandard

from .._errors import DVDFormatError
from ._limits import LoadLimits

_INPUT_SLICE = 1024


def check_size(payload_size: int, source: str, limits: LoadLimits) -> None:
    """Refuse a file of *payload_size* bytes when it is over ``limits.max_bytes``."""
    if payload_size > limits.max_bytes:
        raise DVDFormatError(
            source,
            f"the file holds {payload_size} bytes, more than the {limits.max_bytes} bytes a DVD may hold "
            "(LoadLimits.max_bytes)",
        )


def parse_json(payload: bytes, source: str, limits: LoadLimits) -> Any:
    """Parse JSON *payload* (at most ``limits.max_bytes``; nesting the parser cannot follow is refused)."""
    check_size(len(payload), source, limits)
    try:
        return json.loads(payload)
    except RecursionError:
        raise DVDFormatError(source, "the JSON is nested too deeply to be a DVD") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise DVDFormatError(source, f"not valid JSON, perhaps truncated or corrupt ({error})") from None


def unpack_frame(frame: bytes | memoryview, source: str, limits: LoadLimits) -> Any:
    """The one msgpack object in the zstd *frame*, decompressed and decoded within *limits*.

    Raises:
        DVDFormatError: The frame has no checksum or no declared size, declares more than
            ``limits.max_bytes``, is corrupt or truncated, holds more than it declares, is followed by
            other bytes, or does not hold exactly one msgpack object.
    """
    declared = _declared_size(frame, source, limits)
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    unpacker = msgpack.Unpacker(
        raw=False, strict_map_key=True, max_buffer_size=max(declared, 1), ext_hook=_refuse_extension
    )
    view = memoryview(frame)
    produced = consumed = 0
    document: Any = _NOTHING
    try:
        while consumed < len(view) and not decompressor.eof:
            chunk = decompressor.decompress(view[consumed : consumed + _INPUT_SLICE])
            consumed += _INPUT_SLICE
            if not chunk:
                continue
            produced += len(chunk)
            if produced > declared:
                raise DVDFormatError(source, f"the frame holds more than the {declared} bytes it declares")
            if document is not _NOTHING:
                raise DVDFormatError(source, "the frame holds more than one msgpack document")
            unpacker.feed(chunk)
            document = _next_object(unpacker, source)
        if not decompressor.eof:
            raise DVDFormatError(source, "the data is truncated (the zstd frame does not end)")
    except (zstandard.ZstdError, ValueError, msgpack.UnpackException) as error:
        if isinstance(error, DVDFormatError):
            raise
        raise DVDFormatError(source, f"the data is truncated or corrupt ({error})") from None
    if decompressor.unused_data or consumed < len(view):
        raise DVDFormatError(source, "there are bytes after the end of the zstd frame")
    if produced != declared or document is _NOTHING:
        raise DVDFormatError(source, f"the frame holds {produced} bytes, not the {declared} it declares")
    if unpacker.tell() != produced:
        raise DVDFormatError(source, "the frame holds more than one msgpack document")
    return document


_NOTHING: Any = object()


def _next_object(unpacker: msgpack.Unpacker, source: str) -> Any:
    try:
        document = unpacker.unpack()
    except msgpack.OutOfData:
        return _NOTHING
    if not isinstance(document, dict):
        raise DVDFormatError(source, "the data is not a DVD (its content is not a msgpack map)")
    return document


def _refuse_extension(code: int, data: bytes) -> Any:
    raise ValueError(f"msgpack extension type {code} is not DVD data")


def _declared_size(frame: bytes | memoryview, source: str, limits: LoadLimits) -> int:
    try:
        parameters = zstandard.get_frame_parameters(frame)
    except zstandard.ZstdError as error:
        raise DVDFormatError(source, f"the data is truncated or corrupt ({error})") from None
    if not parameters.has_checksum:
        raise DVDFormatError(source, "the zstd frame has no checksum (every DVD is written with one)")
    declared = int(parameters.content_size)
    if declared in (zstandard.CONTENTSIZE_UNKNOWN, zstandard.CONTENTSIZE_ERROR):
        raise DVDFormatError(source, "the zstd frame does not declare its size (every DVD declares it)")
    if declared > limits.max_bytes:
        raise DVDFormatError(
            source,
            f"the zstd frame declares {declared} bytes, more than the {limits.max_bytes} bytes a DVD may "
            "hold (LoadLimits.max_bytes); nothing was decompressed",
        )
    return declared
