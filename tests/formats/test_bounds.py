"""Loaders within `LoadLimits`: frames checked before they are decompressed, nesting and aliases bounded,
every field checked with its path named."""

from __future__ import annotations

import json
import struct
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import msgpack
import pytest
import zstandard

import playback_dvd as pd
from playback_dvd._models import DVDDocument, Interaction, Request, Response
from playback_dvd.formats._limits import LoadLimits
from playback_dvd.formats._metadata import loads_metadata_file
from playback_dvd.formats._serialization import (
    BINARY_MAGIC,
    dumps_binary,
    dumps_binary_v1,
    dumps_json,
    loads,
)

from .fuzz_target import frame

HEADER = BINARY_MAGIC + struct.pack(">H", 1)
BLOCK = 1 << 17  # the largest zstd block: 128 KiB


def rle_frame(byte: int, declared: int | None, blocks: int, *, prefix: bytes = b"") -> bytes:
    """A .dvd whose zstd frame (checksum flag set) is *prefix* as a raw block then RLE blocks of *byte*.

    Each 4-byte RLE block stands for 128 KiB: 8,192 of them (32 KiB) expand to 1 GiB.
    """
    descriptor = 0b0000_0100 | (0b1100_0000 if declared is not None else 0)  # checksum; 8-byte size
    header = struct.pack("<IB", 0xFD2FB528, descriptor) + bytes([0x58])  # window 128 MiB
    if declared is not None:
        header += struct.pack("<Q", declared)
    body = b""
    if prefix:
        body += (len(prefix) << 3).to_bytes(3, "little") + prefix  # raw block
    for index in range(blocks):
        last = 1 if index == blocks - 1 else 0
        body += ((BLOCK << 3) | (1 << 1) | last).to_bytes(3, "little") + bytes([byte])
    return HEADER + header + body + b"\0\0\0\0"  # a checksum that is never reached


DEFAULT = LoadLimits()


def refused(payload: bytes, limits: LoadLimits = DEFAULT) -> tuple[str, float]:
    """The error message of loading *payload*, and the peak of Python allocations meanwhile (MiB)."""
    tracemalloc.start()
    try:
        with pytest.raises(pd.DVDFormatError) as caught:
            loads(payload, "crafted.dvd", limits=limits)
        peak = tracemalloc.get_traced_memory()[1] / (1 << 20)
    finally:
        tracemalloc.stop()
    return str(caught.value), peak


def test_a_frame_declaring_more_than_the_cap_is_refused_before_decompressing() -> None:
    message, peak = refused(rle_frame(0, 1 << 62, 1))
    assert "declares 4611686018427387904 bytes, more than the 1073741824" in message
    assert peak < 1


def test_the_cap_is_configurable_per_loader() -> None:
    payload = rle_frame(0, 4 << 20, 32)
    message, _ = refused(payload, pd.LoadLimits(max_bytes=1 << 20))
    assert "LoadLimits.max_bytes" in message
    directory = Path(__file__).parent / "seeds"
    with pytest.raises(pd.DVDFormatError, match="max_bytes"):
        loads((directory / "use_dvd.dvd.json").read_bytes(), "seed", limits=pd.LoadLimits(max_bytes=100))


def test_a_frame_that_really_expands_to_a_gibibyte_is_refused_on_its_first_bytes() -> None:
    message, peak = refused(rle_frame(0, 1 << 30, 8192))
    assert "not a msgpack map" in message
    assert peak < 100


def test_a_frame_holding_more_than_it_declares_stops_when_it_outgrows_the_declaration() -> None:
    start = msgpack.packb({"format": "playback-dvd", "schema_version": 1, "x": b"z" * 10})[:-13]
    message, peak = refused(rle_frame(0, 1024, 8192, prefix=start))
    # Refused by our count, or by zstd itself when one block overflows the declared size.
    assert "more than the 1024 bytes it declares" in message or "Destination buffer is too small" in message
    assert peak < 100


def test_a_frame_without_a_declared_size_or_a_checksum_is_refused() -> None:
    assert "does not declare its size" in refused(rle_frame(0, None, 8192))[0]
    no_checksum = bytearray(rle_frame(0, 1 << 30, 1))
    no_checksum[len(HEADER) + 4] &= ~0b100
    assert "no checksum" in refused(bytes(no_checksum))[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x91" * 100_000, "truncated or corrupt"),  # lists in lists: msgpack's own stack limit
        (b"\xdf" * 100_000, "truncated or corrupt"),  # maps as map keys
        (msgpack.packb([1, 2]), "not a msgpack map"),
        (msgpack.packb({"format": "playback-dvd", "schema_version": 1}) * 2, "more than one"),
    ],
)
def test_content_that_is_not_one_msgpack_map_is_refused(content: bytes, expected: str) -> None:
    assert expected in refused(frame(content))[0]


@pytest.mark.parametrize(
    ("encode", "trailing"),
    [
        # Schema 1: one frame, and nothing may follow it.
        (dumps_binary_v1, "after the end"),
        # Schema 2: the body blocks' announced lengths must add up to the rest of the file.
        (dumps_binary, "1 present"),
    ],
)
def test_truncation_and_trailing_bytes_are_refused(encode, trailing: str) -> None:
    payload = encode(DVDDocument(metadata={"n": 1}))
    assert "truncated" in refused(payload[:-3])[0]
    assert trailing in refused(payload + b"x")[0]


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "encode",
    [
        lambda document: dumps_binary(document),
        lambda document: dumps_json(document),
    ],
    ids=["binary", "json"],
)
def test_values_nested_past_max_depth_are_refused_with_their_path(
    encode: Callable[[DVDDocument], bytes],
) -> None:
    payload = encode(DVDDocument(metadata={"deep": _nested(150)}))
    with pytest.raises(
        pd.DVDFormatError, match=r"metadata\.deep\[0\].*nested more than 100 levels"
    ) as caught:
        loads(payload, "deep.dvd")
    assert caught.value.field is not None
    assert caught.value.field.startswith("metadata.deep[0]")
    assert loads(payload, "deep.dvd", limits=pd.LoadLimits(max_depth=200)).metadata["deep"] == _nested(150)


def test_a_field_of_the_wrong_type_names_the_file_and_the_field() -> None:
    interactions = [Interaction(Request("GET", f"https://api.test/{n}"), Response(200)) for n in range(13)]
    data = json.loads(dumps_json(DVDDocument(interactions=tuple(interactions))))
    data["interactions"][12]["request"]["method"] = 3.0
    with pytest.raises(pd.DVDFormatError) as caught:
        loads(json.dumps(data).encode(), "tests/x.dvd.json")
    assert str(caught.value) == (
        "cannot read DVD tests/x.dvd.json: interactions[12].request.method: expected a string, got 3.0"
    )
    assert caught.value.field == "interactions[12].request.method"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("duration", "slow", "metadata.duration: expected a number of seconds"),
        ("duration", -1, "metadata.duration: expected a number of seconds"),
        ("recorded_at", "yesterday", "metadata.recorded_at: expected an ISO 8601 date and time"),
        ("n", 2**64, "metadata.n: expected an integer that fits 64 bits"),
    ],
)
def test_metadata_the_library_reads_has_its_type(field: str, value: object, expected: str) -> None:
    payload = json.dumps({"format": "playback-dvd", "schema_version": 1, "metadata": {field: value}})
    with pytest.raises(pd.DVDFormatError, match=expected):
        loads(payload.encode(), "meta.dvd.json")


def test_a_metadata_file_is_checked_like_the_metadata_of_a_dvd() -> None:
    with pytest.raises(pd.DVDFormatError, match=r"metadata\.duration"):
        loads_metadata_file(b'{"id": "x", "metadata": {"duration": "1s"}}', "x.meta.json")
    assert loads_metadata_file(b'{"metadata": {"duration": 1.5}}', "x.meta.json") == {"duration": 1.5}


def test_yaml_aliases_are_bounded_and_configurable() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 4)]
    text = "interactions: []\nversion: 1\nmetadata:\n" + "".join(f"  {line}\n" for line in levels)
    with pytest.raises(pd.DVDFormatError, match="aliases expand it by 12330 nodes"):
        loads(text.encode(), "aliases.yaml", limits=pd.LoadLimits(max_yaml_alias_nodes=10_000))
    assert len(loads(text.encode(), "aliases.yaml").metadata["a3"]) == 10  # within the default budget


def test_limits_must_be_positive_integers() -> None:
    with pytest.raises(ValueError, match="max_bytes must be a positive integer"):
        pd.LoadLimits(max_bytes=0)


def test_use_dvd_reads_within_its_load_limits(tmp_path: Path) -> None:
    path = tmp_path / "big.dvd.json"
    path.write_bytes(dumps_json(DVDDocument(metadata={"text": "x" * 5000})))
    with (
        pytest.raises(pd.DVDFormatError, match="max_bytes"),
        pd.use_dvd(path, record_mode="none", load_limits=pd.LoadLimits(max_bytes=1000)),
    ):
        pass  # pragma: no cover  # refused on entry
    with pd.use_dvd(path, record_mode="none") as dvd:
        assert len(dvd) == 0
    with pytest.raises(pd.ConfigurationError, match="load_limits must be"):
        pd.use_dvd(path, load_limits=1000)  # type: ignore[typeddict-item]
    with pytest.raises(pd.ConfigurationError, match="Recorder takes no load_limits"):
        pd.Recorder(pd.MemoryCassette(), load_limits=pd.LoadLimits())


def test_a_schema_2_head_that_declares_more_than_the_cap_is_refused_before_allocating() -> None:
    # The head of the indexed layout goes through the same capped frame reader as a schema 1 file.
    compressor = zstandard.ZstdCompressor(level=1, write_checksum=True, write_content_size=True)
    head = compressor.compress(b"\x00" * (2 << 20))  # 2 MiB of content, declared in the frame
    payload = BINARY_MAGIC + (2).to_bytes(2, "big") + len(head).to_bytes(8, "big") + head
    message, peak = refused(payload, LoadLimits(max_bytes=1 << 20))
    assert "more than" in message
    assert peak < 2


def test_vcrpy_metadata_nested_beyond_the_depth_limit_is_refused_not_a_recursion_error() -> None:
    # Found by the in-suite fuzz test: vcrpy metadata was made plain before its depth was checked.
    nested = json.dumps(_nested(900))
    payload = ('{"version": 1, "interactions": [], "metadata": {"deep": ' + nested + "}}").encode()
    assert "nest" in refused(payload)[0]
