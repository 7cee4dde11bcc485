"""playback's ``PlaybackStudio``: replay and compare the recordings of several categories."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ....compare import CompareExecutionConfig, EqualizerTuner, RecordingLookupProperties
from ..tape_recorder import TapeRecorder
from .equalizer import Comparison, Equalizer
from .recordings_lookup import find_matching_recording_ids

__all__ = ["PlaybackStudio", "RecordingLookupProperties"]


class PlaybackStudio:
    """Replays and compares recordings category by category (playback's ``PlaybackStudio``).

    Args:
        categories: The categories to compare (ignored, and may be None, when *recording_ids* is given).
        equalizer_tuner: Gives each category's playback function, extractor and comparator.
        tape_recorder: Its cassette holds the recordings; its ``play`` replays them.
        lookup_properties: Which recordings (default: the last 7 days, at most 20 per category, computed
            when `play` runs, not at import as in playback).
        recording_ids: Compare exactly these, grouped by their category (sorted).
        compare_execution_config: See `Equalizer`.
    """

    def __init__(
        self,
        categories: Sequence[str] | None,
        equalizer_tuner: EqualizerTuner,
        tape_recorder: TapeRecorder,
        lookup_properties: RecordingLookupProperties | None = None,
        recording_ids: Iterable[str] | None = None,
        compare_execution_config: CompareExecutionConfig | None = None,
    ) -> None:
        self.categories = [] if categories is None else list(categories)
        self.equalizer_tuner = equalizer_tuner
        self.tape_recorder = tape_recorder
        self.lookup_properties = lookup_properties
        self.recording_ids = None if recording_ids is None else list(recording_ids)
        self.compare_execution_config = compare_execution_config

    def play(self) -> dict[str, Iterator[Comparison] | Exception]:
        """``{category: lazy iterator of Comparison}``, or the exception its tuning or lookup raised."""
        if self.recording_ids is not None:
            cassette = self.tape_recorder.tape_cassette
            grouped: dict[str, list[str]] = {}
            for recording_id in self.recording_ids:
                grouped.setdefault(cassette.extract_recording_category(recording_id), []).append(recording_id)
            plan: dict[str, list[str] | None] = dict(sorted(grouped.items()))
        else:
            plan = dict.fromkeys(self.categories)
        results: dict[str, Iterator[Comparison] | Exception] = {}
        for category, ids in plan.items():
            try:
                results[category] = self._category(category, ids)
            except Exception as error:
                results[category] = error
        return results

    def _category(self, category: str, ids: list[str] | None) -> Iterator[Comparison]:
        tuning = self.equalizer_tuner.create_category_tuning(category)
        if ids is None:
            ids = find_matching_recording_ids(self.tape_recorder, category, self._lookup_properties())
        playback_function = tuning.playback_function

        def player(recording_id: str) -> Any:
            return self.tape_recorder.play(recording_id, playback_function)

        equalizer = Equalizer(
            ids,
            player,
            tuning.result_extractor or (lambda outputs: outputs),
            tuning.comparator or _equal_or_different,
            tuning.comparison_data_extractor,
            self.compare_execution_config,
        )
        return equalizer.run_comparison()

    def _lookup_properties(self) -> RecordingLookupProperties:
        if self.lookup_properties is not None:
            return self.lookup_properties
        return RecordingLookupProperties(start_date=datetime.now(timezone.utc) - timedelta(days=7), limit=20)


def _equal_or_different(expected: Any, actual: Any) -> Any:
    from ....compare import EqualityStatus

    return EqualityStatus.Equal if expected == actual else EqualityStatus.Different
