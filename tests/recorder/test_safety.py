"""Production safety: recording failures are logged and counted, never raised; background saving."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from playback_dvd import DVDDocument, MemoryCassette, Recorder, RecorderStats

from .conftest import only_recording, recordings


class DiskFullCassette(MemoryCassette):
    """A cassette whose storage is full: every save raises, as a real full disk would."""

    def save_recording(self, document: DVDDocument) -> None:
        raise OSError(28, "No space left on device")


class GatedCassette(MemoryCassette):
    """A cassette whose saves wait for a gate (a slow store), and say when one started."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.saving = threading.Event()

    def save_recording(self, document: DVDDocument) -> None:
        self.saving.set()
        self.gate.wait(timeout=30)
        super().save_recording(document)


def test_a_failing_save_is_logged_and_counted_and_the_result_returned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(DiskFullCassette())

    @recorder.operation(category="full")
    def handle() -> str:
        return "result"

    assert handle() == "result"
    assert recorder.stats == RecorderStats(recorded=0, dropped=0, failed=1)
    assert "could not save recording full/" in caplog.text
    assert "No space left on device" in caplog.text
    assert all(record.name == "playback_dvd" for record in caplog.records)


def test_the_operations_own_exception_passes_through_untouched() -> None:
    recorder = Recorder(DiskFullCassette())
    error = ValueError("the operation's own")

    @recorder.operation(category="full")
    def handle() -> None:
        raise error

    with pytest.raises(ValueError, match="own") as raised:
        handle()
    assert raised.value is error
    assert recorder.stats.failed == 1


def test_an_unstorable_input_drops_the_recording_naming_the_alias(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    lock = threading.Lock()

    @recorder.intercept_input("locks.get")
    def get_lock() -> threading.Lock:
        return lock

    @recorder.operation(category="unstorable")
    def handle() -> bool:
        return get_lock() is lock

    assert handle() is True
    assert recordings(recorder, "unstorable") == []
    assert recorder.stats == RecorderStats(recorded=0, dropped=0, failed=1)
    assert "cannot record the value of 'locks.get'" in caplog.text
    assert "register_unstructure_hook" in caplog.text


@pytest.mark.anyio
async def test_an_unstorable_async_result_drops_the_recording(recorder: Recorder) -> None:
    marker = object()

    @recorder.operation(category="unstorable")
    async def handle() -> object:
        return marker

    assert await handle() is marker
    assert recorder.stats.failed == 1
    assert recordings(recorder, "unstorable") == []


def test_an_unstorable_output_argument_drops_the_recording_and_still_runs(recorder: Recorder) -> None:
    sent: list[Any] = []

    @recorder.intercept_output("events.emit")
    def emit(event: Any) -> None:
        sent.append(event)

    @recorder.operation(category="unstorable")
    def handle() -> None:
        emit(object)

    handle()
    assert sent == [object]
    assert recorder.stats.failed == 1


def test_successful_recordings_are_counted(recorder: Recorder) -> None:
    @recorder.operation(category="ok")
    def handle() -> None:
        pass

    handle()
    handle()
    assert recorder.stats == RecorderStats(recorded=2, dropped=0, failed=0)


def test_background_saving_saves_off_the_request_path_and_flushes() -> None:
    cassette = GatedCassette()
    recorder = Recorder(cassette, background_saving=True)

    @recorder.operation(category="bg")
    def handle(n: int) -> int:
        return n

    assert handle(1) == 1  # returns while the save waits at the gate
    assert cassette.saving.wait(timeout=10)
    assert len(cassette) == 0
    cassette.gate.set()
    recorder.flush()
    assert only_recording(recorder, "bg").outputs[0].result == 1
    assert recorder.stats.recorded == 1
    recorder.close()


def test_a_full_background_queue_drops_and_counts(caplog: pytest.LogCaptureFixture) -> None:
    cassette = GatedCassette()
    recorder = Recorder(cassette, background_saving=True, max_queued=1)

    @recorder.operation(category="bg")
    def handle(n: int) -> int:
        return n

    handle(1)
    assert cassette.saving.wait(timeout=10)  # the writer holds recording 1
    handle(2)  # waits in the queue
    handle(3)  # the queue is full: dropped
    assert recorder.stats.dropped == 1
    assert "save queue full" in caplog.text
    cassette.gate.set()
    recorder.flush()
    assert recorder.stats == RecorderStats(recorded=2, dropped=1, failed=0)
    recorder.close()


def test_after_close_background_recordings_are_saved_in_the_callers_thread() -> None:
    cassette = MemoryCassette()
    recorder = Recorder(cassette, background_saving=True)

    @recorder.operation(category="late")
    def handle(n: int) -> int:
        return n

    handle(1)
    recorder.close()
    assert handle(2) == 2
    assert sorted(document.outputs[0].result for document in recordings(recorder, "late")) == [1, 2]
    assert recorder.stats == RecorderStats(recorded=2, dropped=0, failed=0)
    recorder.close()  # closing twice is harmless


def test_play_waits_for_recordings_still_queued_for_saving() -> None:
    cassette = GatedCassette()
    recorder = Recorder(cassette, background_saving=True)
    ids: list[str | None] = []

    @recorder.operation(category="bg")
    def handle() -> str:
        ids.append(recorder.current_recording_id)
        return "done"

    handle()
    assert cassette.saving.wait(timeout=10)
    assert len(cassette) == 0
    threading.Timer(0.2, cassette.gate.set).start()
    assert ids[0] is not None
    playback = recorder.play(ids[0], lambda dvd: handle())
    assert playback.playback_outputs == playback.recorded_outputs
    recorder.close()
