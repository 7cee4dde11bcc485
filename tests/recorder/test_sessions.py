"""The recording and the replay session: each decides alone what an intercepted call or an operation does."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import playback_dvd
from playback_dvd import (
    InputRecord,
    MemoryCassette,
    Output,
    OutputRecord,
    RecordingKeyError,
    ReplayedException,
)
from playback_dvd._options import resolve_options
from playback_dvd.recorder._core import RecorderCore
from playback_dvd.recorder._intercepts import UNSET, InputIntercept, OutputIntercept
from playback_dvd.recorder._recording import RecordingSession
from playback_dvd.recorder._replay import ReplaySession
from playback_dvd.recorder._saving import Counters
from playback_dvd.recorder._session import PASS_THROUGH, inside_operation
from playback_dvd.recorder._values import make_value_converter


def make_core() -> RecorderCore:
    return RecorderCore(
        MemoryCassette(),
        resolve_options({}),
        make_value_converter(),
        code_version="abc123",
        enabled=True,
        sampling_rate=1.0,
        saver=None,
        counters=Counters(),
    )


def price(sku: str, quantity: int = 1) -> float:
    return 2.5 * quantity


def send_invoice(order_id: int, total: float) -> str:
    return f"invoice-{order_id}"


def input_of(core: RecorderCore, **options: Any) -> InputIntercept:
    settings: dict[str, Any] = {
        "capture_args": None,
        "run_intercepted_when_missing": False,
        "value_when_missing": UNSET,
        "fallback_aliases": None,
        "data_handler": None,
    }
    settings.update(options)
    return InputIntercept(core, price, "price", **settings)


def output_of(core: RecorderCore, *, fail_on_no_recorded_result: bool = True) -> OutputIntercept:
    return OutputIntercept(
        core,
        send_invoice,
        "invoice",
        fail_on_no_recorded_result=fail_on_no_recorded_result,
        data_handler=None,
    )


def recording_session(core: RecorderCore) -> RecordingSession:
    return RecordingSession(
        core,
        name="test",
        category="shop",
        metadata={"order": 7},
        recorded_at=datetime(2026, 12, 3, tzinfo=timezone.utc),
    )


def saved_recording(core: RecorderCore) -> str:
    """Record one operation with an input and an output through a RecordingSession; return its id."""
    session = recording_session(core)
    call = session.input_call(input_of(core), ("apple",), {"quantity": 2})
    call.returned(5.0)
    output = session.output_call(output_of(core), (7,), {"total": 5.0})
    output.returned("invoice-7")
    session.start()
    session.finish({"total": 5.0}, None)
    assert session.dvd.id is not None
    return session.dvd.id


# -- recording --------------------------------------------------------------------------------------


def test_a_recording_session_runs_an_input_and_keeps_its_result_under_the_calls_key() -> None:
    core = make_core()
    session = recording_session(core)
    intercept = input_of(core)

    call = session.input_call(intercept, ("apple",), {"quantity": 2})
    assert not call.answered
    call.returned(5.0)

    key = intercept.key(("apple",), {"quantity": 2})
    assert session.dvd.inputs == {key: InputRecord(value=5.0)}


def test_a_recording_session_keeps_an_inputs_exception_as_data() -> None:
    core = make_core()
    session = recording_session(core)

    session.input_call(input_of(core), ("pear",), {}).raised(LookupError("no such sku"))

    (record,) = session.dvd.inputs.values()
    assert record.exception is not None
    assert (record.exception.type_name, record.exception.message) == ("LookupError", "no such sku")


def test_a_recording_session_keeps_an_outputs_arguments_and_result_in_call_order() -> None:
    core = make_core()
    session = recording_session(core)
    intercept = output_of(core)

    session.output_call(intercept, (7,), {"total": 5.0}).returned("invoice-7")
    session.output_call(intercept, (8,), {"total": 1.0}).returned("invoice-8")

    assert session.dvd.outputs == [
        OutputRecord("invoice #1", {"order_id": 7, "total": 5.0}, "invoice-7"),
        OutputRecord("invoice #2", {"order_id": 8, "total": 1.0}, "invoice-8"),
    ]


def test_a_recording_session_lets_a_nested_operation_just_run() -> None:
    core = make_core()
    assert recording_session(core).operation_call(core.converter) is PASS_THROUGH


def test_an_unstorable_value_drops_the_recording_but_not_the_call() -> None:
    core = make_core()
    session = recording_session(core)

    session.input_call(input_of(core), ("apple",), {}).returned(object())
    session.start()
    session.finish("done", None)

    assert isinstance(session.failure, playback_dvd.UnstorableValueError)
    assert "'price'" in str(session.failure)
    assert core.counters.snapshot().failed == 1
    assert isinstance(core.cassette, MemoryCassette)
    assert len(core.cassette) == 0


def test_a_finished_recording_session_saves_its_recording_with_its_metadata() -> None:
    core = make_core()
    recording_id = saved_recording(core)

    document = core.cassette.get_recording(recording_id)
    assert document.metadata["order"] == 7
    assert document.metadata["code_version"] == "abc123"
    assert document.metadata["raised"] is False
    assert [record.key for record in document.outputs] == ["invoice #1", "operation"]


# -- replay -----------------------------------------------------------------------------------------


def test_a_replay_session_answers_an_input_from_the_recording_without_running_it() -> None:
    core = make_core()
    replay = ReplaySession(core, saved_recording(core))

    call = replay.input_call(input_of(core), ("apple",), {"quantity": 2})

    assert call.answered
    assert call.value == 5.0


def test_a_replay_session_refuses_an_input_the_recording_lacks_naming_the_closest_key() -> None:
    core = make_core()
    replay = ReplaySession(core, saved_recording(core))

    with pytest.raises(RecordingKeyError) as caught:
        replay.input_call(input_of(core), ("apple",), {"quantity": 3})

    assert caught.value.recorded_keys == list(replay.dvd.inputs)


def test_a_replay_session_runs_a_missing_input_when_the_intercept_allows_it() -> None:
    core = make_core()
    replay = ReplaySession(core, saved_recording(core))
    intercept = input_of(core, run_intercepted_when_missing=True)

    assert replay.input_call(intercept, ("plum",), {}) is PASS_THROUGH


def test_a_replay_session_answers_a_missing_input_with_the_fallback_value() -> None:
    core = make_core()
    replay = ReplaySession(core, saved_recording(core))
    intercept = input_of(core, value_when_missing=0)

    call = replay.input_call(intercept, ("plum",), {})

    assert call.answered
    assert call.value == 0


def test_a_replay_session_raises_a_recorded_exception_as_data() -> None:
    core = make_core()
    session = recording_session(core)
    session.input_call(input_of(core), ("pear",), {}).raised(LookupError("no such sku"))
    session.start()
    session.finish(None, LookupError("no such sku"))
    assert session.dvd.id is not None
    replay = ReplaySession(core, session.dvd.id)

    with pytest.raises(ReplayedException, match="no such sku"):
        replay.input_call(input_of(core), ("pear",), {})


def test_a_replay_session_captures_an_outputs_arguments_and_answers_the_recorded_result() -> None:
    core = make_core()
    replay = ReplaySession(core, saved_recording(core))

    call = replay.output_call(output_of(core), (7,), {"total": 6.0})

    assert call.answered
    assert call.value == "invoice-7"
    assert replay.playback_outputs == [Output("invoice #1", {"order_id": 7, "total": 6.0})]


def test_a_replay_session_refuses_an_output_call_the_recording_lacks() -> None:
    core = make_core()
    replay = ReplaySession(core, saved_recording(core))
    intercept = output_of(core)
    replay.output_call(intercept, (7,), {"total": 5.0})

    with pytest.raises(RecordingKeyError, match="invoice #2"):
        replay.output_call(intercept, (8,), {"total": 1.0})
    assert not replay.output_call(output_of(core, fail_on_no_recorded_result=False), (9,), {"total": 0}).value


def test_a_replay_session_captures_the_replayed_operation_but_not_the_ones_nested_in_it() -> None:
    core = make_core()
    replay = ReplaySession(core, saved_recording(core))

    call = replay.operation_call(core.converter)
    call.returned({"total": 5.0})
    token = inside_operation.set(True)
    try:
        nested = replay.operation_call(core.converter)
    finally:
        inside_operation.reset(token)

    assert nested is PASS_THROUGH
    assert replay.playback_outputs == [Output("operation", {"total": 5.0})]
