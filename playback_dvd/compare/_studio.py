"""`PlaybackStudio`: find recordings per category, replay and compare them all, return one report."""

from __future__ import annotations

import abc
import asyncio
import inspect
import random
import traceback
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import attrs

from .._models import Playback
from ..cassettes import Cassette
from ._equalizer import Comparator, ComparisonDataExtractor, Equalizer, ResultExtractor, _category_of
from ._execution import CompareExecutionConfig
from ._report import ComparisonReport
from ._status import Comparison

#: The metadata key a recorder sets on a recording whose operation did not finish normally.
INCOMPLETE_RECORDING = "incomplete"


class PlayingRecorder(Protocol):
    """What the studio needs of a `Recorder`: its cassette, ``play`` and ``aplay``."""

    @property
    def cassette(self) -> Cassette: ...

    def play(self, recording_id: str, playback_function: Callable[[Any], Any]) -> Playback: ...

    def aplay(
        self, recording_id: str, playback_function: Callable[[Any], Awaitable[Any]]
    ) -> Awaitable[Playback]: ...


def replay(recorder: PlayingRecorder, recording_id: str, playback_function: Callable[[Any], Any]) -> Playback:
    """``recorder.play(recording_id, playback_function)``; an ``async def`` playback function is replayed
    with ``recorder.aplay`` on an event loop of its own (``asyncio.run``), one per replay.

    Raises:
        RuntimeError: An ``async def`` playback function called from a running event loop (asyncio.run's).
    """
    if inspect.iscoroutinefunction(playback_function):
        # The Equalizer calls players synchronously (also in worker processes), so a coroutine function
        # gets its own loop here rather than forcing every caller to wrap recorder.aplay themselves.
        return asyncio.run(_aplay(recorder, recording_id, playback_function))
    return recorder.play(recording_id, playback_function)


async def _aplay(
    recorder: PlayingRecorder, recording_id: str, playback_function: Callable[[Any], Awaitable[Any]]
) -> Playback:
    return await recorder.aplay(recording_id, playback_function)


@attrs.frozen
class EqualizerTuning:
    """How to replay and compare the recordings of one category (playback's names).

    Args:
        playback_function: ``playback_function(dvd)`` runs the operation again, e.g.
            ``lambda dvd: Checkout().run(dvd.metadata["order_id"])``; an ``async def`` one is replayed
            with ``recorder.aplay`` on an event loop of its own.
        result_extractor: See `Equalizer` (default: all outputs).
        comparator: See `Equalizer` (default: the structural diff).
        comparison_data_extractor: See `Equalizer`.
    """

    playback_function: Callable[[Any], Any]
    result_extractor: ResultExtractor | None = None
    comparator: Comparator | None = None
    comparison_data_extractor: ComparisonDataExtractor | None = None


class EqualizerTuner(abc.ABC):
    """Gives the `EqualizerTuning` of each category (subclass it, as in playback)."""

    @abc.abstractmethod
    def create_category_tuning(self, category: str) -> EqualizerTuning:
        """The tuning for *category*; raising makes the category a category error in the report."""


@attrs.frozen
class RecordingLookupProperties:
    """Which recordings of a category to compare (playback's names).

    Args:
        start_date: The oldest recording time (UTC) to include.
        end_date: Include only recordings made before this time (default: now).
        metadata: Metadata filters, with the cassette search rules (any-of lists, operators, globs).
        limit: At most this many recordings per category.
        random_sample: Pick *limit* recordings at random among all that match, instead of the first ones.
        skip_incomplete: Leave out recordings whose metadata marks them incomplete
            (``INCOMPLETE_RECORDING`` true). Unlike playback, the caller's metadata dict is not changed.
    """

    start_date: datetime | None
    end_date: datetime | None = None
    metadata: Mapping[str, Any] | None = None
    limit: int | None = None
    random_sample: bool = False
    skip_incomplete: bool = True


def default_lookup_properties() -> RecordingLookupProperties:
    """The last 7 days, at most 20 recordings per category (computed when called, not at import)."""
    return RecordingLookupProperties(start_date=datetime.now(timezone.utc) - timedelta(days=7), limit=20)


def find_matching_recording_ids(
    source: Cassette | PlayingRecorder, category: str, lookup_properties: RecordingLookupProperties
) -> list[str]:
    """The ids of *category* that *lookup_properties* select.

    Args:
        source: The cassette to search, or a recorder (its ``cassette``), as playback's
            ``find_matching_recording_ids(tape_recorder, category, lookup_properties)`` is called.
        category: The category.
        lookup_properties: Which recordings.
    """
    cassette: Cassette = source if isinstance(source, Cassette) else source.cassette
    properties = lookup_properties
    metadata = dict(properties.metadata or {})
    if properties.skip_incomplete and INCOMPLETE_RECORDING not in metadata:
        metadata[INCOMPLETE_RECORDING] = [False, None]
    limit = None if properties.random_sample else properties.limit
    ids = list(
        cassette.iter_recording_ids(category, properties.start_date, properties.end_date, metadata, limit)
    )
    if properties.random_sample and properties.limit is not None and len(ids) > properties.limit:
        ids = random.sample(ids, properties.limit)
    return ids


class PlaybackStudio:
    """Replays and compares many recordings, category by category, into one `ComparisonReport`.

    Args:
        categories: The categories to compare (ignored, and may be None, when *recording_ids* is given).
        equalizer_tuner: Gives each category's playback function, extractor and comparator.
        recorder: The `Recorder` whose cassette holds the recordings and whose ``play`` replays them.
        lookup_properties: Which recordings (default: `default_lookup_properties`, at most 20 of the last
            7 days per category).
        recording_ids: Compare exactly these, grouped by the category their id names.
        compare_execution_config: See `CompareExecutionConfig`. Worker processes need a picklable
            recorder and playback functions; when they are not, use an `Equalizer` with a
            ``"module:function"`` player, or the ``playback-dvd compare`` command.
        detect_noise: Replay each recording twice and leave out what differs between the replays (see
            `Equalizer`); needs the default comparator in every tuning.
    """

    def __init__(
        self,
        categories: Sequence[str] | None,
        equalizer_tuner: EqualizerTuner,
        recorder: PlayingRecorder,
        lookup_properties: RecordingLookupProperties | None = None,
        recording_ids: Iterable[str] | None = None,
        compare_execution_config: CompareExecutionConfig | None = None,
        *,
        detect_noise: bool = False,
    ) -> None:
        self.categories = [] if categories is None else list(categories)
        self.detect_noise = detect_noise
        self.equalizer_tuner = equalizer_tuner
        self.recorder = recorder
        self.lookup_properties = lookup_properties
        self.recording_ids = None if recording_ids is None else list(recording_ids)
        self.compare_execution_config = compare_execution_config

    def _given_ids_by_category(self) -> dict[str, list[str]] | None:
        if self.recording_ids is None:
            return None
        grouped: dict[str, list[str]] = {}
        for recording_id in self.recording_ids:
            grouped.setdefault(_category_of(recording_id), []).append(recording_id)
        return dict(sorted(grouped.items()))

    def iter_comparisons(self, category_errors: dict[str, str] | None = None) -> Iterator[Comparison]:
        """Yield every comparison, category after category.

        Args:
            category_errors: Filled with the traceback of each category whose lookup or tuning raised
                (that category is skipped; the others still run).
        """
        errors = category_errors if category_errors is not None else {}
        given = self._given_ids_by_category()
        properties = self.lookup_properties or default_lookup_properties()
        for category in given if given is not None else self.categories:
            try:
                if given is not None:
                    ids = given[category]
                else:
                    ids = find_matching_recording_ids(self.recorder.cassette, category, properties)
                tuning = self.equalizer_tuner.create_category_tuning(category)
                equalizer = self._equalizer(tuning, ids)  # refuses a tuning detect_noise cannot use
            except Exception:
                errors[category] = traceback.format_exc()
                continue
            yield from equalizer.run_comparison()

    def _equalizer(self, tuning: EqualizerTuning, ids: list[str]) -> Equalizer:
        return Equalizer(
            ids,
            _RecorderPlayer(self.recorder, tuning.playback_function),
            tuning.result_extractor,
            tuning.comparator,
            tuning.comparison_data_extractor,
            self.compare_execution_config,
            detect_noise=self.detect_noise,
        )

    def play(self, on_comparison: Callable[[Comparison], None] | None = None) -> ComparisonReport:
        """Replay and compare everything selected; the report counts per status and category.

        Args:
            on_comparison: Called with each comparison as it finishes (progress display).
        """
        errors: dict[str, str] = {}  # filled as the comparisons run; collect reads it once they are done
        return ComparisonReport.collect(self.iter_comparisons(errors), errors, on_comparison)


@attrs.frozen
class _RecorderPlayer:
    recorder: PlayingRecorder
    playback_function: Callable[[Any], Any]

    def __call__(self, recording_id: str) -> Playback:
        return replay(self.recorder, recording_id, self.playback_function)
