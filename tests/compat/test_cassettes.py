"""playback's cassettes over playback_dvd's backends: the Recording API, searches, record-only saving."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from playback_dvd import DVDFormatError
from playback_dvd.compat.playback.exceptions import NoSuchRecording, RecordingKeyError
from playback_dvd.compat.playback.recording import Recording
from playback_dvd.compat.playback.recordings.factory import get_recording_class
from playback_dvd.compat.playback.recordings.sqlite.sqlite_recording import SqliteRecording
from playback_dvd.compat.playback.tape_cassette import TapeCassette
from playback_dvd.compat.playback.tape_cassettes.asynchronous.async_record_only_tape_cassette import (
    AsyncRecordOnlyTapeCassette,
)
from playback_dvd.compat.playback.tape_cassettes.file_based.file_based_tape_cassette import (
    FileBasedTapeCassette,
)
from playback_dvd.compat.playback.tape_cassettes.in_memory.in_memory_tape_cassette import (
    InMemoryTapeCassette,
)


@pytest.fixture(params=["memory", "file"])
def tape_cassette(request: pytest.FixtureRequest, tmp_path: Path) -> TapeCassette:
    if request.param == "memory":
        return InMemoryTapeCassette()
    return FileBasedTapeCassette(tmp_path / "recordings")


def test_a_saved_recording_reads_back_its_data_and_metadata(tape_cassette: TapeCassette) -> None:
    recording = tape_cassette.create_new_recording("Checkout")
    recording.set_data("blob", b"\r\n\x00")
    recording["order"] = {"id": 7, "lines": [1, 2]}
    recording.add_metadata({"customer": "acme"})
    tape_cassette.save_recording(recording)
    loaded = tape_cassette.get_recording(recording.id)
    assert loaded.get_data("blob") == b"\r\n\x00"
    assert loaded["order"] == {"id": 7, "lines": [1, 2]}
    assert sorted(loaded.get_all_keys()) == ["blob", "order"]
    assert loaded.get_metadata()["customer"] == "acme"
    assert tape_cassette.get_recording_metadata(recording.id)["customer"] == "acme"
    assert tape_cassette.extract_recording_category(recording.id) == "Checkout"


def test_each_read_is_a_fresh_copy() -> None:
    recording = Recording.new()
    recording.set_data("counter", {"n": 0})
    first = recording.get_data("counter")
    first["n"] = 99
    assert recording.get_data("counter") == {"n": 0}
    with pytest.raises(RecordingKeyError):
        recording.get_data("missing")


def test_an_unknown_id_is_no_such_recording(tape_cassette: TapeCassette) -> None:
    with pytest.raises(NoSuchRecording):
        tape_cassette.get_recording("Checkout/2026-01-01/" + "0" * 32)
    with pytest.raises(NoSuchRecording):
        tape_cassette.get_recording_metadata("not an id")


def test_searches_filter_by_category_and_playbacks_metadata_rules(tape_cassette: TapeCassette) -> None:
    ids = []
    for region, amount in (("eu-west", 5), ("us-east", 50), ("eu-north", 500)):
        recording = tape_cassette.create_new_recording("Checkout")
        recording.add_metadata({"region": region, "amount": amount})
        tape_cassette.save_recording(recording)
        ids.append(recording.id)
    other = tape_cassette.create_new_recording("Refund")
    tape_cassette.save_recording(other)

    def found(**metadata: object) -> set[str]:
        return set(tape_cassette.iter_recording_ids("Checkout", metadata=metadata))

    assert found() == set(ids)
    assert found(region="eu-*") == {ids[0], ids[2]}
    assert found(amount={"operator": ">", "value": 10}) == {ids[1], ids[2]}
    assert found(region=["us-east", "nowhere"]) == {ids[1]}
    assert len(list(tape_cassette.iter_recording_ids("Checkout", limit=2))) == 2
    assert TapeCassette.match_against_recorded_metadata({"amount": [5, 6]}, {"amount": 5})


def test_a_recording_travels_as_a_binary_dvd_not_as_pickle() -> None:
    recording = SqliteRecording.new("Checkout/2026-01-01/" + "1" * 32)
    recording.set_data("total", 12)
    with recording.as_buffered_reader() as (reader, size):
        assert size > 0
        copy = SqliteRecording.from_buffered_reader(recording.id, reader, {"source": "s3"})
    assert copy.get_data("total") == 12
    assert copy.get_metadata()["source"] == "s3"
    pickled = io.BytesIO(b'x\x9c{"py/reduce": [{"py/function": "os.system"}]}')
    with pytest.raises(DVDFormatError):
        Recording.from_buffered_reader("x", pickled)


def test_the_recording_factory_uses_a_fixed_table() -> None:
    assert get_recording_class({}) is Recording
    assert get_recording_class({"_recording_type": "sqlite"}) is SqliteRecording
    with pytest.raises(ValueError, match=r"Unsupported recording type os\.system"):
        get_recording_class({"_recording_type": "os.system"})


def test_the_async_record_only_cassette_saves_in_the_background() -> None:
    class SlowCassette(InMemoryTapeCassette):
        def __init__(self) -> None:
            super().__init__()
            self.release = threading.Event()
            self.saved_in: list[str] = []

        def _save_recording(self, recording: Recording) -> None:
            self.release.wait(10)
            self.saved_in.append(threading.current_thread().name)
            super()._save_recording(recording)

    inner = SlowCassette()
    cassette = AsyncRecordOnlyTapeCassette(inner)
    cassette.start()
    recording = cassette.create_new_recording("Checkout")
    recording.set_data("a", 1)
    cassette.save_recording(recording)  # returns while the save waits
    assert inner.get_all_recording_ids() == []
    with pytest.raises(TypeError, match="record-only"):
        cassette.get_recording(recording.id)
    inner.release.set()
    cassette.close()
    assert inner.get_recording(recording.id).get_data("a") == 1
    assert inner.saved_in == ["playback_dvd-saver"]
    assert cassette.stats.recorded == 1
