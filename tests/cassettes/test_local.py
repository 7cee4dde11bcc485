"""LocalCassette specifics: the layout on disk, searches that never open DVDs, several processes at once."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import playback_dvd as pd
from playback_dvd import DVDDocument
from playback_dvd.cassettes import new_recording_id

WHEN = datetime(2026, 11, 20, 8, 30, tzinfo=timezone.utc)


def document(category: str = "Checkout", **metadata: object) -> DVDDocument:
    return DVDDocument(
        id=new_recording_id(category, WHEN),
        category=category,
        metadata={"recorded_at": WHEN.isoformat(), **metadata},
    )


def test_layout_mirrors_the_s3_keys(tmp_path: Path) -> None:
    cassette = pd.LocalCassette(tmp_path)
    recording = document()
    cassette.save_recording(recording)
    unique = recording.id.rsplit("/", 1)[1]
    folder = tmp_path / "Checkout" / "2026" / "11" / "20"
    assert sorted(path.name for path in folder.iterdir()) == [f"{unique}.dvd", f"{unique}.meta.json"]


def test_search_reads_metadata_only(tmp_path: Path) -> None:
    cassette = pd.LocalCassette(tmp_path)
    recording = document(order_id=7)
    cassette.save_recording(recording)
    dvd_file = next(tmp_path.rglob("*.dvd"))
    dvd_file.write_bytes(b"garbage")  # a search that opened DVDs would fail now
    assert list(cassette.iter_recording_ids("Checkout", metadata={"order_id": 7})) == [recording.id]
    with pytest.raises(pd.DVDFormatError) as caught:
        cassette.get_recording(recording.id)
    assert str(dvd_file) in str(caught.value)
    assert dvd_file.read_bytes() == b"garbage"


def test_a_dvd_without_metadata_is_not_found_by_search_but_still_loads(tmp_path: Path) -> None:
    cassette = pd.LocalCassette(tmp_path)
    recording = document(order_id=1)
    cassette.save_recording(recording)
    next(tmp_path.rglob("*.meta.json")).unlink()  # as after a crash between the two writes
    assert list(cassette.iter_recording_ids("Checkout")) == []
    assert cassette.get_recording(recording.id) == recording
    assert cassette.get_recording_metadata(recording.id)["order_id"] == 1


def test_json_cassette_writes_readable_dvds(tmp_path: Path) -> None:
    cassette = pd.LocalCassette(tmp_path, binary=False)
    cassette.save_recording(document())
    assert next(tmp_path.rglob("*.dvd.json")).read_text().startswith("{")


def test_an_id_of_another_category_is_refused_on_save(tmp_path: Path) -> None:
    recording = document("Checkout")
    with pytest.raises(ValueError, match="not of category"):
        pd.LocalCassette(tmp_path).save_recording(DVDDocument(id=recording.id, category="Refund"))


def test_two_processes_saving_into_one_directory_lose_nothing(tmp_path: Path) -> None:
    script = (
        "import sys, playback_dvd as pd\n"
        "from playback_dvd._models import DVDDocument\n"
        "from playback_dvd.cassettes import new_recording_id\n"
        "cassette = pd.LocalCassette(sys.argv[1])\n"
        "for n in range(50):\n"
        "    cassette.save_recording(DVDDocument(id=new_recording_id('Checkout'), category='Checkout',"
        " metadata={'writer': sys.argv[2], 'n': n}))\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name]) for name in ("a", "b")]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    cassette = pd.LocalCassette(tmp_path)
    for name in ("a", "b"):
        assert len(list(cassette.iter_recording_ids("Checkout", metadata={"writer": name}))) == 50
