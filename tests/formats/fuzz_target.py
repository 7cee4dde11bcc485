"""What the fuzzers check about one input, shared by the suite's property test and ``fuzz/fuzz_loaders.py``.

An input is one byte saying which reader gets the rest (`MODES`), then the bytes. Loading may only give a
document or `DVDFormatError`; a loaded document must then survive everything the library does with one
(build a DVD and match every recorded request, explain a miss, replay each response or exception through
httpx and httpx2 where installed, write it in both formats and read it back unchanged, show it as the CLI
does, read its metadata as searches do). Any other exception is a bug: the fuzzers report it with the input.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import msgpack
import zstandard

from playback_dvd._errors import DVDFormatError, PlaybackDVDError
from playback_dvd._models import DVDDocument, Request
from playback_dvd.cassettes._search import metadata_matches, recorded_at_of
from playback_dvd.cli.browse import _dump, _interaction_lines
from playback_dvd.dvd._dvd import DVD, RecordMode
from playback_dvd.formats._metadata import loads_metadata, loads_metadata_file
from playback_dvd.formats._serialization import BINARY_MAGIC, SCHEMA_VERSION, dumps, loads
from playback_dvd.http._convert import replay_interaction
from playback_dvd.http._libraries import installed_libraries

HERE = Path(__file__).parent
SEEDS = HERE / "seeds"
HOSTILE = HERE / "hostile"

RAW, FRAMED_MSGPACK, META_FILE, METADATA = range(4)
MODES = ("loads(bytes)", "loads(a .dvd framed around msgpack bytes)", "a .meta.json file", "S3 metadata JSON")
EVERY_MATCHER = ("method", "scheme", "host", "port", "path", "query", "uri", "headers", "raw_body", "body")
_PROBE = Request("GET", "http://fuzz.invalid/nothing?recorded=no")


def frame(content: bytes) -> bytes:
    """A valid ``.dvd`` around *content* (header, zstd frame with checksum and size), as the writer makes."""
    compressor = zstandard.ZstdCompressor(level=1, write_checksum=True, write_content_size=True)
    return BINARY_MAGIC + SCHEMA_VERSION.to_bytes(2, "big") + compressor.compress(content)


def unframe(payload: bytes) -> bytes:
    """The msgpack content of a ``.dvd`` written by us."""
    return zstandard.ZstdDecompressor().decompress(payload[len(BINARY_MAGIC) + 2 :])


def seed_inputs() -> Iterator[bytes]:
    """Every seed and reproducer, as fuzz inputs (mode byte + bytes); real ``.dvd`` files also framed."""
    for path in sorted([*SEEDS.iterdir(), *HOSTILE.iterdir()]):
        if path.suffix == ".md":
            continue
        data = path.read_bytes()
        if path.name.endswith(".meta.json"):
            yield bytes([META_FILE]) + data
            yield bytes([METADATA]) + data
        yield bytes([RAW]) + data
        if path.parent == SEEDS and path.name.endswith(".v1.dvd"):  # one frame: its content can be mutated
            yield bytes([FRAMED_MSGPACK]) + unframe(data)


def check_input(data: bytes) -> None:
    """Run one fuzz input; raises whatever the library raised that it should not have."""
    if not data:
        return
    mode, payload = data[0] % len(MODES), data[1:]
    try:
        if mode == META_FILE:
            exercise_metadata(loads_metadata_file(payload, "fuzz.meta.json"))
            return
        if mode == METADATA:
            exercise_metadata(loads_metadata(payload, "fuzz metadata"))
            return
        document = loads(frame(payload) if mode == FRAMED_MSGPACK else payload, "fuzz input")
        # A schema 2 ``.dvd`` checks each row and body block when it is first read (docs/safety.md): the
        # documented error then, and only it, may come out of reading the interactions.
        tuple(document.interactions)
    except DVDFormatError:
        return
    exercise(document)


def exercise_metadata(metadata: dict[str, Any]) -> None:
    """What searches, replays and the CLI do with metadata."""
    recorded_at_of(metadata, None)
    float(metadata.get("duration", 0.0))
    metadata_matches(metadata, {"order_id": [1, "x*"], "seed": {"operator": "<", "value": 3}})
    _dump(metadata)


def exercise(document: DVDDocument) -> None:
    """Everything the library does with a loaded document; nothing of it may fail."""
    exercise_metadata(dict(document.metadata))
    dvd = DVD.from_document(document, record_mode=RecordMode.NONE, match_on=EVERY_MATCHER)
    for interaction in document.interactions:
        if dvd.play(interaction.request) is None:
            raise AssertionError(f"a recorded request does not match itself: {interaction.request!r}")
    str(dvd.unmatched_error(_PROBE))
    for number, interaction in enumerate(document.interactions, 1):
        _interaction_lines(number, interaction, 200)
    for library in installed_libraries():  # httpx, and httpx2 where installed: each builds its own classes
        live = library.module.Request("GET", "http://fuzz.invalid/")
        for interaction in document.interactions:
            try:
                response = replay_interaction(library, interaction, live)
            except (library.module.HTTPError, PlaybackDVDError):  # a recorded exception, raised again
                continue
            b"".join(response.iter_raw())
    for record in document.inputs.values():
        _dump(record.value)
    for output in document.outputs:
        _dump(output.arguments)
        _dump(output.result)
    for binary in (True, False):
        again = loads(dumps(document, binary=binary), "round trip")
        if not same(_fields(again), _fields(document)):
            raise AssertionError(f"not the same after a round trip (binary={binary}): {again!r}")


def _fields(document: DVDDocument) -> dict[str, Any]:
    # vcrpy documents are a subclass: compare what is stored, not the class.
    # A schema 2 DVD's interactions are a lazy sequence: compare the interactions it stands for.
    fields = {field.name: getattr(document, field.name) for field in attrs.fields(DVDDocument)}
    fields["interactions"] = tuple(fields["interactions"])
    return fields


def same(left: Any, right: Any) -> bool:
    """Equality where NaN equals NaN and tuples equal lists (what a round trip keeps)."""
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
        return True
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(map(same, left, right))
    if attrs.has(type(left)) and type(left) is type(right):
        return same(attrs.asdict(left, recurse=False), attrs.asdict(right, recurse=False))
    return bool(left == right) and type(left) is type(right)


def mutate_value(document: Any, path: list[int], replacement: Any) -> Any:
    """*document* with the node that *path* picks (each step an index, modulo the children) replaced."""
    if not path or not isinstance(document, (dict, list)) or not document:
        return replacement
    step, rest = path[0], path[1:]
    if isinstance(document, dict):
        key = list(document)[step % len(document)]
        return {**document, key: mutate_value(document[key], rest, replacement)}
    index = step % len(document)
    return [*document[:index], mutate_value(document[index], rest, replacement), *document[index + 1 :]]


#: Values a mutation puts in place of a field: wrong types, edges of ranges, text httpx cannot carry.
PALETTE: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    3.0,
    float("nan"),
    float("inf"),
    2**63,
    2**64 - 1,
    "",
    "GET",
    "http://[::1",
    "https://host:99999/",
    "\u00e9\u4e2d",
    "x" * 300,
    b"bytes",
    [],
    [1, 2],
    {},
    {"type": "ConnectError", "message": "m"},
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
)


def packed(value: Any) -> bytes:
    """*value* as msgpack (for a FRAMED_MSGPACK input)."""
    return bytes(msgpack.packb(value, use_bin_type=True))
