"""`recorder.play`: HTTP and inputs from the recording, outputs captured not executed, errors reported."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from playback_dvd import (
    DVD,
    ConfigurationError,
    LocalCassette,
    MemoryCassette,
    Output,
    Recorder,
    RecordingKeyError,
    RecordingNotFound,
    ReplayedException,
    UnmatchedRequestError,
)
from playback_dvd._models import DVDDocument
from playback_dvd.cassettes._ids import new_recording_id

from .._server import LocalServer


@dataclasses.dataclass
class Order:
    id: int
    placed: datetime
    blob: bytes


class Checkout:
    """A service with an HTTP call, an input, and an output with side effects."""

    def __init__(self, recorder: Recorder, server: LocalServer, hx: ModuleType) -> None:
        self.server = server
        self.sent: list[str] = []
        recorder_ = recorder

        @recorder_.intercept_input("orders.load")
        def load_order(order_id: int) -> Order:
            return Order(order_id, datetime(2024, 1, 2, tzinfo=timezone.utc), b"\x01")

        @recorder_.intercept_output("mail.send")
        def send(to: str, body: str) -> str:
            self.sent.append(to)
            return "queued"

        self.load_order, self.send = load_order, send

        @recorder_.operation(metadata_extractor=lambda order_id: {"order_id": order_id}, category="Checkout")
        def run(order_id: int) -> dict[str, Any]:
            order = self.load_order(order_id)
            assert isinstance(order, Order)
            assert isinstance(order.placed, datetime)
            price = hx.get(f"{self.server.url}/items?id={order_id}").json()["id"]
            status = self.send("client@example.test", f"order {order.id} costs {price}")
            return {"order": order.id, "price": price, "mail": status, "blob": order.blob}

        @recorder_.operation(metadata_extractor=lambda order_id: {"order_id": order_id}, category="Checkout")
        async def arun(order_id: int) -> dict[str, Any]:
            order = self.load_order(order_id)
            async with hx.AsyncClient() as client:
                price = (await client.get(f"{self.server.url}/items?id={order_id}")).json()["id"]
            return {"order": order.id, "price": price, "mail": self.send("c@example.test", "x")}

        self.run, self.arun = run, arun


def record_one(recorder: Recorder, server: LocalServer, hx: ModuleType, order_id: int = 5) -> str:
    Checkout(recorder, server, hx).run(order_id)
    (recording_id,) = recorder.cassette.iter_recording_ids("Checkout")
    server.reset()
    return recording_id


def test_replay_reproduces_outputs_without_network_nor_side_effects(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    recording_id = record_one(recorder, server, hx)
    checkout = Checkout(recorder, server, hx)
    playback = recorder.play(recording_id, lambda dvd: checkout.run(dvd.metadata["order_id"]))
    assert playback.playback_error is None
    assert playback.playback_outputs == playback.recorded_outputs
    assert playback.recorded_outputs == [
        Output("mail.send #1", {"to": "client@example.test", "body": "order 5 costs 5"}),
        Output("operation", {"order": 5, "price": "5", "mail": "queued", "blob": {"__bytes__": "AQ=="}}),
    ]
    assert server.hits == []
    assert checkout.sent == []
    assert playback.recording_id == recording_id
    assert playback.original_recording.id == recording_id
    assert playback.original_recording.category == "Checkout"
    assert playback.recorded_duration > 0
    assert playback.playback_duration > 0
    assert playback.unplayed_requests == ()
    assert playback.unmatched_requests == ()


@pytest.mark.anyio
async def test_async_replay_reproduces_outputs_without_network(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    await Checkout(recorder, server, hx).arun(6)
    (recording_id,) = recorder.cassette.iter_recording_ids("Checkout")
    server.reset()
    checkout = Checkout(recorder, server, hx)
    playback = await recorder.aplay(recording_id, lambda dvd: checkout.arun(dvd.metadata["order_id"]))
    assert playback.playback_error is None
    assert playback.playback_outputs == playback.recorded_outputs
    assert server.hits == []
    assert checkout.sent == []


def test_play_refuses_an_async_playback_function(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    recording_id = record_one(recorder, server, hx)
    checkout = Checkout(recorder, server, hx)
    with pytest.raises(ConfigurationError, match="aplay"):
        recorder.play(recording_id, lambda dvd: checkout.arun(5))


def test_replay_structures_inputs_back_with_the_return_annotation(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    recording_id = record_one(recorder, server, hx)
    checkout = Checkout(recorder, server, hx)
    seen: list[Order] = []

    def replay(dvd: DVD) -> None:
        @recorder.operation()
        def peek() -> None:
            seen.append(checkout.load_order(5))

        peek()

    recorder.play(recording_id, replay)
    assert seen == [Order(5, datetime(2024, 1, 2, tzinfo=timezone.utc), b"\x01")]


def test_a_changed_result_shows_in_the_playback_outputs(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    recording_id = record_one(recorder, server, hx)
    playback = recorder.play(
        recording_id, lambda dvd: Checkout(recorder, server, hx).run(dvd.metadata["order_id"])
    )
    assert playback.playback_outputs == playback.recorded_outputs

    other = Recorder(MemoryCassette())  # any recorder's decorators honour the replay session

    @other.operation(category="Checkout")
    def changed(order_id: int) -> dict[str, Any]:
        return {"order": order_id, "price": "changed"}

    playback = recorder.play(recording_id, lambda dvd: changed(5))
    assert playback.playback_outputs == [Output("operation", {"order": 5, "price": "changed"})]
    assert [r.url for r in playback.unplayed_requests] == [f"{server.url}/items?id=5"]


def test_a_missing_input_names_the_key_and_the_recorded_keys(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    recording_id = record_one(recorder, server, hx)
    checkout = Checkout(recorder, server, hx)
    playback = recorder.play(recording_id, lambda dvd: checkout.run(6))
    assert playback.playback_error is not None
    assert playback.playback_error.type_name == "RecordingKeyError"
    assert 'orders.load {"order_id":6}' in playback.playback_error.message
    assert 'orders.load {"order_id":5}' in playback.playback_error.message


def test_recording_key_error_lists_recorded_keys_closest_first(
    recorder: Recorder, server: LocalServer
) -> None:
    @recorder.intercept_input("a")
    def a(n: int) -> int:
        return n

    @recorder.intercept_input("zz")
    def zz(n: int) -> int:
        return n

    @recorder.operation(category="keys")
    def handle(n: int) -> int:
        return zz(n) + a(n)

    handle(10)
    (recording_id,) = recorder.cassette.iter_recording_ids("keys")
    errors: list[RecordingKeyError] = []

    def replay(dvd: DVD) -> None:
        try:
            a(11)
        except RecordingKeyError as error:
            errors.append(error)
            raise

    recorder.play(recording_id, replay)
    assert errors[0].key == 'a {"n":11}'
    assert errors[0].recorded_keys == ['a {"n":10}', 'zz {"n":10}']


def test_missing_input_fallbacks(recorder: Recorder) -> None:
    calls: list[str] = []

    @recorder.intercept_input("old.name")
    def old(n: int) -> int:
        return n * 10

    @recorder.operation(category="fallbacks")
    def record(n: int) -> int:
        return old(n)

    record(1)
    (recording_id,) = recorder.cassette.iter_recording_ids("fallbacks")

    @recorder.intercept_input("new.name", fallback_aliases=["other", "old.name"])
    def renamed(n: int) -> int:
        calls.append("renamed")
        return -1

    @recorder.intercept_input("fresh", run_intercepted_when_missing=True)
    def fresh(n: int) -> int:
        calls.append("fresh")
        return n + 100

    @recorder.intercept_input("zero", value_when_missing=0)
    def zero(n: int) -> int:
        calls.append("zero")
        return 99

    @recorder.intercept_input("computed", value_when_missing=lambda n: n * 3)
    def computed(n: int) -> int:
        calls.append("computed")
        return 99

    results: list[int] = []
    playback = recorder.play(
        recording_id, lambda dvd: results.extend([renamed(1), fresh(1), zero(1), computed(2)])
    )
    assert playback.playback_error is None
    assert results == [10, 101, 0, 6]
    assert calls == ["fresh"]


def test_fallback_aliases_callable_runs_only_when_the_key_is_missing(recorder: Recorder) -> None:
    asked: list[int] = []

    def aliases(n: int) -> list[str]:
        asked.append(n)
        if n == 1:
            raise RuntimeError("fallback aliases unavailable")
        return ["old.name"]

    @recorder.intercept_input("old.name")
    def old(n: int) -> int:
        return n * 10

    @recorder.intercept_input("db.get", fallback_aliases=aliases)
    def get(n: int) -> int:
        return n * 100

    @recorder.operation(category="lazy-fallbacks")
    def record() -> int:
        return get(1) + old(2)

    record()
    (recording_id,) = recorder.cassette.iter_recording_ids("lazy-fallbacks")

    results: list[int] = []
    playback = recorder.play(recording_id, lambda dvd: results.extend([get(1), get(2)]))
    assert playback.playback_error is None
    assert results == [100, 20]
    assert asked == [2]


def test_a_recorded_input_exception_is_reraised_as_replayed_exception(recorder: Recorder) -> None:
    class CustomError(Exception):
        pass

    @recorder.intercept_input("db.get")
    def get(n: int) -> int:
        raise CustomError("gone")

    @recorder.operation(category="raises")
    def handle() -> str:
        try:
            get(1)
        except Exception as error:
            return type(error).__name__
        return "ok"

    handle()
    (recording_id,) = recorder.cassette.iter_recording_ids("raises")
    caught: list[BaseException] = []

    def replay(dvd: DVD) -> None:
        try:
            get(1)
        except ReplayedException as error:
            caught.append(error)

    recorder.play(recording_id, replay)
    assert isinstance(caught[0], ReplayedException)
    assert (caught[0].type_name, caught[0].message) == ("CustomError", "gone")


def test_missing_output_raises_or_returns_none(recorder: Recorder) -> None:
    @recorder.operation(category="outputs")
    def handle() -> None:
        pass

    handle()
    (recording_id,) = recorder.cassette.iter_recording_ids("outputs")

    @recorder.intercept_output("strict")
    def strict() -> str:
        return "ran"

    @recorder.intercept_output("lenient", fail_on_no_recorded_result=False)
    def lenient() -> str:
        return "ran"

    results: list[Any] = []
    playback = recorder.play(recording_id, lambda dvd: results.append(lenient()))
    assert results == [None]
    assert playback.playback_outputs == [Output("lenient #1", {})]
    playback = recorder.play(recording_id, lambda dvd: strict())
    assert playback.playback_error is not None
    assert playback.playback_error.type_name == "RecordingKeyError"
    assert "strict #1" in playback.playback_error.message


def test_an_unrecorded_request_is_reported_and_never_sent(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    recording_id = record_one(recorder, server, hx)

    def replay(dvd: DVD) -> None:
        hx.get(f"{server.url}/items?id=5")
        hx.get(f"{server.url}/items?id=new")

    playback = recorder.play(recording_id, replay)
    assert playback.playback_error is not None
    assert playback.playback_error.type_name == UnmatchedRequestError.__name__
    assert [r.url for r in playback.unmatched_requests] == [f"{server.url}/items?id=new"]
    assert server.hits == []


def test_operation_errors_are_reported_not_raised(recorder: Recorder) -> None:
    @recorder.operation(category="flaky")
    def handle(fail: bool) -> str:
        if fail:
            raise RuntimeError("boom")
        return "fine"

    with pytest.raises(RuntimeError):
        handle(True)
    (recording_id,) = recorder.cassette.iter_recording_ids("flaky")
    playback = recorder.play(recording_id, lambda dvd: handle(False))
    assert playback.recorded_error is not None
    assert playback.recorded_error.type_name == "RuntimeError"
    assert playback.recorded_outputs == [
        Output("operation", {"exception": {"type": "RuntimeError", "message": "boom"}})
    ]
    assert playback.playback_error is None
    assert playback.playback_outputs == [Output("operation", "fine")]
    playback = recorder.play(recording_id, lambda dvd: handle(True))
    assert playback.playback_error is not None
    assert playback.playback_error.message == "boom"
    assert playback.playback_outputs == playback.recorded_outputs


def test_replay_does_not_record_new_recordings(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    recording_id = record_one(recorder, server, hx)
    recorder.play(recording_id, lambda dvd: Checkout(recorder, server, hx).run(5))
    assert list(recorder.cassette.iter_recording_ids("Checkout")) == [recording_id]


def test_playing_an_unknown_id_raises_recording_not_found(recorder: Recorder) -> None:
    with pytest.raises(RecordingNotFound, match="nope"):
        recorder.play("nope", lambda dvd: None)


def test_secrets_are_concealed_in_storage_and_restored_on_replay(hx: ModuleType, server: LocalServer) -> None:
    cassette = MemoryCassette()
    recorder = Recorder(cassette, filter_sensitive_data={"<TOKEN>": "t0ps3cret"})

    @recorder.operation(category="secrets")
    def handle() -> str:
        headers = {"Authorization": "Bearer abc", "X-Token": "t0ps3cret"}
        return str(hx.post(f"{server.url}/echo", content=b"t0ps3cret", headers=headers).json()["body"])

    assert handle() == "t0ps3cret"
    (recording_id,) = cassette.iter_recording_ids("secrets")
    stored = cassette.get_recording(recording_id).interactions[0]
    assert b"t0ps3cret" not in stored.request.body
    assert ("X-Token", "<TOKEN>") in stored.request.headers
    assert ("Authorization", "Bearer <REDACTED:authorization>") in stored.request.headers
    playback = recorder.play(recording_id, lambda dvd: handle())
    assert playback.playback_error is None
    assert playback.playback_outputs == [Output("operation", "t0ps3cret")]


@pytest.mark.anyio
async def test_async_intercepts_replay_inputs_and_capture_outputs(recorder: Recorder) -> None:
    effects: list[str] = []

    @recorder.intercept_input("cache.get", capture_args=["key"])
    async def get(key: str, trace: str) -> str:
        effects.append("get")
        return f"value of {key}"

    @recorder.intercept_output("cache.put")
    async def put(key: str, value: str) -> bool:
        effects.append("put")
        return True

    @recorder.operation(category="cache")
    async def handle(trace: str) -> list[Any]:
        value = await get("a", trace)
        return [value, await put("b", value)]

    assert await handle("t1") == ["value of a", True]
    (recording_id,) = recorder.cassette.iter_recording_ids("cache")
    effects.clear()
    playback = await recorder.aplay(recording_id, lambda dvd: handle("another trace"))
    assert effects == []
    assert playback.playback_error is None
    assert playback.playback_outputs == [
        Output("cache.put #1", {"key": "b", "value": "value of a"}),
        Output("operation", ["value of a", True]),
    ]
    assert playback.playback_outputs == playback.recorded_outputs


def test_input_data_handler_restores_on_replay(recorder: Recorder) -> None:
    class Handler:
        def prepare_input_for_recording(self, key: str, value: Any, args: Any, kwargs: Any) -> Any:
            return {"stored": sorted(value)}

        def restore_input_from_recording(self, value: Any, args: Any, kwargs: Any) -> Any:
            return frozenset(value["stored"])

    @recorder.intercept_input("tags", data_handler=Handler())
    def tags() -> frozenset[str]:
        return frozenset({"b", "a"})

    @recorder.operation(category="handler")
    def handle() -> list[str]:
        found = tags()
        assert isinstance(found, frozenset)
        return sorted(found)

    handle()
    (recording_id,) = recorder.cassette.iter_recording_ids("handler")
    playback = recorder.play(recording_id, lambda dvd: handle())
    assert playback.playback_error is None
    assert playback.playback_outputs == [Output("operation", ["a", "b"])]


def test_a_recording_that_cannot_be_read_is_reported_in_playback_error_not_replayed(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path / "recordings")
    recorder = Recorder(cassette)
    recording_id = new_recording_id("Broken")
    cassette.save_recording(DVDDocument(id=recording_id, category="Broken"))
    cassette.recording_path(recording_id).write_bytes(b"\x89PBDVD\r\n\x00\x01 not a frame")
    called: list[object] = []
    playback = recorder.play(recording_id, called.append)
    assert called == []
    assert playback.playback_error is not None
    assert playback.playback_error.type_name == "DVDFormatError"
    assert recording_id.split("/")[-1] in playback.playback_error.message
    assert playback.recorded_outputs == playback.playback_outputs == []
