"""`@recorder.operation`: what a recording holds, categories, switches and sampling (sync and async)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from types import ModuleType

import pytest

from playback_dvd import Cassette, ConfigurationError, Output, Recorder

from .._server import LocalServer
from .conftest import only_recording, recordings, stored_count


def make_service(recorder: Recorder, server: LocalServer, hx: ModuleType) -> type:
    class Orders:
        @recorder.operation(metadata_extractor=lambda self, order_id: {"order_id": order_id})
        def run(self, order_id: int) -> dict[str, object]:
            response = hx.get(f"{server.url}/items?id={order_id}")
            return {"order": order_id, "item": response.json()["id"]}

        @recorder.operation(metadata_extractor=lambda self, order_id: {"order_id": order_id})
        async def arun(self, order_id: int) -> dict[str, object]:
            async with hx.AsyncClient() as client:
                response = await client.get(f"{server.url}/items?id={order_id}")
            return {"order": order_id, "item": response.json()["id"]}

        @recorder.operation()
        def fail(self) -> None:
            raise LookupError("no such order")

        @recorder.operation()
        async def afail(self) -> None:
            raise LookupError("no such order")

    return Orders


def test_operation_records_result_http_and_metadata(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    orders = make_service(recorder, server, hx)()
    assert orders.run(7) == {"order": 7, "item": "7"}
    recording = only_recording(recorder, "Orders")
    assert [o.key for o in recording.outputs] == ["operation"]
    assert recording.outputs[0].result == {"order": 7, "item": "7"}
    assert [i.request.url for i in recording.interactions] == [f"{server.url}/items?id=7"]
    assert recording.metadata["order_id"] == 7
    assert recording.metadata["raised"] is False
    assert recording.metadata["duration"] > 0
    assert datetime.fromisoformat(recording.metadata["recorded_at"]).utcoffset().total_seconds() == 0
    assert recording.id is not None
    assert recording.id.startswith("Orders/")


@pytest.mark.anyio
async def test_async_operation_records_result_http_and_metadata(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    orders = make_service(recorder, server, hx)()
    assert await orders.arun(8) == {"order": 8, "item": "8"}
    recording = only_recording(recorder, "Orders")
    assert recording.outputs[0].result == {"order": 8, "item": "8"}
    assert [i.request.url for i in recording.interactions] == [f"{server.url}/items?id=8"]
    assert recording.metadata["order_id"] == 8


def test_operation_exception_is_recorded_and_reraised_unchanged(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    orders = make_service(recorder, server, hx)()
    with pytest.raises(LookupError, match="no such order"):
        orders.fail()
    recording = only_recording(recorder, "Orders")
    assert recording.metadata["raised"] is True
    exception = recording.outputs[-1].exception
    assert exception is not None
    assert (exception.type_name, exception.message) == (
        "LookupError",
        "no such order",
    )


@pytest.mark.anyio
async def test_async_operation_exception_is_recorded_and_reraised(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    orders = make_service(recorder, server, hx)()
    with pytest.raises(LookupError):
        await orders.afail()
    assert only_recording(recorder, "Orders").metadata["raised"] is True


def test_code_version_is_stored_in_metadata(cassette: Cassette) -> None:
    recorder = Recorder(cassette, code_version="abc123")

    @recorder.operation()
    def handle() -> int:
        return 1

    handle()
    assert only_recording(recorder, handle.__qualname__).metadata["code_version"] == "abc123"


def test_category_is_the_function_qualname_or_the_given_one(recorder: Recorder) -> None:
    @recorder.operation()
    def plain() -> int:
        return 1

    @recorder.operation(category="billing")
    def named() -> int:
        return 2

    plain()
    named()
    assert only_recording(recorder, plain.__qualname__).outputs[0].result == 1
    assert only_recording(recorder, "billing").outputs[0].result == 2


def test_category_of_a_method_is_the_runtime_class(recorder: Recorder) -> None:
    class Base:
        @recorder.operation()
        def run(self) -> str:
            return type(self).__name__

    class Child(Base):
        pass

    Child().run()
    assert only_recording(recorder, "Child").outputs[0].result == "Child"


def test_classmethods_are_operations_in_either_decorator_order(recorder: Recorder) -> None:
    class Report:
        @recorder.operation()
        @classmethod
        def outer(cls, n: int) -> int:
            return n

        @classmethod
        @recorder.operation()
        def inner(cls, n: int) -> int:
            return n * 2

    assert Report.outer(3) == 3
    assert Report.inner(3) == 6
    assert sorted(r.outputs[0].result for r in recordings(recorder, "Report")) == [3, 6]


def test_current_recording_id_is_set_only_inside_the_operation(recorder: Recorder) -> None:
    seen: list[str | None] = []

    @recorder.operation(category="ids")
    def handle() -> None:
        seen.append(recorder.current_recording_id)

    assert recorder.current_recording_id is None
    handle()
    assert recorder.current_recording_id is None
    assert seen == [only_recording(recorder, "ids").id]


def test_metadata_extractor_that_raises_is_logged_and_the_recording_kept(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(n: int) -> dict[str, int]:
        raise ValueError("extractor bug")

    @recorder.operation(metadata_extractor=broken, category="extract")
    def handle(n: int) -> int:
        return n

    assert handle(5) == 5
    recording = only_recording(recorder, "extract")
    assert "n" not in recording.metadata
    assert recording.outputs[0].result == 5
    assert "metadata_extractor" in caplog.text


def test_disabled_recorder_runs_the_function_without_recording(recorder: Recorder) -> None:
    @recorder.operation(category="switch")
    def handle() -> int:
        return 1

    recorder.disable_recording()
    assert recorder.recording_enabled is False
    assert handle() == 1
    assert recordings(recorder, "switch") == []
    recorder.enable_recording()
    handle()
    assert len(recordings(recorder, "switch")) == 1


@pytest.mark.anyio
async def test_disabled_recorder_runs_async_functions_without_recording(cassette: Cassette) -> None:
    recorder = Recorder(cassette, recording_enabled=False)

    @recorder.operation(category="switch")
    async def handle() -> int:
        return 1

    assert await handle() == 1
    assert stored_count(cassette) == 0


def test_sampling_rate_zero_records_nothing_and_one_records_everything(cassette: Cassette) -> None:
    never, always = Recorder(cassette, sampling_rate=0.0), Recorder(cassette, sampling_rate=1.0)

    @never.operation(category="never")
    def skipped() -> int:
        return 1

    @always.operation(category="always")
    def kept() -> int:
        return 2

    for _ in range(20):
        assert skipped() == 1
        assert kept() == 2
    assert recordings(never, "never") == []
    assert len(recordings(always, "always")) == 20


def test_sampling_rate_half_records_some_but_not_all(cassette: Cassette) -> None:
    recorder = Recorder(cassette, sampling_rate=0.5)

    @recorder.operation(category="half")
    def handle() -> None:
        pass

    for _ in range(400):
        handle()
    assert 100 < len(recordings(recorder, "half")) < 300  # binomial(400, 0.5): outside is ~1e-20


def test_nested_operations_make_one_recording(recorder: Recorder) -> None:
    @recorder.operation(category="inner")
    def inner() -> int:
        return 1

    @recorder.operation(category="outer")
    def outer() -> int:
        return inner() + 1

    assert outer() == 2
    assert recordings(recorder, "inner") == []
    assert only_recording(recorder, "outer").outputs[0].result == 2


def test_a_generator_operation_records_its_items_and_only_its_own_http(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    @recorder.operation(category="stream")
    def rows(count: int) -> Iterator[str]:
        for n in range(count):
            yield hx.get(f"{server.url}/items?id=row{n}").json()["id"]

    taken = []
    for row in rows(2):
        hx.get(f"{server.url}/items?id=consumer")  # the consumer's own call, between steps
        taken.append(row)
    assert taken == ["row0", "row1"]
    recording = only_recording(recorder, "stream")
    assert recording.outputs[-1].result == ["row0", "row1"]
    assert [i.request.url.rsplit("=", 1)[1] for i in recording.interactions] == ["row0", "row1"]
    assert recording.metadata["raised"] is False


def test_a_generator_operation_stopped_early_records_what_was_taken(recorder: Recorder) -> None:
    @recorder.operation(category="stream")
    def numbers() -> Iterator[int]:
        yield from range(100)

    generator = numbers()
    assert [next(generator), next(generator)] == [0, 1]
    generator.close()
    recording = only_recording(recorder, "stream")
    assert recording.outputs[-1].result == [0, 1]
    assert recording.metadata["raised"] is False


def test_a_generator_operation_replays_its_items(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    @recorder.operation(category="stream")
    def rows() -> Iterator[int]:
        for n in range(3):
            yield int(hx.get(f"{server.url}/items?id={n}").json()["id"])

    assert list(rows()) == [0, 1, 2]
    (recording_id,) = recorder.cassette.iter_recording_ids("stream")
    server.reset()
    playback = recorder.play(recording_id, lambda dvd: list(rows()))
    assert playback.playback_error is None
    assert playback.playback_outputs == playback.recorded_outputs == [Output("operation", [0, 1, 2])]
    assert server.hits == []


def test_generator_intercepts_and_async_generator_operations_are_refused(recorder: Recorder) -> None:
    with pytest.raises(ConfigurationError, match="generator function"):

        @recorder.intercept_input("rows")
        def rows() -> Iterator[int]:
            yield 1

    with pytest.raises(ConfigurationError, match="generator function"):

        @recorder.operation()
        async def arows() -> AsyncIterator[int]:
            yield 1


def test_bad_sampling_rate_and_record_mode_are_refused(cassette: Cassette) -> None:
    with pytest.raises(ConfigurationError, match="sampling_rate"):
        Recorder(cassette, sampling_rate=1.5)
    with pytest.raises(ConfigurationError, match="record_mode"):
        Recorder(cassette, record_mode="all")
    with pytest.raises(ConfigurationError, match="filter_headers"):
        Recorder(cassette, filter_header=["x"])  # type: ignore[call-arg]


def test_decorated_functions_keep_their_name_and_doc(recorder: Recorder) -> None:
    @recorder.operation()
    def handle(n: int) -> int:
        """Handle n."""
        return n

    assert handle.__name__ == "handle"
    assert handle.__doc__ == "Handle n."


def test_an_operation_can_have_its_own_sampling_rate(recorder: Recorder) -> None:
    @recorder.operation(category="rare", sampling_rate=0.0)
    def rare() -> int:
        return 1

    @recorder.operation(category="usual")
    def usual() -> int:
        return 2

    for _ in range(10):
        rare()
        usual()
    assert recordings(recorder, "rare") == []
    assert len(recordings(recorder, "usual")) == 10
    with pytest.raises(ConfigurationError, match="sampling_rate"):
        recorder.operation(sampling_rate=-0.1)


def test_a_disabled_recorder_still_replays(recorder: Recorder) -> None:
    @recorder.operation(category="switch")
    def handle() -> str:
        return "live"

    handle()
    (recording_id,) = recorder.cassette.iter_recording_ids("switch")
    recorder.disable_recording()
    playback = recorder.play(recording_id, lambda dvd: handle())
    assert playback.playback_outputs == [Output("operation", "live")]
