"""Regression comparison: replay recordings on today's code and compare them with what was recorded."""

from typing import TYPE_CHECKING, Any

from ._comparators import StructuralComparator, all_outputs, operation_result
from ._diff import VOLATILE_KEYS, Difference, DifferenceKind, StructuralDiff, structural_diff
from ._equalizer import Equalizer
from ._execution import CompareExecutionConfig, ReplayTimeout, in_shard, parse_shard
from ._merge import merge_reports, read_json_report
from ._noise import NoisyPath, NoisyValue, noise_by_category, suggested_ignores
from ._report import ComparisonReport
from ._rules import CompareRules, load_rules
from ._status import ComparatorResult, Comparison, EqualityStatus, RequestChanges
from ._studio import (
    INCOMPLETE_RECORDING,
    EqualizerTuner,
    EqualizerTuning,
    PlaybackStudio,
    RecordingLookupProperties,
    default_lookup_properties,
    find_matching_recording_ids,
)
from ._writers import FORMATS, render_report, write_report

if TYPE_CHECKING:
    from ._location import play_from_location


def __getattr__(name: str) -> Any:
    # play_from_location imports the recorder: loaded on first use, so that importing the engine does not.
    if name == "play_from_location":
        from ._location import play_from_location

        return play_from_location
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ComparatorResult",
    "CompareExecutionConfig",
    "CompareRules",
    "Comparison",
    "ComparisonReport",
    "Difference",
    "DifferenceKind",
    "EqualityStatus",
    "Equalizer",
    "EqualizerTuner",
    "EqualizerTuning",
    "FORMATS",
    "INCOMPLETE_RECORDING",
    "NoisyPath",
    "NoisyValue",
    "PlaybackStudio",
    "RecordingLookupProperties",
    "ReplayTimeout",
    "RequestChanges",
    "StructuralComparator",
    "StructuralDiff",
    "VOLATILE_KEYS",
    "all_outputs",
    "default_lookup_properties",
    "find_matching_recording_ids",
    "in_shard",
    "load_rules",
    "merge_reports",
    "noise_by_category",
    "operation_result",
    "parse_shard",
    "play_from_location",
    "read_json_report",
    "render_report",
    "structural_diff",
    "suggested_ignores",
    "write_report",
]
