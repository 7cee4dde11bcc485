"""playback's ``Equalizer``: replay recordings with a player, compare each replay with its recording.

Statuses and configuration are playback_dvd's (`EqualityStatus` has playback's names and values;
`CompareExecutionConfig` takes playback's arguments). `Comparison` and the generator protocol are
playback's. For reports, JUnit/HTML output and worker pools, use `playback_dvd.PlaybackStudio`.
"""

from __future__ import annotations

import logging
import traceback
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ....compare import ComparatorResult as _ComparatorResult
from ....compare import CompareExecutionConfig, EqualityStatus
from ._dedicated import DedicatedProcess

__all__ = ["ComparatorResult", "CompareExecutionConfig", "Comparison", "EqualityStatus", "Equalizer"]

logger = logging.getLogger("playback_dvd")

_DEFAULT_TIMEOUT = 600.0
_DEFAULT_RECYCLE_RATE = 5

PlayAndCompareResult = namedtuple(
    "PlayAndCompareResult",
    "comparator_result playback recorded_result_is_exception playback_result_is_exception",
)


class ComparatorResult(_ComparatorResult):
    """A comparator's verdict with an optional message and diff (playback_dvd's, plus playback's helpers)."""

    def __str__(self) -> str:
        name = self.equality_status.name
        return f"{name} - {self.message}" if self.message else name

    @staticmethod
    def failure_result(recording_id: str, exception: BaseException) -> ComparatorResult:
        """The ``EqualizerFailure`` result of a replay or comparison that raised."""
        logger.warning("playback_dvd: failed playing recording %s - %s", recording_id, exception)
        return ComparatorResult(EqualityStatus.EqualizerFailure, str(exception))


class Comparison:
    """One recording replayed and compared (playback's fields)."""

    def __init__(
        self,
        comparator_result: _ComparatorResult,
        expected: Any,
        actual: Any,
        expected_is_exception: bool | None,
        actual_is_exception: bool | None,
        playback: Any,
        recording_id: str,
    ) -> None:
        self.comparator_status = comparator_result
        self.expected = expected
        self.actual = actual
        self.expected_is_exception = expected_is_exception
        self.actual_is_exception = actual_is_exception
        self.playback = playback
        self.recording_id = recording_id

    def __str__(self) -> str:
        result = self.comparator_status.equality_status.name
        if self.comparator_status.message:
            result += " - " + self.comparator_status.message
        return result


class Equalizer:
    """Replays recordings and compares their outputs (playback's ``Equalizer``).

    Args:
        recording_ids: The recordings to replay.
        player: ``player(recording_id) -> Playback``, e.g. ``lambda rid: tape_recorder.play(rid, fn)``.
        result_extractor: ``(outputs) -> value`` applied to the recorded and to the replayed outputs.
        comparator: ``(recorded, replayed, **comparison_data) -> ComparatorResult | EqualityStatus``.
        comparison_data_extractor: ``(original_recording) -> dict`` of extra comparator arguments.
        compare_execution_config: ``compare_in_dedicated_process=True`` replays in a forked worker
            (recycled every ``compare_process_recycle_rate`` replays, killed after
            ``compare_process_timeout`` seconds).
    """

    def __init__(
        self,
        recording_ids: Iterable[str],
        player: Callable[[str], Any],
        result_extractor: Callable[[Any], Any],
        comparator: Callable[..., Any],
        comparison_data_extractor: Callable[[Any], Mapping[str, Any]] | None = None,
        compare_execution_config: CompareExecutionConfig | None = None,
    ) -> None:
        self.recording_ids = recording_ids
        self.player = player
        self.result_extractor = result_extractor
        self.comparator = comparator
        self.comparison_data_extractor = comparison_data_extractor
        self.compare_execution_config = compare_execution_config or CompareExecutionConfig()
        self._worker: Any = None

    def run_comparison(self) -> Iterator[Comparison]:
        """Replay and compare each recording, yielding one `Comparison` each (never raising for one)."""
        config = self.compare_execution_config
        worker = None
        if config.compare_in_dedicated_process:
            worker = self._worker = DedicatedProcess(
                lambda recording_id: self._play_and_compare_recording(recording_id),
                config.max_tasks_per_child or _DEFAULT_RECYCLE_RATE,
                config.timeout_seconds or _DEFAULT_TIMEOUT,
            )
            # Looked up on each call, so patching these methods (as playback's tests do) takes effect.
            worker.start_hook = lambda: self._create_new_player_process()
            worker.kill_hook = lambda: self._kill_compare_process()
        try:
            for recording_id in self.recording_ids:
                try:
                    result = (
                        worker.run(recording_id)
                        if worker is not None
                        else self._play_and_compare_recording(recording_id)
                    )
                    yield self._comparison(recording_id, result)
                except Exception as error:
                    yield Comparison(
                        ComparatorResult.failure_result(recording_id, error),
                        None,
                        None,
                        False,
                        False,
                        None,
                        recording_id,
                    )
        finally:
            if worker is not None:
                worker.close()

    def _create_new_player_process(self) -> None:
        self._worker.start_new()

    def _kill_compare_process(self) -> None:
        self._worker.kill()

    def _comparison(self, recording_id: str, result: PlayAndCompareResult) -> Comparison:
        playback = result.playback
        expected = actual = None
        if playback is not None and self.compare_execution_config.keep_results_in_comparison:
            # Extracted again here: what the worker extracted may not survive the trip between processes.
            expected = self.result_extractor(playback.recorded_outputs)
            actual = self.result_extractor(playback.playback_outputs)
        return Comparison(
            result.comparator_result,
            expected,
            actual,
            result.recorded_result_is_exception,
            result.playback_result_is_exception,
            playback,
            recording_id,
        )

    def _play_and_compare_recording(self, recording_id: str) -> PlayAndCompareResult:
        playback = None
        recorded_is_exception = replayed_is_exception = None
        try:
            playback = self.player(recording_id)
            recorded = self.result_extractor(playback.recorded_outputs)
            replayed = self.result_extractor(playback.playback_outputs)
            recorded_is_exception = isinstance(recorded, Exception)
            replayed_is_exception = isinstance(replayed, Exception)
            data = (
                {}
                if self.comparison_data_extractor is None
                else self.comparison_data_extractor(playback.original_recording)
            )
            verdict = self.comparator(recorded, replayed, **data)
            if not isinstance(verdict, _ComparatorResult):
                verdict = ComparatorResult(verdict)
            return PlayAndCompareResult(verdict, playback, recorded_is_exception, replayed_is_exception)
        except Exception as error:
            logger.debug("playback_dvd: %s", traceback.format_exc())
            return PlayAndCompareResult(
                ComparatorResult.failure_result(recording_id, error),
                playback,
                recorded_is_exception,
                replayed_is_exception,
            )
