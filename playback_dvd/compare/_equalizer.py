"""`Equalizer`: replay recordings with a player and compare each replay with its recording."""

from __future__ import annotations

import functools
import pickle
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from .._errors import ConfigurationError, PlaybackDVDError, ReplayedException
from .._models import ExceptionInfo, Output, Playback, Request
from ..cassettes import parse_recording_id
from ._comparators import StructuralComparator, all_outputs
from ._execution import CompareExecutionConfig, ReplayTimeout, replay_deadline, resolved_callable, run_tasks
from ._noise import NoisyValue, find_noise
from ._status import ComparatorResult, Comparison, EqualityStatus, RequestChanges

Player = Callable[[str], Playback]
ResultExtractor = Callable[[Sequence[Output]], Any]
Comparator = Callable[..., "ComparatorResult | EqualityStatus"]
ComparisonDataExtractor = Callable[[Any], Mapping[str, Any]]

_DEFAULT_COMPARATOR = StructuralComparator()


class Equalizer:
    """Replays recordings and compares each replay's outputs with the recorded ones.

    The parameters are Optibus playback's, so its users can switch; every one but the first two has a
    default.

    Args:
        recording_ids: The recordings to replay.
        player: ``player(recording_id) -> Playback``, usually
            ``lambda rid: recorder.play(rid, playback_function)``; or a ``"module:function"`` string.
            With worker processes it must be picklable: a module-level function (or
            ``functools.partial`` of one) or the string form.
        result_extractor: Turns a list of `Output` into the value to compare; applied to the recorded and
            to the replayed outputs. Default: `all_outputs` (the operation result and every intercepted
            output, by key).
        comparator: ``comparator(expected, actual, **comparison_data) -> ComparatorResult | EqualityStatus``.
            Default: `StructuralComparator()` (a path-level structural diff).
        comparison_data_extractor: ``(original_recording: DVD) -> dict`` of extra keyword arguments for
            the comparator (e.g. tolerances stored in the recording's metadata).
        compare_execution_config: Where and how replays run (`CompareExecutionConfig`).
        compare_requests: Also compare outbound HTTP calls: a replay whose outputs are equal but that made
            requests the recording lacks, or skipped recorded ones, is ``Different``.
        detect_noise: Replay each recording twice: the paths whose values differ between the two replays
            (timestamps, generated ids) are noise, left out of that recording's verdict and listed in
            ``Comparison.noise``; a change anywhere else still makes it ``Different``. Needs the
            `StructuralComparator` (the default) and costs a second replay per recording.

    Raises:
        ConfigurationError: *detect_noise* with a comparator that is not a `StructuralComparator`.
    """

    def __init__(
        self,
        recording_ids: Iterable[str],
        player: Player | str,
        result_extractor: ResultExtractor | None = None,
        comparator: Comparator | None = None,
        comparison_data_extractor: ComparisonDataExtractor | None = None,
        compare_execution_config: CompareExecutionConfig | None = None,
        *,
        compare_requests: bool = True,
        detect_noise: bool = False,
    ) -> None:
        if detect_noise and not isinstance(comparator or _DEFAULT_COMPARATOR, StructuralComparator):
            raise ConfigurationError(
                "detect_noise needs the StructuralComparator: it leaves the noisy paths out of the diff"
            )
        self.recording_ids = recording_ids
        self.player = player
        self.result_extractor = result_extractor or all_outputs
        self.comparator = comparator or _DEFAULT_COMPARATOR
        self.comparison_data_extractor = comparison_data_extractor
        self.compare_execution_config = compare_execution_config or CompareExecutionConfig()
        self.compare_requests = compare_requests
        self.detect_noise = detect_noise

    def run_comparison(self) -> Iterator[Comparison]:
        """Replay and compare each recording (of the configured shard), yielding as they finish.

        Nothing raises out of this generator for one bad recording: a player, extractor or comparator that
        raises, or a replay that times out, gives a `Comparison` with ``EqualizerFailure`` and a traceback.
        With worker processes, comparisons come in completion order.

        Raises:
            ConfigurationError: Worker processes are configured and the player, an extractor or the
                comparator cannot be pickled.
        """
        config = self.compare_execution_config
        task = functools.partial(
            compare_recording,
            player=self.player,
            result_extractor=self.result_extractor,
            comparator=self.comparator,
            comparison_data_extractor=self.comparison_data_extractor,
            keep_results=config.keep_results_in_comparison,
            compare_requests=self.compare_requests,
            timeout_seconds=config.timeout_seconds,
            keep_playback=not config.uses_workers,
            detect_noise=self.detect_noise,
        )
        if config.uses_pool:  # an executor may pickle differently (Dask: cloudpickle) or not at all
            _check_picklable(task)
        yield from run_tasks(task, self.recording_ids, config, _failure_from_worker)


def _check_picklable(task: functools.partial[Comparison]) -> None:
    # Worker processes receive the task pickled; finding out here gives one clear error instead of an
    # EqualizerFailure per recording. (This pickles our own callables, never data read from a recording.)
    for name, value in task.keywords.items():
        try:
            pickle.dumps(value)
        except Exception as error:
            raise ConfigurationError(
                f"the {name} must be picklable to replay in worker processes (jobs > 1): use a module-level"
                f" function, a functools.partial of one, or for the player a 'module:function' string"
                f" ({type(error).__name__}: {error})"
            ) from error


def _failure_from_worker(recording_id: str, message: str, traceback_text: str) -> Comparison:
    return equalizer_failure(recording_id, message, traceback_text or None)


def equalizer_failure(
    recording_id: str, message: str, traceback_text: str | None = None, duration: float = 0.0
) -> Comparison:
    """A `Comparison` saying the comparison machinery failed for this recording."""
    return Comparison(
        recording_id=recording_id,
        comparator_status=ComparatorResult(EqualityStatus.EqualizerFailure, message),
        category=_category_of(recording_id),
        duration=duration,
        traceback=traceback_text,
    )


def _category_of(recording_id: str) -> str:
    parts = parse_recording_id(recording_id)
    return parts.category if parts else ""


def compare_recording(
    recording_id: str,
    *,
    player: Player | str,
    result_extractor: ResultExtractor = all_outputs,
    comparator: Comparator = _DEFAULT_COMPARATOR,
    comparison_data_extractor: ComparisonDataExtractor | None = None,
    keep_results: bool = False,
    compare_requests: bool = True,
    timeout_seconds: float | None = None,
    keep_playback: bool = True,
    detect_noise: bool = False,
) -> Comparison:
    """Replay one recording and compare it (the unit of work of `Equalizer`, run here or in a worker).

    With *detect_noise* it is replayed twice, and what differs between the two replays is left out.
    """
    started = time.perf_counter()
    try:
        with replay_deadline(timeout_seconds):
            play = resolved_callable(player) if isinstance(player, str) else player
            try:
                playback = play(recording_id)
                second = play(recording_id) if detect_noise else None
            except ReplayTimeout:
                raise
            except Exception as error:
                return equalizer_failure(
                    recording_id,
                    f"the player raised {type(error).__name__}: {error}",
                    traceback.format_exc(),
                    time.perf_counter() - started,
                )
            comparison = _judge(
                playback,
                result_extractor=result_extractor,
                comparator=comparator,
                comparison_data_extractor=comparison_data_extractor,
                keep_results=keep_results,
                compare_requests=compare_requests,
                second=second,
            )
    except ReplayTimeout as error:
        return equalizer_failure(recording_id, str(error), None, time.perf_counter() - started)
    return _finish(comparison, playback if keep_playback else None, time.perf_counter() - started)


def _finish(comparison: Comparison, playback: Playback | None, duration: float) -> Comparison:
    return attrs.evolve(comparison, playback=playback, duration=duration)


def _machinery_error_names() -> set[str]:
    # Computed at call time, so errors defined by modules imported later (the recorder's) count too.
    names: set[str] = set()
    pending: list[type[BaseException]] = [PlaybackDVDError]
    while pending:
        cls = pending.pop()
        if cls is not ReplayedException:
            names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def _is_machinery_error(error: ExceptionInfo) -> bool:
    return error.type_name.rpartition(".")[2] in _machinery_error_names()


def _describe(error: ExceptionInfo) -> str:
    return f"{error.type_name}: {error.message}"


def _request_line(request: Request) -> str:
    return f"{request.method} {request.url}"


def _judge(
    playback: Playback,
    *,
    result_extractor: ResultExtractor,
    comparator: Comparator,
    comparison_data_extractor: ComparisonDataExtractor | None,
    keep_results: bool,
    compare_requests: bool,
    second: Playback | None = None,
) -> Comparison:
    recording_id = playback.recording_id
    recorded_error, playback_error = playback.recorded_error, playback.playback_error
    base = Comparison(
        recording_id=recording_id,
        comparator_status=ComparatorResult(EqualityStatus.Equal),
        category=playback.original_recording.category or _category_of(recording_id),
        expected_is_exception=recorded_error is not None,
        actual_is_exception=playback_error is not None,
        recorded_duration=playback.recorded_duration,
        playback_duration=playback.playback_duration,
    )
    changes = RequestChanges(
        tuple(map(_request_line, playback.unplayed_requests)),
        tuple(map(_request_line, playback.unmatched_requests)),
    )
    if playback_error is not None and _is_machinery_error(playback_error):
        if (
            compare_requests
            and changes.unmatched
            and playback_error.type_name.endswith("UnmatchedRequestError")
        ):
            # The new code made a call the recording cannot answer: its call pattern changed, which is a
            # difference to report (DESIGN 4.12), not a failure of the comparison.
            message = f"the replay stopped at a request the recording lacks; {changes.summary()}"
            return attrs.evolve(
                base,
                comparator_status=ComparatorResult(EqualityStatus.Different, message),
                request_changes=changes,
            )
        message = f"the replay could not run as recorded: {_describe(playback_error)}"
        return attrs.evolve(
            base, comparator_status=ComparatorResult(EqualityStatus.EqualizerFailure, message)
        )
    stage = "result_extractor"
    noise: tuple[NoisyValue, ...] = ()
    try:
        expected: Any = recorded_error
        actual: Any = playback_error
        if (recorded_error is None) != (playback_error is None):
            # One side raised: the verdict needs no comparator; the other side's result is kept if asked.
            if keep_results and recorded_error is None:
                expected = result_extractor(playback.recorded_outputs)
            if keep_results and playback_error is None:
                actual = result_extractor(playback.playback_outputs)
            if recorded_error is not None:
                message = f"the recording raised {_describe(recorded_error)}; the replay does not"
                result = ComparatorResult(EqualityStatus.Fixed, message)
            else:
                assert playback_error is not None
                message = f"the replay raised {_describe(playback_error)}"
                result = ComparatorResult(EqualityStatus.Failed, message)
        else:
            # Both succeeded, or both failed: then the outputs made before the failure are compared, and
            # the failures themselves.
            expected = result_extractor(playback.recorded_outputs)
            actual = result_extractor(playback.playback_outputs)
            stage = "comparison_data_extractor"
            data = {}
            if comparison_data_extractor is not None:
                data = dict(comparison_data_extractor(playback.original_recording))
            stage = "comparator"
            both_alike = second is not None and (second.playback_error is None) == (playback_error is None)
            if second is not None and both_alike and isinstance(comparator, StructuralComparator):
                stage = "result_extractor"
                again = result_extractor(second.playback_outputs)
                stage = "comparator"
                noise = find_noise(actual, again, comparator)
                if noise:
                    comparator = comparator.ignoring_paths([value.path for value in noise])
            result = _as_result(comparator(expected, actual, **data))
            if recorded_error is not None and playback_error is not None and recorded_error != playback_error:
                message = (
                    f"the replay raised {_describe(playback_error)}"
                    f" where the recording raised {_describe(recorded_error)}"
                )
                result = ComparatorResult(EqualityStatus.Different, message, result.diff)
    except Exception as error:
        message = f"the {stage} raised {type(error).__name__}: {error}"
        return attrs.evolve(
            base,
            comparator_status=ComparatorResult(EqualityStatus.EqualizerFailure, message),
            traceback=traceback.format_exc(),
        )
    if compare_requests and changes:
        if result.equality_status is EqualityStatus.Equal:
            result = ComparatorResult(EqualityStatus.Different, changes.summary(), result.diff)
        elif result.equality_status is EqualityStatus.Different:
            result = ComparatorResult(
                EqualityStatus.Different, f"{result.message}; {changes.summary()}", result.diff
            )
    return attrs.evolve(
        base,
        comparator_status=result,
        expected=expected if keep_results else None,
        actual=actual if keep_results else None,
        request_changes=changes if compare_requests else RequestChanges(),
        noise=noise,
    )


def _as_result(value: ComparatorResult | EqualityStatus) -> ComparatorResult:
    if isinstance(value, EqualityStatus):
        return ComparatorResult(value)
    if isinstance(value, ComparatorResult):
        return value
    raise TypeError(
        f"a comparator must return a ComparatorResult or an EqualityStatus, not {type(value).__name__}"
    )
