"""playback's Equalizer and PlaybackStudio through the compat imports."""

from __future__ import annotations

from typing import Any

from playback_dvd.compat.playback.studio.equalizer import (
    ComparatorResult,
    CompareExecutionConfig,
    EqualityStatus,
    Equalizer,
)
from playback_dvd.compat.playback.studio.equalizer_tuning import EqualizerTuner, EqualizerTuning
from playback_dvd.compat.playback.studio.studio import PlaybackStudio
from playback_dvd.compat.playback.tape_cassettes.in_memory.in_memory_tape_cassette import (
    InMemoryTapeCassette,
)
from playback_dvd.compat.playback.tape_recorder import TapeRecorder


def result_of(outputs: Any) -> Any:
    return next(o.value["args"][0] for o in outputs if TapeRecorder.OPERATION_OUTPUT_ALIAS in o.key)


def test_the_studio_replays_given_ids_by_category_and_ignores_categories(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Alpha:
        @tape_recorder.operation()
        def run(self) -> str:
            return "a"

    class Beta:
        @tape_recorder.operation()
        def run(self) -> str:
            return "b"

    Alpha().run()
    Alpha().run()
    Beta().run()

    class Tuner(EqualizerTuner):
        def create_category_tuning(self, category: str) -> EqualizerTuning:
            def playback_function(recording: Any) -> Any:
                return recording.get_metadata()[TapeRecorder.OPERATION_CLASS]().run()

            def comparator(expected: Any, actual: Any) -> ComparatorResult:
                return ComparatorResult(
                    EqualityStatus.Equal if expected == actual else EqualityStatus.Different
                )

            return EqualizerTuning(playback_function, result_of, comparator)

    studio = PlaybackStudio(None, Tuner(), tape_recorder, recording_ids=cassette.get_all_recording_ids())
    results = studio.play()
    assert sorted(results) == ["Alpha", "Beta"]
    statuses = {
        category: [c.comparator_status.equality_status for c in comparisons]  # type: ignore[union-attr]
        for category, comparisons in results.items()
    }
    assert statuses == {"Alpha": [EqualityStatus.Equal] * 2, "Beta": [EqualityStatus.Equal]}


def test_a_dedicated_process_replays_closures_and_reports_a_dead_worker(
    tape_recorder: TapeRecorder, cassette: InMemoryTapeCassette
) -> None:
    class Job:
        def __init__(self, value: int, replay: bool = False) -> None:
            self.value, self.replay = value, replay

        @tape_recorder.operation()
        def run(self) -> int:
            value = self.read()
            if self.replay and value == 1:
                raise SystemExit(3)  # kills the worker process
            return value

        @tape_recorder.intercept_input("job.read")
        def read(self) -> int:
            return self.value

    for value in range(3):
        Job(value).run()
    equalizer = Equalizer(
        cassette.get_all_recording_ids(),
        lambda rid: tape_recorder.play(rid, lambda recording: Job(0, replay=True).run()),
        result_of,
        lambda expected, actual: EqualityStatus.Equal if expected == actual else EqualityStatus.Different,
        compare_execution_config=CompareExecutionConfig(
            compare_in_dedicated_process=True, compare_process_timeout=5
        ),
    )
    comparisons = list(equalizer.run_comparison())
    statuses = [c.comparator_status.equality_status for c in comparisons]
    assert sorted(statuses, key=lambda status: status.value) == [
        EqualityStatus.Equal,
        EqualityStatus.Equal,
        EqualityStatus.EqualizerFailure,
    ]
    failure = comparisons[statuses.index(EqualityStatus.EqualizerFailure)]
    assert "died" in (failure.comparator_status.message or "")
