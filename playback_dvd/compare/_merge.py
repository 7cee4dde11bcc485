"""Merge the JSON reports of N shards (``--shard K/N``) into one report, so a CI matrix gives one verdict."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .._errors import ConfigurationError
from ._diff import Difference, DifferenceKind, StructuralDiff
from ._noise import NoisyValue
from ._report import ComparisonReport
from ._status import ComparatorResult, Comparison, EqualityStatus, RequestChanges

#: The JSON report versions this reader understands (reports written before schema_version count as 1).
READABLE_SCHEMA_VERSIONS = (1,)


def read_json_report(text: str, source: str) -> ComparisonReport:
    """A `ComparisonReport` from the JSON that ``--format json`` writes; *source* names it in errors.

    Only data is read: values stay the JSON values they were written as (a diff's ``expected`` is the
    written text or number, never an object rebuilt from it).

    Raises:
        ConfigurationError: *text* is not such a report, or of a newer schema version.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{source} is not JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("comparisons"), list):
        raise ConfigurationError(f"{source} is not a playback-dvd JSON report (no 'comparisons' list)")
    version = document.get("schema_version", 1)
    if version not in READABLE_SCHEMA_VERSIONS:
        raise ConfigurationError(
            f"{source}: report schema_version {version!r} is newer than this playback-dvd"
        )
    try:
        comparisons = tuple(_comparison(item) for item in document["comparisons"])
        summary = document.get("summary", {})
        started_at = datetime.fromisoformat(summary.get("started_at", "1970-01-01T00:00:00+00:00"))
        return ComparisonReport(
            comparisons,
            {str(k): str(v) for k, v in document.get("category_errors", {}).items()},
            started_at,
            float(summary.get("duration", 0.0)),
            context={str(k): str(v) for k, v in document.get("context", {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigurationError(f"{source}: malformed report ({type(error).__name__}: {error})") from None


def _comparison(item: Mapping[str, Any]) -> Comparison:
    status = EqualityStatus[item["status"]]
    diff: Any = None
    if item.get("differences"):
        differences = tuple(
            Difference(d["path"], DifferenceKind(d["kind"]), d.get("expected"), d.get("actual"))
            for d in item["differences"]
        )
        diff = StructuralDiff(differences, int(item.get("differences_total", len(differences))))
    elif item.get("diff"):
        diff = "\n".join(map(str, item["diff"]))
    return Comparison(
        recording_id=str(item["recording_id"]),
        comparator_status=ComparatorResult(status, item.get("message"), diff),
        category=str(item.get("category", "")),
        expected=item.get("expected"),
        actual=item.get("actual"),
        expected_is_exception=bool(item.get("expected_is_exception", False)),
        actual_is_exception=bool(item.get("actual_is_exception", False)),
        duration=float(item.get("duration", 0.0)),
        recorded_duration=item.get("recorded_duration"),
        playback_duration=item.get("playback_duration"),
        request_changes=RequestChanges(
            tuple(map(str, item.get("unplayed_requests", ()))),
            tuple(map(str, item.get("unmatched_requests", ()))),
        ),
        traceback=item.get("traceback"),
        noise=tuple(NoisyValue(n["path"], n.get("first"), n.get("second")) for n in item.get("noise", ())),
    )


def merge_reports(reports: Sequence[tuple[str, ComparisonReport]]) -> ComparisonReport:
    """One report from the ``(source, report)`` of every shard: all comparisons, one verdict.

    When the reports name their shard (``shard: K/N`` in their context, as ``playback-dvd compare
    --shard`` writes), every shard 1..N must be there exactly once.

    Raises:
        ConfigurationError: No report, a recording in two reports, a shard given twice or missing, or
            shards of different N.
    """
    if not reports:
        raise ConfigurationError("no report to merge")
    seen: dict[str, str] = {}
    for source, report in reports:
        for comparison in report.comparisons:
            other = seen.setdefault(comparison.recording_id, source)
            if other != source:
                raise ConfigurationError(
                    f"recording {comparison.recording_id} is in both {other} and {source}"
                )
    _check_shards(reports)
    errors: dict[str, str] = {}
    for _, report in reports:
        errors.update(report.category_errors)
    context = _merged_context([report.context for _, report in reports])
    context["merged from"] = ", ".join(source for source, _ in reports)
    return ComparisonReport(
        tuple(c for _, report in reports for c in report.comparisons),
        errors,
        min((report.started_at for _, report in reports), default=datetime.now(timezone.utc)),
        # Shards run side by side: the merged run took as long as the longest.
        max(report.duration for _, report in reports),
        context=context,
    )


def _check_shards(reports: Sequence[tuple[str, ComparisonReport]]) -> None:
    shards = {source: report.context.get("shard") for source, report in reports}
    named = {source: shard for source, shard in shards.items() if shard}
    if not named:
        return
    if len(named) != len(shards):
        unnamed = next(source for source, shard in shards.items() if not shard)
        raise ConfigurationError(f"{unnamed} names no shard, unlike the others: is it of the same run?")
    by_index: dict[int, str] = {}
    counts = set()
    for source, shard in named.items():
        index, _, count = shard.partition("/")
        counts.add(count)
        if int(index) in by_index:
            raise ConfigurationError(f"shard {shard} is in both {by_index[int(index)]} and {source}")
        by_index[int(index)] = source
    if len(counts) > 1:
        raise ConfigurationError(
            f"the reports split the run differently: shards of {', '.join(sorted(counts))}"
        )
    total = int(counts.pop())
    missing = [f"{k}/{total}" for k in range(1, total + 1) if k not in by_index]
    if missing:
        raise ConfigurationError(f"shard {', '.join(missing)} missing: merge the report of every shard")


def _merged_context(contexts: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The entries every report agrees on (the rules, the player), without the per-shard ones."""
    merged: dict[str, str] = {}
    for key, value in contexts[0].items():
        if key != "shard" and all(context.get(key) == value for context in contexts[1:]):
            merged[key] = value
    return merged
