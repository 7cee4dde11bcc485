"""`LocalCassette` beyond the contract and ``test_local.py``: formats, corrupt files, hostile ids, cost."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from playback_dvd import DVDDocument, DVDFormatError, LocalCassette, RecordingNotFound
from playback_dvd.cassettes import new_recording_id
from playback_dvd.formats._serialization import dumps_binary

from ._recordings import CATEGORY, full_document, save_small

DAY = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)


def _files(directory: Path) -> list[str]:
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file())


def _unique(recording_id: str) -> str:
    return recording_id.rsplit("/", 1)[1]


def test_a_recording_is_a_dvd_and_a_metadata_file_in_its_day_folder(tmp_path: Path) -> None:
    recording_id = save_small(LocalCassette(tmp_path), DAY)
    unique = _unique(recording_id)
    assert _files(tmp_path) == [
        f"Checkout/2026/03/04/{unique}.dvd",
        f"Checkout/2026/03/04/{unique}.meta.json",
    ]


def test_the_metadata_file_holds_id_category_and_metadata(tmp_path: Path) -> None:
    recording_id = save_small(LocalCassette(tmp_path), DAY, order_id=7)
    data = json.loads((tmp_path / f"Checkout/2026/03/04/{_unique(recording_id)}.meta.json").read_text())
    assert data == {
        "id": recording_id,
        "category": CATEGORY,
        "metadata": {"recorded_at": DAY.isoformat(), "order_id": 7},
    }


def test_binary_false_writes_readable_json_dvds(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path, binary=False)
    recording_id = save_small(cassette, DAY)
    path = tmp_path / f"Checkout/2026/03/04/{_unique(recording_id)}.dvd.json"
    assert json.loads(path.read_text())["id"] == recording_id
    assert cassette.recording_path(recording_id) == path


def test_either_format_is_read_whatever_the_cassette_writes(tmp_path: Path) -> None:
    binary_id = save_small(LocalCassette(tmp_path), DAY)
    json_id = save_small(LocalCassette(tmp_path, binary=False), DAY)
    for reader in (LocalCassette(tmp_path), LocalCassette(tmp_path, binary=False)):
        assert reader.get_recording(binary_id).id == binary_id
        assert reader.get_recording(json_id).id == json_id


def test_overwriting_in_the_other_format_leaves_one_dvd(tmp_path: Path) -> None:
    recording_id = save_small(LocalCassette(tmp_path, binary=False), DAY, version=1)
    replacement = DVDDocument(id=recording_id, category=CATEGORY, metadata={"version": 2})
    LocalCassette(tmp_path).save_recording(replacement)
    unique = _unique(recording_id)
    assert _files(tmp_path) == [
        f"Checkout/2026/03/04/{unique}.dvd",
        f"Checkout/2026/03/04/{unique}.meta.json",
    ]
    assert LocalCassette(tmp_path, binary=False).get_recording(recording_id) == replacement


def test_an_unknown_id_error_names_the_id_and_the_directory(tmp_path: Path) -> None:
    recording_id = new_recording_id(CATEGORY, DAY)
    with pytest.raises(RecordingNotFound) as caught:
        LocalCassette(tmp_path / "store").get_recording(recording_id)
    assert recording_id in str(caught.value)
    assert str(tmp_path / "store") in str(caught.value)


def test_a_corrupt_dvd_is_a_format_error_naming_the_file(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    recording_id = save_small(cassette, DAY)
    path = cassette.recording_path(recording_id)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DVDFormatError) as caught:
        cassette.get_recording(recording_id)
    assert caught.value.path == str(path)


def test_a_corrupt_metadata_file_is_a_format_error_naming_the_file(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    recording_id = save_small(cassette, DAY)
    path = tmp_path / f"Checkout/2026/03/04/{_unique(recording_id)}.meta.json"
    path.write_text('{"metadata": ')
    with pytest.raises(DVDFormatError, match=r"\.meta\.json") as caught:
        cassette.get_recording_metadata(recording_id)
    assert caught.value.path == str(path)
    with pytest.raises(DVDFormatError, match=r"\.meta\.json"):
        list(cassette.iter_recording_ids(CATEGORY, metadata={"a": 1}))


def test_searching_by_metadata_never_opens_a_dvd(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    ids = [save_small(cassette, DAY + timedelta(seconds=n), order_id=n) for n in range(5)]
    for recording_id in ids:  # were a search to decode a DVD, it would now fail
        cassette.recording_path(recording_id).write_bytes(b"garbage")
    found = cassette.iter_recordings_metadata(CATEGORY, metadata={"order_id": {"operator": ">=", "value": 3}})
    assert [(recording_id, metadata["order_id"]) for recording_id, metadata in found] == [
        (ids[4], 4),
        (ids[3], 3),
    ]
    assert cassette.get_recording_metadata(ids[0])["order_id"] == 0


def test_searching_whole_days_without_metadata_filter_reads_no_metadata_file(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    recording_id = save_small(cassette, DAY)
    (tmp_path / f"Checkout/2026/03/04/{_unique(recording_id)}.meta.json").write_text("not json")
    assert list(cassette.iter_recording_ids(CATEGORY)) == [recording_id]
    assert list(cassette.iter_recording_ids(CATEGORY, start_date=datetime(2026, 3, 4))) == [recording_id]


def test_a_day_folder_outside_the_window_is_never_read(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    save_small(cassette, datetime(2026, 3, 1, 12), order_id=1)
    inside = save_small(cassette, datetime(2026, 3, 4, 12), order_id=1)
    for path in (tmp_path / "Checkout/2026/03/01").iterdir():
        path.write_text("not json")
    found = cassette.iter_recording_ids(CATEGORY, start_date=datetime(2026, 3, 2), metadata={"order_id": 1})
    assert list(found) == [inside]


def test_stray_files_and_folders_are_ignored_by_searches(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    recording_id = save_small(cassette, DAY)
    day_folder = tmp_path / "Checkout/2026/03/04"
    (day_folder / f".{_unique(recording_id)}.meta.json.x1y2.tmp").write_text("half written")
    (day_folder / "notes.txt").write_text("hello")
    (tmp_path / "Checkout/2026/13/40").mkdir(parents=True)
    (tmp_path / "Checkout/2026/13/40" / f"{'a' * 32}.meta.json").write_text("{}")
    (tmp_path / "Checkout/archive").mkdir()
    (tmp_path / "Checkout/README").write_text("stray")
    assert list(cassette.iter_recording_ids(CATEGORY)) == [recording_id]


def test_metadata_that_is_not_json_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    document = DVDDocument(id=new_recording_id(CATEGORY, DAY), category=CATEGORY, metadata={"when": DAY})
    with pytest.raises(TypeError, match="must be JSON data"):
        LocalCassette(tmp_path).save_recording(document)
    assert _files(tmp_path) == []


@pytest.mark.parametrize("category", ["..", "."])
def test_an_id_climbing_out_of_the_directory_touches_nothing(tmp_path: Path, category: str) -> None:
    store = tmp_path / "store"
    unique = "0" * 32
    outside = tmp_path / "2026/03/04" / f"{unique}.dvd"
    outside.parent.mkdir(parents=True)
    outside.write_bytes(dumps_binary(full_document(f"x/2026-03-04/{unique}", "x")))
    hostile = f"{category}/2026-03-04/{unique}"
    cassette = LocalCassette(store, create=False)
    for action in (cassette.get_recording, cassette.get_recording_metadata):
        with pytest.raises(RecordingNotFound, match="not a recording id"):
            action(hostile)
    cassette.delete_recording(hostile)
    with pytest.raises(ValueError, match="not a recording id"):
        cassette.save_recording(DVDDocument(id=hostile))
    assert outside.exists()
    assert not store.exists()


def test_a_category_search_cannot_climb_out_of_the_directory(tmp_path: Path) -> None:
    save_small(LocalCassette(tmp_path), DAY, "Checkout")
    assert list(LocalCassette(tmp_path / "Checkout").iter_recording_ids("..")) == []


def test_a_search_of_a_directory_that_does_not_exist_is_empty(tmp_path: Path) -> None:
    assert list(LocalCassette(tmp_path / "missing", create=False).iter_recording_ids(CATEGORY)) == []
    assert not (tmp_path / "missing").exists()


def test_a_second_cassette_on_the_same_directory_sees_every_recording(tmp_path: Path) -> None:
    recording_id = save_small(LocalCassette(tmp_path), DAY)
    assert list(LocalCassette(os.fspath(tmp_path)).iter_recording_ids(CATEGORY)) == [recording_id]


def test_deleting_removes_every_file_of_the_recording(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    recording_id = save_small(cassette, DAY)
    cassette.delete_recording(recording_id)
    assert _files(tmp_path) == []


def test_it_is_a_context_manager(tmp_path: Path) -> None:
    with LocalCassette(tmp_path) as cassette:
        recording_id = save_small(cassette, DAY)
    assert LocalCassette(tmp_path).get_recording(recording_id).id == recording_id


def test_its_repr_names_the_directory_and_format(tmp_path: Path) -> None:
    assert repr(LocalCassette("recordings", binary=False)) == "LocalCassette('recordings', binary=False)"


def test_a_search_with_limit_stops_reading_at_its_last_match(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path)
    older = save_small(cassette, DAY, order_id=1)
    newest = save_small(cassette, DAY + timedelta(seconds=1), order_id=1)
    (tmp_path / f"Checkout/2026/03/04/{_unique(older)}.meta.json").write_text("not json")
    assert list(cassette.iter_recording_ids(CATEGORY, metadata={"order_id": 1}, limit=1)) == [newest]


def test_a_local_cassette_creates_its_directory(tmp_path: Path) -> None:
    directory = tmp_path / "not" / "yet"
    cassette = LocalCassette(directory)
    assert directory.is_dir()
    assert list(cassette.iter_recording_ids("Checkout")) == []
