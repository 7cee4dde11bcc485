"""``playback-dvd convert``, run as a real subprocess: vcrpy cassettes into DVDs, and between our formats."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import vcr

import playback_dvd as pd
from playback_dvd.formats._files import read_document

from .._server import LocalServer


def convert(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playback_dvd.cli", "convert", *args],
        capture_output=True,
        text=True,
        check=False,
    )


# Through httpx alone: convert works on files (tests/formats/test_vcrpy.py records and replays vcrpy
# cassettes through both libraries), and each run here is a subprocess.
@pytest.fixture
def cassette(tmp_path: Path, server: LocalServer) -> Path:
    """A vcrpy YAML cassette recorded against the local server (text, gzip and binary bodies)."""
    path = tmp_path / "cassette.yaml"
    with vcr.use_cassette(str(path), record_mode="once"), httpx.Client() as client:
        client.get(f"{server.url}/items?id=1")
        client.get(f"{server.url}/gzip")
        client.get(f"{server.url}/binary")
    server.reset()
    return path


@pytest.mark.parametrize("suffix", [".dvd.json", ".dvd"])
def test_convert_turns_a_vcrpy_cassette_into_a_dvd_that_replays(
    suffix: str, cassette: Path, tmp_path: Path, server: LocalServer
) -> None:
    target = tmp_path / f"converted{suffix}"
    result = convert(str(cassette), str(target))
    assert result.returncode == 0, result.stderr
    assert "3 interactions" in result.stdout
    with pd.use_dvd(target, record_mode="none") as dvd, httpx.Client() as client:
        assert client.get(f"{server.url}/items?id=1").json()["id"] == "1"
        assert client.get(f"{server.url}/gzip").json() == {"compressed": "gzip"}
        assert client.get(f"{server.url}/binary").content == bytes(range(256)) * 4
    assert dvd.all_played
    assert server.hits == []


def test_convert_round_trips_between_our_formats_losslessly(cassette: Path, tmp_path: Path) -> None:
    first_json, binary, second_json = tmp_path / "a.dvd.json", tmp_path / "b.dvd", tmp_path / "c.dvd.json"
    for source, target in [(cassette, first_json), (first_json, binary), (binary, second_json)]:
        result = convert(str(source), str(target))
        assert result.returncode == 0, result.stderr
    assert second_json.read_bytes() == first_json.read_bytes()
    assert read_document(binary) == read_document(first_json)
    back_to_binary = tmp_path / "d.dvd"
    assert convert(str(second_json), str(back_to_binary)).returncode == 0
    assert read_document(back_to_binary) == read_document(binary)


def test_convert_of_a_missing_source_exits_2_naming_it(tmp_path: Path) -> None:
    result = convert(str(tmp_path / "nope.yaml"), str(tmp_path / "out.dvd"))
    assert result.returncode == 2
    assert "nope.yaml: no such file" in result.stderr
    assert not (tmp_path / "out.dvd").exists()


def test_convert_of_a_bad_source_exits_2_with_the_reason(tmp_path: Path) -> None:
    source = tmp_path / "broken.yaml"
    source.write_text("interactions: [\n")
    result = convert(str(source), str(tmp_path / "out.dvd"))
    assert result.returncode == 2
    assert "broken.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.dvd").exists()


def test_convert_refuses_to_write_anything_but_our_formats(cassette: Path, tmp_path: Path) -> None:
    result = convert(str(cassette), str(tmp_path / "out.yaml"))
    assert result.returncode == 2
    assert ".dvd or .dvd.json" in result.stderr


def test_convert_keeps_an_existing_destination_unless_forced(cassette: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.dvd.json"
    target.write_text("precious")
    refused = convert(str(cassette), str(target))
    assert refused.returncode == 2
    assert "--force" in refused.stderr
    assert target.read_text() == "precious"
    assert convert(str(cassette), str(target), "--force").returncode == 0
    document = read_document(target)
    assert document is not None
    assert len(document.interactions) == 3


def test_convert_without_arguments_is_a_usage_error() -> None:
    result = convert()
    assert result.returncode == 2
    assert "SRC" in result.stderr
