"""Intercepted inputs and outputs while recording: canonical keys, values, exceptions, nesting."""

from __future__ import annotations

import dataclasses
import enum
from collections import namedtuple
from datetime import date, datetime, timezone
from types import ModuleType
from typing import Any

import attrs
import pytest

from playback_dvd import Cassette, ConfigurationError, Recorder

from .._server import LocalServer
from .conftest import only_recording, stored_count


class Store:
    """A service whose reads and writes are intercepted."""

    def __init__(self, recorder: Recorder) -> None:
        self.writes: list[Any] = []

        @recorder.intercept_input("store.load")
        def load(self: Store, n: int, scale: int = 1) -> int:
            return n * scale

        @recorder.intercept_input("store.aload")
        async def aload(self: Store, n: int, scale: int = 1) -> int:
            return n * scale

        @recorder.intercept_output("store.save")
        def save(self: Store, value: Any) -> str:
            self.writes.append(value)
            return f"saved {value}"

        @recorder.intercept_output("store.asave")
        async def asave(self: Store, value: Any) -> str:
            self.writes.append(value)
            return f"saved {value}"

        self.load = load.__get__(self)
        self.aload = aload.__get__(self)
        self.save = save.__get__(self)
        self.asave = asave.__get__(self)


def test_input_keys_are_canonical_and_leave_self_out(recorder: Recorder) -> None:
    first, second = Store(recorder), Store(recorder)

    @recorder.operation(category="keys")
    def handle() -> None:
        first.load(3)
        second.load(n=3)
        first.load(3, 1)
        first.load(3, scale=2)

    handle()
    assert sorted(only_recording(recorder, "keys").inputs) == [
        'store.load {"n":3,"scale":1}',
        'store.load {"n":3,"scale":2}',
    ]


@pytest.mark.anyio
async def test_async_input_keys_are_canonical(recorder: Recorder) -> None:
    store = Store(recorder)

    @recorder.operation(category="keys")
    async def handle() -> None:
        await store.aload(4)
        await store.aload(n=4, scale=1)

    await handle()
    recording = only_recording(recorder, "keys")
    assert list(recording.inputs) == ['store.aload {"n":4,"scale":1}']
    assert recording.inputs['store.aload {"n":4,"scale":1}'].value == 4


def test_capture_args_chooses_the_key_arguments_by_name_or_object(recorder: Recorder) -> None:
    Captured = namedtuple("Captured", "position name")

    @recorder.intercept_input("by_name", capture_args=["user"])
    def by_name(user: str, request_id: str) -> str:
        return user

    @recorder.intercept_input("by_object", capture_args=[Captured(0, "user")])
    def by_object(user: str, request_id: str) -> str:
        return user

    @recorder.intercept_input("no_args", capture_args=[])
    def no_args(user: str) -> str:
        return user

    @recorder.operation(category="capture")
    def handle() -> None:
        by_name("ann", request_id="r1")
        by_object("ann", "r2")
        no_args("ann")

    handle()
    assert sorted(only_recording(recorder, "capture").inputs) == [
        'by_name {"user":"ann"}',
        'by_object {"user":"ann"}',
        "no_args {}",
    ]


def test_capture_args_naming_an_unknown_parameter_is_refused(recorder: Recorder) -> None:
    with pytest.raises(ConfigurationError, match="usr"):

        @recorder.intercept_input("typo", capture_args=["usr"])
        def load(user: str) -> str:
            return user


def test_outputs_are_keyed_by_alias_and_call_number_with_arguments_and_result(recorder: Recorder) -> None:
    store = Store(recorder)

    @recorder.operation(category="outputs")
    def handle() -> None:
        store.save({"a": 1})
        store.save(value=2)

    handle()
    outputs = only_recording(recorder, "outputs").outputs
    assert [(o.key, o.arguments, o.result) for o in outputs[:-1]] == [
        ("store.save #1", {"value": {"a": 1}}, "saved {'a': 1}"),
        ("store.save #2", {"value": 2}, "saved 2"),
    ]
    assert store.writes == [{"a": 1}, 2]


@pytest.mark.anyio
async def test_async_outputs_are_recorded(recorder: Recorder) -> None:
    store = Store(recorder)

    @recorder.operation(category="outputs")
    async def handle() -> None:
        await store.asave("x")

    await handle()
    outputs = only_recording(recorder, "outputs").outputs
    assert (outputs[0].key, outputs[0].arguments, outputs[0].result) == (
        "store.asave #1",
        {"value": "x"},
        "saved x",
    )


def test_an_input_that_raises_is_recorded_as_its_exception(recorder: Recorder) -> None:
    @recorder.intercept_input("db.get")
    def get(n: int) -> int:
        raise KeyError(n)

    @recorder.operation(category="raises")
    def handle() -> str:
        try:
            get(1)
        except KeyError:
            return "missing"
        return "found"

    assert handle() == "missing"
    record = only_recording(recorder, "raises").inputs['db.get {"n":1}']
    assert record.exception is not None
    assert record.exception.type_name == "KeyError"


def test_an_output_that_raises_is_recorded_as_its_exception(recorder: Recorder) -> None:
    @recorder.intercept_output("mail.send")
    def send(to: str) -> None:
        raise ConnectionError("smtp down")

    @recorder.operation(category="raises")
    def handle() -> None:
        send("a@b")

    with pytest.raises(ConnectionError):
        handle()
    output = only_recording(recorder, "raises").outputs[0]
    assert output.exception is not None
    assert output.exception.message == "smtp down"


def test_nested_intercepts_and_their_http_pass_through(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    @recorder.intercept_input("inner")
    def inner(n: int) -> int:
        return n

    @recorder.intercept_input("outer")
    def outer(n: int) -> int:
        hx.get(f"{server.url}/items?id=inside")
        return inner(n) + 1

    @recorder.operation(category="nested")
    def handle() -> int:
        hx.get(f"{server.url}/items?id=outside")
        return outer(1)

    assert handle() == 2
    recording = only_recording(recorder, "nested")
    assert list(recording.inputs) == ['outer {"n":1}']
    assert [i.request.url for i in recording.interactions] == [f"{server.url}/items?id=outside"]
    assert len(server.hits) == 2


def test_intercepts_outside_an_operation_just_run(recorder: Recorder, cassette: Cassette) -> None:
    store = Store(recorder)
    assert store.load(2, 3) == 6
    assert store.save("v") == "saved v"
    assert stored_count(cassette) == 0


@attrs.frozen
class Money:
    amount: int
    currency: str


@dataclasses.dataclass
class Line:
    sku: str
    price: Money
    tags: tuple[str, ...]


class Color(enum.Enum):
    RED = "red"


def test_values_are_stored_as_plain_data(recorder: Recorder) -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)

    @recorder.intercept_input("values")
    def values() -> dict[str, Any]:
        return {
            "line": Line("a", Money(3, "EUR"), ("x", "y")),
            "raw": b"\x00\xff",
            "when": when,
            "day": date(2024, 5, 1),
            "set": {3, 1, 2},
            "color": Color.RED,
        }

    @recorder.operation(category="values")
    def handle() -> None:
        values()

    handle()
    assert only_recording(recorder, "values").inputs["values {}"].value == {
        "line": {"sku": "a", "price": {"amount": 3, "currency": "EUR"}, "tags": ["x", "y"]},
        "raw": {"__bytes__": "AP8="},
        "when": "2024-05-01T12:00:00+00:00",
        "day": "2024-05-01",
        "set": [1, 2, 3],
        "color": "red",
    }


def test_converter_hooks_store_user_types(recorder: Recorder) -> None:
    class Point:
        def __init__(self, x: int) -> None:
            self.x = x

    recorder.converter.register_unstructure_hook(Point, lambda point: {"x": point.x})

    @recorder.intercept_input("point")
    def point() -> Point:
        return Point(4)

    @recorder.operation(category="hooks")
    def handle() -> int:
        return point().x

    assert handle() == 4
    assert only_recording(recorder, "hooks").inputs["point {}"].value == {"x": 4}


def test_data_handlers_choose_what_is_recorded(recorder: Recorder) -> None:
    class Handler:
        def prepare_input_for_recording(self, key: str, value: Any, args: Any, kwargs: Any) -> Any:
            return {"key": key, "value": value.upper()}

        def restore_input_from_recording(self, value: Any, args: Any, kwargs: Any) -> Any:
            return value["value"].lower()

        def prepare_output_for_recording(self, key: str, args: Any, kwargs: Any) -> Any:
            return {"key": key, "first": args[0]}

    @recorder.intercept_input("name", data_handler=Handler())
    def name(n: int) -> str:
        return "ann"

    @recorder.intercept_output("emit", data_handler=Handler())
    def emit(message: str, secret: str) -> None:
        pass

    @recorder.operation(category="handlers")
    def handle() -> None:
        emit(name(1), secret="s3cr3t")

    handle()
    recording = only_recording(recorder, "handlers")
    assert recording.inputs['name {"n":1}'].value == {"key": 'name {"n":1}', "value": "ANN"}
    assert recording.outputs[0].arguments == {"key": "emit #1", "first": "ann"}


def test_keys_of_keyword_only_and_variadic_signatures(recorder: Recorder) -> None:
    @recorder.intercept_input("kw")
    def keyword_only(a: int, *, b: int = 2) -> int:
        return a + b

    @recorder.intercept_input("var")
    def variadic(a: int, *rest: int, **options: int) -> int:
        return a

    @recorder.operation(category="signatures")
    def handle() -> None:
        keyword_only(1)
        keyword_only(a=1, b=2)
        variadic(1, 2, 3, flag=1)

    handle()
    assert sorted(only_recording(recorder, "signatures").inputs) == [
        'kw {"a":1,"b":2}',
        'var {"a":1,"options":{"flag":1},"rest":[2,3]}',
    ]


def test_a_call_with_wrong_arguments_raises_the_functions_own_error(recorder: Recorder) -> None:
    @recorder.intercept_input("strict")
    def strict(a: int) -> int:
        return a

    @recorder.operation(category="wrong")
    def handle() -> None:
        strict(1, 2)  # type: ignore[call-arg]

    with pytest.raises(TypeError, match="positional argument"):
        handle()
    assert recorder.stats.failed == 1


def test_a_replayed_exception_has_the_original_str_and_names_its_type() -> None:
    from playback_dvd import ReplayedException

    replayed = ReplayedException("NotFound", "5")
    assert str(replayed) == "5"
    assert replayed.type_name == "NotFound"
    assert "NotFound" in repr(replayed)


def test_an_output_data_handler_gets_the_arguments_without_self(recorder: Recorder) -> None:
    seen: list[tuple[Any, ...]] = []

    class FirstOnly:
        def prepare_output_for_recording(
            self, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> Any:
            seen.append(args)
            return {"first": args[0]}

    class Mailer:
        @recorder.operation()
        def run(self) -> None:
            self.send("to@example.test", "hi")

        @recorder.intercept_output("mailer.send", data_handler=FirstOnly())
        def send(self, to: str, body: str) -> None:
            pass

    Mailer().run()
    assert seen == [("to@example.test", "hi")]
    (record,) = [o for o in only_recording(recorder, "Mailer").outputs if o.key.startswith("mailer.send")]
    assert record.arguments == {"first": "to@example.test"}


@pytest.mark.parametrize("order", ["intercept above property", "property above intercept"])
def test_an_intercepted_property_records_and_replays(recorder: Recorder, order: str) -> None:
    def getter(self: Any) -> int:
        return int(self.value)

    if order == "intercept above property":
        prop = recorder.intercept_input("thing.value")(property(getter))
    else:
        prop = property(recorder.intercept_input("thing.value")(getter))

    class Thing:
        current = prop

        def __init__(self, value: int) -> None:
            self.value = value

        @recorder.operation()
        def run(self) -> int:
            return int(self.current)

    assert Thing(4).run() == 4
    recording_id = only_recording(recorder, "Thing").id or ""
    playback = recorder.play(recording_id, lambda dvd: Thing(0).run())
    assert playback.playback_outputs == playback.recorded_outputs


def test_capture_args_false_means_no_argument_makes_the_key(recorder: Recorder) -> None:
    class Clock:
        @recorder.operation()
        def run(self, noise: float) -> int:
            return int(self.tick(noise))

        @recorder.intercept_input("clock.tick", capture_args=False)
        def tick(self, noise: float) -> int:
            return 3

    Clock().run(0.1)
    recording = only_recording(recorder, "Clock")
    assert list(recording.inputs) == ["clock.tick {}"]
    playback = recorder.play(recording.id or "", lambda dvd: Clock().run(0.7))
    assert playback.playback_outputs == playback.recorded_outputs
