"""The compat TapeRecorder runs on playback_dvd's sessions: one engine, whichever API decorated a function."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from playback_dvd import MemoryCassette, Recorder
from playback_dvd.compat.playback.exceptions import RecordingKeyError
from playback_dvd.compat.playback.tape_cassettes.in_memory.in_memory_tape_cassette import (
    InMemoryTapeCassette,
)
from playback_dvd.compat.playback.tape_recorder import TapeRecorder


def test_a_playback_input_inside_a_recorder_operation_is_recorded_and_replayed_by_it(
    tape_recorder: TapeRecorder,
) -> None:
    cassette = MemoryCassette()
    recorder = Recorder(cassette)

    class Stock:
        level = 5

        @recorder.operation()
        def report(self) -> str:
            return f"{self.count('apple')} apples"

        @tape_recorder.intercept_input("stock.count")
        def count(self, item: str) -> int:
            return self.level

    assert Stock().report() == "5 apples"
    (recording_id,) = cassette.iter_recording_ids("Stock")
    assert list(cassette.get_recording(recording_id).inputs) == ['stock.count {"item":"apple"}']
    Stock.level = 0
    playback = recorder.play(recording_id, lambda dvd: Stock().report())
    assert playback.playback_error is None
    assert playback.playback_outputs == playback.recorded_outputs  # "5 apples", from the recording


def test_a_playback_operation_inside_a_recorder_operation_is_part_of_its_recording(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    recordings = MemoryCassette()
    recorder = Recorder(recordings)

    class Legacy:
        price = 3

        @tape_recorder.operation()
        def quote(self) -> int:
            return self.price_of() * 2

        @tape_recorder.intercept_input("legacy.price")
        def price_of(self) -> int:
            return self.price

    class Service:
        @recorder.operation()
        def run(self) -> int:
            return Legacy().quote() + 1

    assert Service().run() == 7
    assert cassette.get_last_recording_id() is None  # no playback recording of its own
    (recording_id,) = recordings.iter_recording_ids("Service")
    Legacy.price = 100
    playback = recorder.play(recording_id, lambda dvd: Service().run())
    assert playback.playback_error is None
    assert [output.value for output in playback.playback_outputs] == [7]


def test_a_recorder_intercept_inside_a_playback_operation_just_runs(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    recorder = Recorder(MemoryCassette())
    calls: list[str] = []

    class Stock:
        @tape_recorder.operation()
        def report(self) -> int:
            return self.count("apple")

        @recorder.intercept_input("stock.count")
        def count(self, item: str) -> int:
            calls.append(item)
            return len(calls)

    assert Stock().report() == 1
    recording_id = cassette.get_last_recording_id() or ""
    assert not [key for key in cassette.get_recording(recording_id).get_all_keys() if "stock" in key]
    playback = tape_recorder.play(recording_id, lambda recording: Stock().report())
    assert calls == ["apple", "apple"]  # it ran again: the playback recording has no value for it
    (result,) = [output.value for output in playback.playback_outputs]
    assert result == {"args": [2], "kwargs": {}}


def test_an_operation_of_another_tape_recorder_is_part_of_the_outer_recording(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    other = TapeRecorder(cassette)
    other.enable_recording()

    class Inner:
        @other.operation()
        def run(self) -> int:
            return self.value()

        @other.intercept_input("inner.value")
        def value(self) -> int:
            return 7

    class Outer:
        @tape_recorder.operation()
        def run(self) -> int:
            return Inner().run() + 1

    assert Outer().run() == 8
    (recording_id,) = cassette.get_all_recording_ids()
    assert recording_id.startswith("Outer/")
    keys = cassette.get_recording(recording_id).get_all_keys()
    assert [key for key in keys if key.startswith("input:")] == ["input: inner.value {}"]


def test_an_async_generator_is_intercepted_as_in_playback_and_drops_the_recording(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Feed:
        @tape_recorder.operation()
        def collect(self) -> list[int]:
            return asyncio.run(self.gather())

        async def gather(self) -> list[int]:
            return [item async for item in self.items()]

        @tape_recorder.intercept_input("feed.items")
        async def items(self) -> AsyncIterator[int]:
            yield 1
            yield 2

    assert Feed().collect() == [1, 2]
    assert cassette.get_last_recording_id() is None  # a stream is not a value: nothing was saved


def test_a_missing_input_on_replay_is_raised_not_taken_for_the_operations_exception(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Lookup:
        def __init__(self, key: str) -> None:
            self.key = key

        @tape_recorder.operation()
        def run(self) -> str:
            return self.fetch(self.key)

        @tape_recorder.intercept_input("lookup.fetch")
        def fetch(self, key: str) -> str:
            return key.upper()

    assert Lookup("a").run() == "A"
    recording_id = cassette.get_last_recording_id() or ""
    with pytest.raises(RecordingKeyError, match=r"lookup\.fetch"):
        tape_recorder.play(recording_id, lambda recording: Lookup("b").run())
    assert not tape_recorder.in_playback_mode  # the replay session was handed back
