"""The ``.dvd`` layout of schema version 2: opened without decoding, decoded when read; v1 still read."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings

import playback_dvd as pd
from playback_dvd._models import DVDDocument, Interaction, Request, Response, wire_response
from playback_dvd.dvd._dvd import DVD
from playback_dvd.formats import _files, _indexed_binary, _serialization
from playback_dvd.formats._indexed_binary import LazyInteractions

from .._server import LocalServer
from .test_formats import SAMPLE, documents


def item(number: int, body_size: int = 300) -> Interaction:
    body = (f'{{"id":{number},"pad":"' + "x" * body_size + '"}').encode()
    return Interaction(
        Request("GET", f"http://api.test/items/{number}?q=v{number}", (("Host", "api.test"),)),
        Response(200, (("Content-Type", "application/json"),), body, "HTTP/1.1", "OK"),
    )


@settings(max_examples=60, deadline=None)
@given(documents)
def test_any_document_round_trips_and_reads_like_a_tuple(document: DVDDocument) -> None:
    loaded = _serialization.loads(_serialization.dumps_binary(document))
    assert isinstance(loaded.interactions, LazyInteractions)
    assert loaded == document
    assert tuple(loaded.interactions) == document.interactions
    assert loaded.interactions[1:3] == document.interactions[1:3]
    if document.interactions:
        assert loaded.interactions[-1] == document.interactions[-1]


def test_bodies_spanning_several_blocks_come_back_whole() -> None:
    big = Interaction(Request("GET", "http://api.test/big"), Response(200, body=bytes(range(256)) * 1000))
    document = DVDDocument(interactions=(item(1), big, item(2)))
    loaded = _serialization.loads(_serialization.dumps_binary(document))
    assert len(big.response.body) > 3 * _indexed_binary.BLOCK_SIZE  # type: ignore[union-attr]
    assert loaded.interactions == document.interactions


def test_a_version_1_file_still_loads_and_replays(hx: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "old.dvd"
    path.write_bytes(_serialization.dumps_binary_v1(DVDDocument(interactions=(item(1), item(2)))))
    assert path.read_bytes()[8:10] == (1).to_bytes(2, "big")
    assert _files.read_document(path) == DVDDocument(interactions=(item(1), item(2)))
    with pd.use_dvd(path, record_mode="none"):
        assert hx.get("http://api.test/items/2?q=v2").json()["id"] == 2


def test_the_index_comes_from_the_stored_keys_without_decoding_a_row(tmp_path: Path) -> None:
    document = _serialization.loads(_serialization.dumps_binary(DVDDocument(interactions=(item(1), item(2)))))
    decoded: list[list[object]] = []
    interactions = document.interactions
    assert isinstance(interactions, LazyInteractions)
    original = interactions._decode
    interactions._decode = lambda row, path: decoded.append(row) or original(row, path)  # type: ignore[func-returns-value]
    dvd = DVD.from_document(document, record_mode="none")
    dvd._build_index()
    assert decoded == []
    played = dvd.play(item(2).request)
    assert played == item(2)
    assert len(decoded) == 1  # only the replayed interaction


def test_other_matchers_compute_their_keys_from_the_rows(hx: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "a.dvd"
    _files.write_document(path, DVDDocument(interactions=(item(1), item(2))))
    with pd.use_dvd(path, record_mode="none", match_on=["method", "path"]):
        assert hx.get("http://api.test/items/2?q=other").json()["id"] == 2


def test_identical_requests_replay_in_recorded_order_from_a_stored_index(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "repeats.dvd"
    with pd.use_dvd(path, record_mode="all"):
        first = [hx.get(f"{server.url}/items?id=1").text for _ in range(3)]
    with pd.use_dvd(path, record_mode="none"):
        assert [hx.get(f"{server.url}/items?id=1").text for _ in range(3)] == first


def test_new_episodes_adds_to_a_lazily_opened_dvd_and_saves_everything(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "grow.dvd"
    with pd.use_dvd(path, record_mode="all"):
        hx.get(f"{server.url}/items?id=1")
    with pd.use_dvd(path, record_mode="new_episodes") as dvd:
        hx.get(f"{server.url}/items?id=1")
        hx.get(f"{server.url}/items?id=2")
        assert len(dvd) == 2
    urls = [i.request.url for i in _files.read_document(path).interactions]  # type: ignore[union-attr]
    assert urls == [f"{server.url}/items?id=1", f"{server.url}/items?id=2"]


def test_a_corrupt_body_block_is_a_clear_error_when_replayed(hx: ModuleType, tmp_path: Path) -> None:
    payload = bytearray(_serialization.dumps_binary(DVDDocument(interactions=(item(1, 5000),))))
    payload[-30] ^= 0xFF  # inside the last (only) body block
    path = tmp_path / "corrupt.dvd"
    path.write_bytes(bytes(payload))
    document = _files.read_document(path)  # opening reads no body block: it succeeds
    assert document is not None
    with pytest.raises(pd.DVDFormatError, match="body block 0 is corrupt"):
        document.interactions[0]
    with pd.use_dvd(path, record_mode="none"), pytest.raises(pd.DVDFormatError, match=str(path)):
        hx.get("http://api.test/items/1?q=v1")


@pytest.mark.parametrize("cut", [1, 20])
def test_a_truncated_file_is_refused_when_opened(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "cut.dvd"
    path.write_bytes(_serialization.dumps_binary(SAMPLE)[:-cut])
    with pytest.raises(pd.DVDFormatError, match="truncated or corrupt"):
        _files.read_document(path)


def test_a_row_off_schema_is_named_when_read() -> None:
    document = _serialization.loads(_serialization.dumps_binary(DVDDocument(interactions=(item(1),))))
    interactions = document.interactions
    assert isinstance(interactions, LazyInteractions)
    interactions._rows[0] = b"\x93\x01\x02\x03"  # a msgpack [1, 2, 3]: not a row
    with pytest.raises(pd.DVDFormatError, match="interaction 0 does not follow the DVD schema"):
        interactions[0]


@pytest.mark.parametrize("size", [0, 1, 17])
def test_lengths_and_iteration(size: int) -> None:
    document = DVDDocument(interactions=tuple(item(n) for n in range(size)))
    loaded = _serialization.loads(_serialization.dumps_binary(document)).interactions
    assert len(loaded) == size
    assert list(loaded) == list(document.interactions)
    with pytest.raises(IndexError):
        loaded[size]


@settings(max_examples=60, deadline=None)
@given(documents)
def test_the_wire_form_read_from_a_row_is_the_one_of_its_decoded_response(document: DVDDocument) -> None:
    loaded = _serialization.loads(_serialization.dumps_binary(document))
    assert isinstance(loaded.interactions, LazyInteractions)
    for number, interaction in enumerate(document.interactions):
        expected = None if interaction.response is None else wire_response(interaction.response)
        assert loaded.interactions.wire_response(number) == expected


def test_a_header_holding_a_line_feed_still_comes_back_whole() -> None:
    # The replay path joins a row's headers on line feeds to encode them at once: a forged header holding
    # one must not shift the others.
    response = Response(200, (("X-A", "one\ntwo"), ("X-B", "three")), b"body")
    document = DVDDocument(interactions=(Interaction(Request("GET", "http://api.test/"), response),))
    loaded = _serialization.loads(_serialization.dumps_binary(document))
    assert isinstance(loaded.interactions, LazyInteractions)
    assert loaded.interactions.wire_response(0) == (
        200,
        [(b"X-A", b"one\ntwo"), (b"X-B", b"three")],
        b"body",
        b"HTTP/1.1",
        b"",
    )


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        (1, ["x-a", 7], "response.headers"),  # a header value that is not text
        (1, ["x-a", "\u20ac"], "response.headers"),  # nor latin-1
        (1, ["x-a"], "response.headers"),  # a name without its value
        (0, 99, "response.status_code"),
        (4, b"HTTP/1.1", "response.http_version"),
    ],
)
def test_a_forged_response_row_is_refused_by_the_replay_path_naming_its_field(
    field: int, value: object, named: str
) -> None:
    import msgpack

    document = _serialization.loads(_serialization.dumps_binary(DVDDocument(interactions=(item(1),))))
    interactions = document.interactions
    assert isinstance(interactions, LazyInteractions)
    row = msgpack.unpackb(interactions._rows[0], raw=False)
    row[4][field] = value
    interactions._rows[0] = msgpack.packb(row, use_bin_type=True)
    with pytest.raises(pd.DVDFormatError, match=rf"interactions\[0\]\.{named}"):
        interactions.wire_response(0)
