"""Mutated real recordings (both formats, vcrpy YAML and JSON, metadata files) load or give DVDFormatError.

A few seconds of the fuzzing that ``fuzz/fuzz_loaders.py`` does for as long as it is asked (see
CONTRIBUTING): byte-level damage anywhere in a file, and structural damage (one field of the decoded
document replaced by a hostile value, the document encoded again, so that it passes the checksum). What
loads must then survive everything the library does with a DVD (`fuzz_target.exercise`).
"""

from __future__ import annotations

import json
from typing import Any

import msgpack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playback_dvd.formats import _validation

from . import fuzz_target

SEEDS = [seed for seed in fuzz_target.seed_inputs() if seed[1:2] != b"" and len(seed) < 20_000]


@st.composite
def byte_damage(draw: st.DrawFn) -> bytes:
    """A seed with bytes flipped, inserted, removed, or cut short."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(1, max(1, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and position < len(data):
            data[position] ^= draw(st.integers(1, 255))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 16))]
        else:
            del data[position:]
    return bytes(data)


def _decodable(seed: bytes) -> bool:
    mode, payload = seed[0], seed[1:]
    if mode == fuzz_target.FRAMED_MSGPACK:
        return True
    try:
        json.loads(payload)
    except (ValueError, RecursionError):  # binary, YAML, or the deep-nesting reproducers
        return False
    return True


STRUCTURED = [seed for seed in SEEDS if _decodable(seed)]


@st.composite
def field_damage(draw: st.DrawFn) -> bytes:
    """A seed whose decoded document has one node (picked by a path of indexes) replaced."""
    seed = draw(st.sampled_from(STRUCTURED))
    path = draw(st.lists(st.integers(0, 63), min_size=1, max_size=7))
    replacement = draw(st.sampled_from(fuzz_target.PALETTE))
    mode, payload = seed[0], seed[1:]
    if mode == fuzz_target.FRAMED_MSGPACK:
        value = msgpack.unpackb(payload, raw=False)
        return seed[:1] + fuzz_target.packed(fuzz_target.mutate_value(value, path, replacement))
    if isinstance(replacement, bytes):
        replacement = replacement.decode("latin-1")
    mutated = fuzz_target.mutate_value(json.loads(payload), path, replacement)
    return seed[:1] + json.dumps(mutated).encode("utf-8")


def test_every_kind_of_seed_is_there() -> None:
    modes = {seed[0] for seed in SEEDS}
    assert modes == {fuzz_target.RAW, fuzz_target.FRAMED_MSGPACK, fuzz_target.META_FILE, fuzz_target.METADATA}
    for seed in fuzz_target.seed_inputs():
        fuzz_target.check_input(seed)  # the seeds themselves: loaded and exercised, or refused


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(byte_damage())
def test_damaged_bytes_load_or_give_dvd_format_error(data: bytes) -> None:
    fuzz_target.check_input(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field_damage())
def test_a_damaged_field_loads_and_works_or_gives_dvd_format_error(data: bytes) -> None:
    fuzz_target.check_input(data)


BINARY_ROWS = [
    row
    for seed in fuzz_target.seed_inputs()
    if seed[0] == fuzz_target.FRAMED_MSGPACK
    for row in msgpack.unpackb(seed[1:], raw=False)["interactions"]
]
JSON_INTERACTIONS = json.loads((fuzz_target.SEEDS / "use_dvd.dvd.json").read_bytes())["interactions"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(BINARY_ROWS + JSON_INTERACTIONS),
    st.lists(st.integers(0, 63), min_size=1, max_size=4),
    st.sampled_from(fuzz_target.PALETTE),
)
def test_the_fast_pass_accepts_nothing_the_field_by_field_pass_refuses(
    record: Any, path: list[int], replacement: Any
) -> None:
    damaged = fuzz_target.mutate_value(record, path, replacement)
    if isinstance(record, list):
        fast, checked = _validation._good_interaction, _validation._checked_interaction_from_row
    else:
        fast, checked = _validation._good_json_interaction, _validation.interaction_from_json
    quick = fast(damaged)
    try:
        expected = checked(damaged, "row")
    except _validation.InvalidField:
        assert quick is None
    else:
        assert quick is None or quick == expected
