"""playback's TapeRecorder behaviours on playback_dvd's engine (our tests of what playback's suite pins)."""

from __future__ import annotations

import asyncio
import logging
import threading
from types import ModuleType
from typing import Any

import pytest

from playback_dvd import ReplayedException
from playback_dvd.compat.playback.exceptions import RecordingKeyError
from playback_dvd.compat.playback.interception.output_interception import OutputInterceptionDataHandler
from playback_dvd.compat.playback.tape_cassettes.in_memory.in_memory_tape_cassette import (
    InMemoryTapeCassette,
)
from playback_dvd.compat.playback.tape_recorder import CapturedArg, RecordingParameters, TapeRecorder
from tests._server import LocalServer

OPERATION = TapeRecorder.OPERATION_OUTPUT_ALIAS


def operation_result(outputs: list[Any]) -> Any:
    return next(output.value["args"][0] for output in outputs if OPERATION in output.key)


def test_an_operation_replays_its_inputs_and_captures_outputs_in_playbacks_shape(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Shop:
        def __init__(self, price: int = 0) -> None:
            self.price = price

        @tape_recorder.operation()
        def sell(self, quantity: int) -> int:
            total = self.price_of("apple") * quantity
            self.invoice(total, currency="EUR")
            return total

        @tape_recorder.intercept_input("shop.price_of")
        def price_of(self, item: str) -> int:
            return self.price

        @tape_recorder.intercept_output("shop.invoice")
        def invoice(self, total: int, currency: str) -> str:
            return "invoice-1"

    assert Shop(price=3).sell(2) == 6
    recording_id = cassette.get_last_recording_id()
    assert recording_id is not None
    assert recording_id.startswith("Shop/")
    playback = tape_recorder.play(recording_id, lambda recording: Shop(price=0).sell(2))
    assert playback.playback_outputs == playback.recorded_outputs
    invoice = next(output for output in playback.playback_outputs if "shop.invoice" in output.key)
    assert invoice.value == {"args": [6], "kwargs": {"currency": "EUR"}}
    assert operation_result(playback.playback_outputs) == 6
    assert cassette.get_all_recording_ids() == [recording_id]


def test_an_intercepted_exception_replays_with_the_same_str(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class NotFound(Exception):
        pass

    class Lookup:
        @tape_recorder.operation()
        def run(self) -> str:
            try:
                self.load()
            except Exception as error:
                return str(error)
            return "found"

        @tape_recorder.intercept_input("lookup.load")
        def load(self) -> None:
            raise NotFound("order 5 missing")

    assert Lookup().run() == "order 5 missing"
    playback = tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: Lookup().run())
    assert operation_result(playback.playback_outputs) == "order 5 missing"


def test_a_builtin_exception_replays_as_its_own_class(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Parser:
        @tape_recorder.operation()
        def run(self) -> str:
            try:
                return str(self.parse())
            except ValueError as error:
                return f"caught {error}"

        @tape_recorder.intercept_input("parser.parse")
        def parse(self) -> int:
            raise ValueError("bad digit")

    assert Parser().run() == "caught bad digit"
    playback = tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: Parser().run())
    assert operation_result(playback.playback_outputs) == "caught bad digit"


def test_a_custom_exception_replays_as_a_replayed_exception_naming_it(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Boom(Exception):
        pass

    caught: list[BaseException] = []

    class Job:
        @tape_recorder.operation()
        def run(self) -> None:
            try:
                self.fetch()
            except Exception as error:
                caught.append(error)

        @tape_recorder.intercept_input("job.fetch")
        def fetch(self) -> None:
            raise Boom("down")

    Job().run()
    tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: Job().run())
    replayed = caught[-1]
    assert isinstance(replayed, ReplayedException)
    assert (replayed.type_name, str(replayed)) == ("Boom", "down")


def test_the_same_seed_samples_the_same_operations() -> None:
    def sampled(seed: int) -> list[str]:
        cassette = InMemoryTapeCassette()
        recorder = TapeRecorder(cassette, random_seed=seed)
        recorder.enable_recording()

        @recorder.recording_params(sampling_rate=0.5)
        class Ping:
            @recorder.operation(metadata_extractor=lambda self, n: {"n": n})
            def run(self, n: int) -> int:
                return n

        for n in range(40):
            Ping().run(n)
        return sorted(
            str(cassette.get_recording_metadata(rid)["n"]) for rid in cassette.get_all_recording_ids()
        )

    first = sampled(110613)
    assert first == sampled(110613)
    assert 5 < len(first) < 35


def test_forced_sampling_keeps_and_skipped_classes_never_record(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    @tape_recorder.recording_params(RecordingParameters(sampling_rate=0.0))
    class Rare:
        @tape_recorder.operation()
        def run(self, keep: bool) -> None:
            if keep:
                tape_recorder.force_sample_recording()

    @tape_recorder.recording_params(skipped=True)
    class Never:
        @tape_recorder.operation()
        def run(self) -> None:
            assert not tape_recorder.in_recording_mode

    Rare().run(False)
    Rare().run(True)
    Never().run()
    assert len(cassette.get_all_recording_ids()) == 1


def test_a_discarded_recording_is_not_saved(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Job:
        @tape_recorder.operation()
        def run(self) -> int:
            tape_recorder.discard_recording()
            return 1

    assert Job().run() == 1
    assert cassette.get_all_recording_ids() == []


def test_alias_params_and_captured_args_shape_the_input_keys(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Account:
        def __init__(self, name: str, balance: int) -> None:
            self.name, self.balance = name, balance

        @tape_recorder.intercept_input(
            "account.{name}", alias_params_resolver=lambda self, **_: {"name": self.name}
        )
        def current(self, noise: float = 0.0) -> int:
            return self.balance

        @tape_recorder.intercept_input("account.rate", capture_args=[CapturedArg(1, "currency")])
        def rate(self, currency: str, noise: float) -> float:
            return 1.5

        @tape_recorder.intercept_input("account.anything", capture_args=False)
        def anything(self, noise: float) -> int:
            return 7

    class Report:
        @tape_recorder.operation()
        def run(self, noise: float) -> float:
            total = Account("a", 1).current() + Account("b", 2).current()
            return total * Account("a", 0).rate("EUR", noise) + Account("a", 0).anything(noise)

    assert Report().run(0.1) == 11.5
    recording_id = cassette.get_last_recording_id() or ""
    keys = [key for key in cassette.get_recording(recording_id).get_all_keys() if key.startswith("input:")]
    assert len(keys) == 4
    playback = tape_recorder.play(recording_id, lambda recording: Report().run(0.9))
    assert operation_result(playback.playback_outputs) == 11.5


def test_an_output_missing_from_the_recording_returns_its_default(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Old:
        @tape_recorder.operation()
        def run(self) -> int:
            return 1

    Old().run()

    class New:
        @tape_recorder.operation()
        def run(self) -> int:
            low, high = self.bounds()
            return low + high

        @tape_recorder.intercept_output(
            "new.bounds", fail_on_no_recorded_result=False, default_result_when_not_recorded=(2, 3)
        )
        def bounds(self) -> tuple[int, int]:
            raise AssertionError("outputs never run on replay")

        @tape_recorder.intercept_output("new.strict")
        def strict(self) -> None:
            pass

    playback = tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: New().run())
    assert operation_result(playback.playback_outputs) == 5

    class Strict(New):
        @tape_recorder.operation()
        def run(self) -> int:
            self.strict()
            return 1

    with pytest.raises(RecordingKeyError, match=r"new\.strict"):
        tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: Strict().run())


def test_record_data_is_read_back_by_play_data(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Job:
        @tape_recorder.operation()
        def run(self) -> str:
            if tape_recorder.in_playback_mode:
                return str(tape_recorder.play_data("seed"))
            tape_recorder.record_data("seed", "s-42")
            return "s-42"

    assert tape_recorder.play_data("seed") is None  # outside a replay
    Job().run()
    playback = tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: Job().run())
    assert operation_result(playback.playback_outputs) == "s-42"


def test_the_operation_class_metadata_instantiates_the_class(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Job:
        @tape_recorder.operation()
        def run(self) -> str:
            return "ran"

    Job().run()
    recorded_class = cassette.get_recording(cassette.get_last_recording_id() or "").get_metadata()[
        TapeRecorder.OPERATION_CLASS
    ]
    assert recorded_class == {"py/type": f"{Job.__module__}.{Job.__qualname__}"}
    assert isinstance(recorded_class(), Job)


def test_a_class_named_by_data_alone_is_never_imported(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    recording = cassette.create_new_recording("Forged")
    recording.add_metadata({TapeRecorder.OPERATION_CLASS: {"py/type": "subprocess.Popen"}})
    cassette.save_recording(recording)
    forged = cassette.get_recording(recording.id).get_metadata()[TapeRecorder.OPERATION_CLASS]
    with pytest.raises(LookupError, match="never imports"):
        forged(["true"])


def test_an_unstorable_value_drops_the_recording_and_says_why(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette, caplog: pytest.LogCaptureFixture
) -> None:
    class Job:
        @tape_recorder.operation()
        def run(self) -> int:
            self.load()
            return 1

        @tape_recorder.intercept_input("job.load")
        def load(self) -> object:
            return threading.Lock()

    with caplog.at_level(logging.WARNING, logger="playback_dvd"):
        assert Job().run() == 1
    assert cassette.get_all_recording_ids() == []
    assert "job.load" in caplog.text
    assert "discarded" in caplog.text


def test_an_output_data_handler_gets_the_arguments_without_self(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    seen: list[tuple[Any, ...]] = []

    class Keep(OutputInterceptionDataHandler):
        def prepare_output_for_recording(self, interception_key: str, args: Any, kwargs: Any) -> Any:
            seen.append(tuple(args))
            return {"first": args[0]}

    class Job:
        @tape_recorder.operation()
        def run(self) -> None:
            self.write(5, 6)

        @tape_recorder.intercept_output("job.write", data_handler=Keep())
        def write(self, a: int, b: int) -> None:
            pass

    Job().run()
    assert seen == [(5, 6)]
    assert cassette.get_all_recording_ids() != []


def test_concurrent_threads_each_make_their_own_recording(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    barrier = threading.Barrier(8)

    class Job:
        @tape_recorder.operation(metadata_extractor=lambda self, n: {"n": n})
        def run(self, n: int) -> int:
            barrier.wait(timeout=10)
            return self.value(n)

        @tape_recorder.intercept_input("job.value")
        def value(self, n: int) -> int:
            return n * 10

    threads = [threading.Thread(target=Job().run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorded = {cassette.get_recording_metadata(rid)["n"] for rid in cassette.get_all_recording_ids()}
    assert recorded == set(range(8))  # playback raised AssertionError in 7 of these threads


def test_async_inputs_are_awaited_and_replayed(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Job:
        def __init__(self, value: int) -> None:
            self.value = value

        @tape_recorder.operation()
        def run(self) -> int:
            return asyncio.run(self.fetch())

        @tape_recorder.intercept_input("job.fetch")
        async def fetch(self) -> int:
            await asyncio.sleep(0)
            return self.value

    assert Job(4).run() == 4
    playback = tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: Job(0).run())
    assert operation_result(playback.playback_outputs) == 4


def test_http_traffic_inside_an_operation_is_recorded_and_replayed_offline(
    hx: ModuleType, tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette, server: LocalServer
) -> None:
    class Client:
        @tape_recorder.operation()
        def run(self) -> str:
            return str(hx.get(f"{server.url}/items?id=9").json()["id"])

    assert Client().run() == "9"
    hits = len(server.hits)
    playback = tape_recorder.play(cassette.get_last_recording_id() or "", lambda recording: Client().run())
    assert operation_result(playback.playback_outputs) == "9"
    assert len(server.hits) == hits
