"""The two DVD formats: round trips, readable JSON, versioning, and bad input that loses nothing."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import playback_dvd as pd
from playback_dvd import DVDDocument, ExceptionInfo, InputRecord, Interaction, OutputRecord, Request, Response
from playback_dvd.formats import _files, _serialization

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
# What httpx can carry: latin-1 header text and reason phrases, absolute URLs (the loader checks both).
latin1 = st.text(st.characters(max_codepoint=255), max_size=20)
headers = st.lists(st.tuples(latin1, latin1), max_size=4).map(tuple)
urls = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9.-]{1,12}(:[0-9]{1,4})?", fullmatch=True),
    text,
)
requests = st.builds(
    Request, method=st.sampled_from(["GET", "POST"]), url=urls, headers=headers, body=st.binary(max_size=64)
)
responses = st.builds(
    Response,
    status_code=st.integers(100, 599),
    headers=headers,
    body=st.binary(max_size=64) | text.map(str.encode),
    http_version=st.sampled_from(["HTTP/1.1", "HTTP/2"]),
    reason_phrase=latin1,
    body_complete=st.booleans(),
)
exceptions = st.builds(ExceptionInfo, type_name=text, message=text)
interactions = st.one_of(
    st.builds(Interaction, request=requests, response=responses),
    st.builds(Interaction, request=requests, exception=exceptions),
)
plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)
# `duration` and `recorded_at` are the library's own keys, typed (tests/formats/test_bounds.py): any plain
# data under those names is refused on load, as it should be.
metadata_keys = text.filter(lambda key: key not in {"duration", "recorded_at"})
documents = st.builds(
    DVDDocument,
    interactions=st.lists(interactions, max_size=4).map(tuple),
    id=st.none() | text,
    category=st.none() | text,
    metadata=st.dictionaries(metadata_keys, plain, max_size=3),
    inputs=st.dictionaries(
        text, st.builds(InputRecord, value=plain) | st.builds(InputRecord, exception=exceptions), max_size=3
    ),
    outputs=st.lists(st.builds(OutputRecord, key=text, arguments=plain, result=plain), max_size=3).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_json_round_trip_is_lossless(document: DVDDocument) -> None:
    assert _serialization.loads(_serialization.dumps_json(document)) == document


@settings(max_examples=150, deadline=None)
@given(documents)
def test_binary_round_trip_is_lossless(document: DVDDocument) -> None:
    assert _serialization.loads(_serialization.dumps_binary(document)) == document


SAMPLE = DVDDocument(
    interactions=(
        Interaction(
            Request("GET", "https://api.test/a?x=1", (("accept", "*/*"),)),
            Response(
                200, (("set-cookie", "a=1"), ("set-cookie", "b=2")), b'{"ok": true}', reason_phrase="OK"
            ),
        ),
        Interaction(Request("GET", "https://api.test/bin"), Response(200, (), b"\x1f\x8b\x08\x00binary")),
        Interaction(
            Request("GET", "https://api.test/down"), exception=ExceptionInfo("ConnectError", "refused")
        ),
    )
)


def test_json_format_is_readable_and_starts_with_marker_and_version() -> None:
    payload = _serialization.dumps_json(SAMPLE).decode()
    data = json.loads(payload)
    assert list(data)[:2] == ["format", "schema_version"]
    assert (data["format"], data["schema_version"]) == ("playback-dvd", 1)
    assert data["interactions"][0]["response"]["body"] == '{"ok": true}'
    assert "body_base64" in data["interactions"][1]["response"]
    assert '["set-cookie", "a=1"],' in payload  # one header pair per line: diffs read well


def test_json_output_is_stable() -> None:
    assert _serialization.dumps_json(SAMPLE) == _serialization.dumps_json(
        _serialization.loads(_serialization.dumps_json(SAMPLE))
    )


def test_binary_format_starts_with_magic_and_version_and_is_compact() -> None:
    payload = _serialization.dumps_binary(SAMPLE)
    assert payload.startswith(_serialization.BINARY_MAGIC)
    assert payload[8:10] == (2).to_bytes(2, "big")
    assert len(payload) < len(_serialization.dumps_json(SAMPLE))


def test_suffix_chooses_the_format(tmp_path: Path) -> None:
    _files.write_document(tmp_path / "a.dvd", SAMPLE)
    _files.write_document(tmp_path / "a.dvd.json", SAMPLE)
    assert (tmp_path / "a.dvd").read_bytes().startswith(_serialization.BINARY_MAGIC)
    assert (tmp_path / "a.dvd.json").read_bytes().startswith(b"{")
    assert _files.read_document(tmp_path / "a.dvd") == _files.read_document(tmp_path / "a.dvd.json") == SAMPLE


BAD_FILES = {
    "truncated json": lambda: _serialization.dumps_json(SAMPLE)[:-40],
    "truncated binary": lambda: _serialization.dumps_binary(SAMPLE)[:-10],
    "corrupt binary": lambda: _serialization.dumps_binary(SAMPLE)[:20] + b"\x00" * 40,
    "empty": lambda: b"",
    "foreign json": lambda: b'{"hello": "world"}',
    "foreign bytes": lambda: b"\x89PNG\r\n\x1a\n\x00\x00",
    "wrong schema": lambda: (
        b'{"format": "playback-dvd", "schema_version": 1, "interactions": [{"request": 3}]}'
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("suffix", [".dvd.json", ".dvd"])
def test_a_bad_file_is_a_clear_error_and_is_left_as_it_was(kind: str, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"bad{suffix}"
    payload = BAD_FILES[kind]()
    path.write_bytes(payload)
    for mode in ("none", "once", "new_episodes", "all"):
        with pytest.raises(pd.DVDFormatError) as caught, pd.use_dvd(path, record_mode=mode):
            pass
        assert str(path) in str(caught.value)
    assert path.read_bytes() == payload
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("dumps", [_serialization.dumps_json, _serialization.dumps_binary])
def test_a_newer_schema_version_is_refused_by_name(dumps, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    payload = dumps(SAMPLE).replace(b'"schema_version": 1', b'"schema_version": 9')
    if payload.startswith(_serialization.BINARY_MAGIC):
        payload = payload[:8] + (9).to_bytes(2, "big") + payload[10:]
    path = tmp_path / "future.dvd"
    path.write_bytes(payload)
    with pytest.raises(pd.UnsupportedSchemaVersion, match="schema_version 9"):
        _files.read_document(path)


def test_a_failed_save_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keep.dvd.json"
    _files.write_document(path, SAMPLE)
    before = path.read_bytes()

    def broken_fsync(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_files.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        _files.write_document(path, DVDDocument())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.dvd.json"]


def test_a_recorded_exception_of_an_unknown_type_is_not_imported(hx: ModuleType, tmp_path: Path) -> None:
    document = DVDDocument(
        interactions=(
            Interaction(Request("GET", "https://api.test/x"), exception=ExceptionInfo("os.system", "rm -rf")),
        )
    )
    path = tmp_path / "hostile.dvd.json"
    _files.write_document(path, document)
    with pd.use_dvd(path, record_mode="none"), pytest.raises(pd.ReplayedException) as caught:
        hx.get("https://api.test/x")
    assert (caught.value.type_name, caught.value.message) == ("os.system", "rm -rf")
