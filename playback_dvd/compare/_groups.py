"""Comparisons grouped by what they found: 1,998 recordings with the same changed paths are one group."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

import attrs

from .._words import plural
from ._diff import Difference, DifferenceKind, StructuralDiff, shorten
from ._status import Comparison, EqualityStatus

#: Statuses in the order a reader wants them: what broke first, what passed last.
STATUS_ORDER = (
    EqualityStatus.Failed,
    EqualityStatus.EqualizerFailure,
    EqualityStatus.Different,
    EqualityStatus.Fixed,
    EqualityStatus.Equal,
)
#: The name of the pseudo-status of skipped recordings in reports.
SKIPPED = "Skipped"
# Changed paths named in a group's headline before "and N more paths".
_HEADLINE_PATHS = 3
_EXAMPLE_CHARS = 40


@attrs.frozen
class ComparisonGroup:
    """Comparisons that found the same thing (same status, same changed paths and kinds, or same message).

    Attributes:
        status: The status name (``Skipped`` for skipped recordings).
        headline: What they have in common, e.g. ``$.operation.total changed, e.g. 18.9 -> 17.85``.
        comparisons: The comparisons, in the order they finished.
        paths: The changed paths (empty when the comparison is not a structural diff).
    """

    status: str
    headline: str
    comparisons: tuple[Comparison, ...]
    paths: tuple[str, ...] = ()

    @property
    def categories(self) -> list[str]:
        """The categories of the group's comparisons, sorted."""
        return sorted({c.category for c in self.comparisons})

    def title(self) -> str:
        """``1,998 recordings: $.operation.total changed, e.g. 18.9 -> 17.85``."""
        return f"{plural(len(self.comparisons), 'recording')}: {self.headline}"


def _difference_phrase(difference: Difference) -> str:
    """``$.total changed, e.g. 18.9 -> 17.85`` (the example is this recording's own values)."""
    if difference.kind is DifferenceKind.ADDED:
        example = shorten(difference.actual, _EXAMPLE_CHARS)
    elif difference.kind is DifferenceKind.REMOVED:
        example = f"was {shorten(difference.expected, _EXAMPLE_CHARS)}"
    else:
        example = difference.describe(_EXAMPLE_CHARS).partition(": ")[2]
    return f"{difference.path} {difference.kind.value.replace('_', ' ')}, e.g. {example}"


def _key_and_headline(comparison: Comparison) -> tuple[tuple[Any, ...], str, tuple[str, ...]]:
    status = comparison.equality_status
    if comparison.skipped is not None:
        return (SKIPPED, comparison.skipped), comparison.skipped, ()
    if status is EqualityStatus.Equal:
        return (status.name,), "equal", ()
    diff = comparison.comparator_status.diff
    changes = comparison.request_changes
    if status is EqualityStatus.Different and isinstance(diff, StructuralDiff) and diff.differences:
        shape = tuple((d.path, d.kind.value) for d in diff.differences)
        phrases = [_difference_phrase(difference) for difference in diff.differences[:_HEADLINE_PATHS]]
        more = diff.total - len(phrases)
        if more > 0:
            phrases.append(f"and {plural(more, 'more difference')}")
        if changes:
            phrases.append(changes.summary())
        key = (status.name, shape, diff.total, changes.unplayed, changes.unmatched)
        return key, "; ".join(phrases), tuple(path for path, _ in shape)
    if status is EqualityStatus.Failed and comparison.traceback:
        raised = _where_raised(comparison.traceback)
        if raised is not None:
            error_type, where, example = raised
            if len(example) > 2 * _EXAMPLE_CHARS:  # the message as raised, not its repr
                example = example[: 2 * _EXAMPLE_CHARS] + "..."
            headline = f"the replay raised {error_type} at {where}, e.g. {example}"
            return (status.name, error_type, where), headline, ()
    message = comparison.comparator_status.message or status.name
    return (status.name, message, changes.unplayed, changes.unmatched), message, ()


_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


def _where_raised(traceback_text: str) -> tuple[str, str, str] | None:
    """``(type, "file.py:12 in f", message)`` of a traceback's last exception, from its last frame: one
    bug raising for 300 orders, each with its own message, is one group."""
    frames = _FRAME.findall(traceback_text)
    lines = traceback_text.rstrip().splitlines()
    if not frames or not lines:
        return None
    filename, line, function = frames[-1]
    error_type, _, message = lines[-1].partition(":")
    return error_type.strip(), f"{PurePath(filename).name}:{line} in {function}", message.strip()


def group_comparisons(comparisons: Iterable[Comparison]) -> list[ComparisonGroup]:
    """Group *comparisons* by what they found, most severe status first, then the largest groups."""
    found: dict[tuple[Any, ...], tuple[str, list[Comparison], tuple[str, ...]]] = {}
    for comparison in comparisons:
        key, headline, paths = _key_and_headline(comparison)
        found.setdefault(key, (headline, [], paths))[1].append(comparison)
    groups = [
        ComparisonGroup(_status_name(members[0]), headline, tuple(members), paths)
        for headline, members, paths in found.values()
    ]
    rank = {status.name: number for number, status in enumerate(STATUS_ORDER)}
    rank[SKIPPED] = len(STATUS_ORDER)
    return sorted(groups, key=lambda group: (rank[group.status], -len(group.comparisons), group.headline))


def _status_name(comparison: Comparison) -> str:
    return SKIPPED if comparison.skipped is not None else comparison.equality_status.name


def recording_line(comparison: Comparison, max_chars: int = 160) -> str:
    """``Checkout/2026-11-23/01a2...  order_id=2  code v41 -> v42``: the recording, its metadata and the
    recorded and replayed code versions."""
    parts = [comparison.recording_id]
    shown = describe_metadata(comparison.metadata)
    if shown:
        parts.append(shorten(shown, max_chars) if len(shown) > max_chars else shown)
    versions = code_versions(comparison)
    if versions:
        parts.append(versions)
    return "  ".join(parts)


# Metadata every recording has: left out of one-line descriptions (the JSON report keeps them all).
_ROUTINE_METADATA = ("recorded_at", "duration", "raised", "operation", "code_version", "incomplete")


def describe_metadata(metadata: Any) -> str:
    """The recording's own metadata as ``key=value`` pairs (the routine keys left out)."""
    if not hasattr(metadata, "items"):
        return ""
    return " ".join(
        f"{key}={shorten(value, _EXAMPLE_CHARS)}"
        for key, value in sorted(metadata.items())
        if key not in _ROUTINE_METADATA
    )


def code_versions(comparison: Comparison) -> str:
    """``code v41 -> v42`` (recorded -> replayed), or "" when neither is known."""
    recorded, replayed = comparison.recorded_code_version, comparison.replayed_code_version
    if recorded is None and replayed is None:
        return ""
    return f"code {recorded or '?'} -> {replayed or '?'}"


def listed(comparisons: Sequence[Comparison], cap: int) -> tuple[Sequence[Comparison], int]:
    """The first *cap* comparisons, and how many were left out."""
    return comparisons[:cap], max(0, len(comparisons) - cap)


# Lines of a comparator's own (non-structural) diff shown before cutting it.
_MAX_FOREIGN_DIFF_LINES = 50


def diff_lines(comparison: Comparison) -> list[str]:
    """The comparator's diff as lines (a foreign diff cut after a screenful)."""
    diff = comparison.comparator_status.diff
    if diff is None:
        return []
    if isinstance(diff, StructuralDiff):
        return diff.lines()
    lines = str(diff).splitlines()
    if len(lines) > _MAX_FOREIGN_DIFF_LINES:
        lines = [
            *lines[:_MAX_FOREIGN_DIFF_LINES],
            f"... and {len(lines) - _MAX_FOREIGN_DIFF_LINES} more lines",
        ]
    return lines


def request_lines(comparison: Comparison) -> list[str]:
    """``never made: GET ...`` and ``not recorded: GET ...`` lines of the outbound calls that changed."""
    changes = comparison.request_changes
    return [f"never made: {line}" for line in changes.unplayed] + [
        f"not recorded: {line}" for line in changes.unmatched
    ]
