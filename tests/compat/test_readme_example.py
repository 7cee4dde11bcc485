"""playback's README walk-through, through the compat imports: record three operations, compare them.

Written from the README's description (a service operation reading its request data as an input and
storing its result as an output, replayed by a playback function that instantiates the recorded class,
compared by an Equalizer on the stored result): unchanged code gives 3 Equal, a changed computation 3
Different.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from playback_dvd.compat.playback.studio.equalizer import ComparatorResult, EqualityStatus, Equalizer
from playback_dvd.compat.playback.studio.recordings_lookup import (
    RecordingLookupProperties,
    find_matching_recording_ids,
)
from playback_dvd.compat.playback.tape_cassettes.in_memory.in_memory_tape_cassette import (
    InMemoryTapeCassette,
)
from playback_dvd.compat.playback.tape_recorder import TapeRecorder

tape_cassette = InMemoryTapeCassette()
tape_recorder = TapeRecorder(tape_cassette)
incoming_requests: list[dict[str, Any]] = []  # stands for the web framework's request object
stored: list[Any] = []  # stands for the database the README's service writes to


class ServiceOperation:
    @tape_recorder.operation()
    def execute(self) -> str:
        data = self.get_request_data()
        result = self.do_something_with_input(data)
        return self.store_result(result)

    @tape_recorder.intercept_input(alias="service_operation.get_request_data")
    def get_request_data(self) -> dict[str, Any]:
        return incoming_requests.pop(0)

    def do_something_with_input(self, data: dict[str, Any]) -> int:
        return int(data["quantity"]) * int(data["price"])

    @tape_recorder.intercept_output(alias="service_operation.store_result")
    def store_result(self, result: int) -> str:
        stored.append(result)
        return f"result-{len(stored)}"


def playback_function(recording: Any) -> Any:
    operation_class = recording.get_metadata()[TapeRecorder.OPERATION_CLASS]
    return operation_class().execute()


def result_extractor(outputs: Any) -> Any:
    output = next(o for o in outputs if "service_operation.store_result" in o.key)
    return output.value["args"][0]


def comparator(recorded_result: Any, replay_result: Any) -> ComparatorResult:
    if recorded_result == replay_result:
        return ComparatorResult(EqualityStatus.Equal, f"Value is {recorded_result}")
    return ComparatorResult(EqualityStatus.Different, f"{recorded_result} != {replay_result}")


def player(recording_id: str) -> Any:
    return tape_recorder.play(recording_id, playback_function)


def compare() -> list[EqualityStatus]:
    lookup_properties = RecordingLookupProperties(start_date=datetime.utcnow() - timedelta(days=7), limit=5)
    recording_ids = find_matching_recording_ids(tape_recorder, ServiceOperation.__name__, lookup_properties)
    equalizer = Equalizer(recording_ids, player, result_extractor, comparator)
    return [comparison.comparator_status.equality_status for comparison in equalizer.run_comparison()]


def test_the_readme_example_compares_equal_then_different_after_a_code_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tape_recorder.enable_recording()
    for quantity, price in ((1, 10), (2, 20), (3, 30)):
        incoming_requests.append({"quantity": quantity, "price": price})
        ServiceOperation().execute()
    tape_recorder.disable_recording()
    assert stored == [10, 40, 90]

    assert compare() == [EqualityStatus.Equal] * 3
    assert stored == [10, 40, 90]  # replays never ran the real output

    monkeypatch.setattr(ServiceOperation, "do_something_with_input", lambda self, data: data["quantity"])
    assert compare() == [EqualityStatus.Different] * 3
