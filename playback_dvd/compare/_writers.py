"""Report writers: text, JSON, JUnit XML and a self-contained HTML page (everything escaped)."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError
from .._words import plural
from ..formats._files import atomic_write
from ._diff import StructuralDiff, shorten
from ._groups import (
    SKIPPED,
    ComparisonGroup,
    diff_lines,
    group_comparisons,
    listed,
    recording_line,
    request_lines,
)
from ._noise import noise_data, noise_lines
from ._report import ComparisonReport
from ._status import Comparison, EqualityStatus

FORMATS = ("text", "json", "junit", "html")

# XML 1.0 cannot carry these characters at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# -- text ---------------------------------------------------------------------------------------------

#: Recordings listed per group in the text report (the JSON report lists them all).
TEXT_LISTED_PER_GROUP = 10


def _context_lines(report: ComparisonReport) -> list[str]:
    return [f"{key}: {value}" for key, value in report.context.items()]


def _category_table(report: ComparisonReport) -> list[str]:
    names = [status.name for status in EqualityStatus]
    table = report.counts_by_category  # a property that sorts every comparison: computed once
    if not table:
        return []
    width = max(8, *(len(category) for category in table))
    out = [f"{'category':<{width}}  " + "  ".join(names)]
    for category, row in table.items():
        cells = "  ".join(f"{row[name]:>{len(name)}}" for name in names)
        out.append(f"{category:<{width}}  {cells}")
    return out


def _text_group(group: ComparisonGroup, cap: int) -> list[str]:
    out = [f"[{group.status}] {group.title()}"]
    shown, left_out = listed(group.comparisons, cap)
    last_traceback = None
    for comparison in shown:
        out.append(f"  {recording_line(comparison)}")
        if group.paths or group.status == EqualityStatus.Different.name:
            out.extend(f"      {line}" for line in diff_lines(comparison) + request_lines(comparison))
        if comparison.traceback and comparison.traceback != last_traceback:
            out.extend(f"      | {line}" for line in comparison.traceback.rstrip().splitlines())
            last_traceback = comparison.traceback
    if left_out:
        out.append(f"  ... and {plural(left_out, 'more recording')} (every one is in --format json)")
    return out


def render_text(report: ComparisonReport, listed_per_group: int = TEXT_LISTED_PER_GROUP) -> str:
    """A plain-text report, read from the bottom up as pytest's: what did not pass, grouped by what it
    found (at most *listed_per_group* recordings listed per group), a table per category, and the summary
    on the last line."""
    out = _context_lines(report)
    if out:
        out.append("")
    noise = noise_lines(report.comparisons)
    if noise:
        out.extend([*noise, ""])
    for category, error in report.category_errors.items():
        out.append(f"[category error] {category}")
        out.extend(f"    {line}" for line in error.rstrip().splitlines())
    not_equal = [c for c in report.comparisons if c.equality_status is not EqualityStatus.Equal]
    for group in group_comparisons([*not_equal, *report.skipped]):
        out.extend(_text_group(group, listed_per_group))
    if len(out) > 0 and out[-1] != "":
        out.append("")
    table = _category_table(report)
    if table:
        out.extend([*table, ""])
    out.append(report.summary())
    return "\n".join(out) + "\n"


# -- JSON ---------------------------------------------------------------------------------------------

#: The version of the JSON report's shape; raised when a key changes meaning or goes away.
JSON_SCHEMA_VERSION = 1


def _jsonable(value: Any, depth: int = 0) -> Any:
    if depth > 50:
        return shorten(value, 200)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {str(key): _jsonable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, depth + 1) for item in value]
    return repr(value)


def comparison_data(comparison: Comparison) -> dict[str, Any]:
    """One comparison as JSON data: the same keys for every status (empty lists and nulls where there
    is nothing to say)."""
    diff = comparison.comparator_status.diff
    structural = isinstance(diff, StructuralDiff)
    kept = comparison.expected is not None or comparison.actual is not None
    return {
        "recording_id": comparison.recording_id,
        "category": comparison.category,
        "operation": comparison.operation,
        "status": SKIPPED if comparison.skipped is not None else comparison.equality_status.name,
        "message": comparison.comparator_status.message,
        "skipped": comparison.skipped,
        "metadata": _jsonable(dict(comparison.metadata)),
        "recorded_code_version": comparison.recorded_code_version,
        "replayed_code_version": comparison.replayed_code_version,
        "duration": comparison.duration,
        "recorded_duration": comparison.recorded_duration,
        "playback_duration": comparison.playback_duration,
        "expected_is_exception": comparison.expected_is_exception,
        "actual_is_exception": comparison.actual_is_exception,
        "differences": [
            {
                "path": d.path,
                "kind": d.kind.value,
                "expected": _jsonable(d.expected),
                "actual": _jsonable(d.actual),
            }
            for d in (diff.differences if isinstance(diff, StructuralDiff) else ())
        ],
        "differences_total": diff.total if isinstance(diff, StructuralDiff) else 0,
        "diff": [] if structural else diff_lines(comparison),
        "unplayed_requests": list(comparison.request_changes.unplayed),
        "unmatched_requests": list(comparison.request_changes.unmatched),
        "traceback": comparison.traceback,
        "noise": [
            {"path": v.path, "first": _jsonable(v.first), "second": _jsonable(v.second)}
            for v in comparison.noise
        ],
        "expected": _jsonable(comparison.expected) if kept else None,
        "actual": _jsonable(comparison.actual) if kept else None,
    }


def render_json(report: ComparisonReport) -> str:
    """The report as JSON: ``schema_version``, ``summary``, ``context``, ``by_category``,
    ``category_errors``, ``groups`` (identical findings, with every recording id) and ``comparisons``
    (skipped recordings included, with status ``Skipped``)."""
    everything = [*report.comparisons, *report.skipped]
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "summary": {
            "total": len(report.comparisons),
            "passed": report.passed,
            "counts": report.counts,
            "skipped": len(report.skipped),
            "planned": report.planned,
            "interrupted": report.interrupted,
            "started_at": report.started_at.isoformat(),
            "duration": report.duration,
            "replay_seconds": report.replay_seconds,
            "line": report.summary(),
        },
        "context": dict(report.context),
        "by_category": report.counts_by_category,
        "noisy_paths": noise_data(report.comparisons),
        "category_errors": dict(report.category_errors),
        "groups": [
            {
                "status": group.status,
                "headline": group.headline,
                "count": len(group.comparisons),
                "paths": list(group.paths),
                "categories": group.categories,
                "recording_ids": [c.recording_id for c in group.comparisons],
            }
            for group in group_comparisons(everything)
        ],
        "comparisons": [comparison_data(c) for c in everything],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- JUnit XML ----------------------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def render_junit(report: ComparisonReport) -> str:
    """JUnit XML: one testsuite per category, one testcase per recording (Different and Failed are
    failures, EqualizerFailure and category errors are errors), for CI test-report viewers."""
    root = ElementTree.Element("testsuites", name="playback-dvd compare")
    by_category: dict[str, list[Comparison]] = {category: [] for category in report.categories}
    for comparison in (*report.comparisons, *report.skipped):
        by_category.setdefault(comparison.category, []).append(comparison)
    for category, comparisons in by_category.items():
        suite = ElementTree.SubElement(root, "testsuite", name=_xml_text(category or "(no category)"))
        failures = errors = 0
        for comparison in comparisons:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=_xml_text(category),
                name=_xml_text(comparison.recording_id),
                time=f"{comparison.duration:.3f}",
            )
            _junit_properties(case, comparison)
            status = comparison.equality_status
            if comparison.skipped is not None:
                ElementTree.SubElement(case, "skipped", message=_xml_text(comparison.skipped))
                continue
            if status.passed:
                continue
            body = "\n".join(diff_lines(comparison) + request_lines(comparison))
            if comparison.traceback:
                body = f"{body}\n{comparison.traceback}".strip()
            tag = "error" if status is EqualityStatus.EqualizerFailure else "failure"
            errors += tag == "error"
            failures += tag == "failure"
            element = ElementTree.SubElement(
                case, tag, message=_xml_text(comparison.comparator_status.message or ""), type=status.name
            )
            element.text = _xml_text(body)
        if category in report.category_errors:
            errors += 1
            case = ElementTree.SubElement(suite, "testcase", classname=_xml_text(category), name="(category)")
            element = ElementTree.SubElement(case, "error", message="the category could not be compared")
            element.text = _xml_text(report.category_errors[category])
        suite.set("tests", str(len(suite)))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("time", f"{sum(c.duration for c in comparisons):.3f}")
    for name in ("tests", "failures", "errors"):
        root.set(name, str(sum(int(suite.get(name, "0")) for suite in root)))
    root.set("time", f"{report.duration:.3f}")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _junit_properties(case: ElementTree.Element, comparison: Comparison) -> None:
    """The recording's metadata and code versions as testcase properties (CI viewers show them)."""
    values = {f"metadata.{key}": value for key, value in sorted(comparison.metadata.items())}
    values["recorded_code_version"] = comparison.recorded_code_version
    values["replayed_code_version"] = comparison.replayed_code_version
    properties = ElementTree.SubElement(case, "properties")
    for name, value in values.items():
        if value is not None:
            shown = value if isinstance(value, str) else json.dumps(_jsonable(value), ensure_ascii=False)
            ElementTree.SubElement(properties, "property", name=_xml_text(name), value=_xml_text(shown))


def render_html(report: ComparisonReport) -> str:
    """A self-contained HTML page (see `playback_dvd.compare._html`)."""
    from ._html import render_html as render

    return render(report)


RENDERERS: dict[str, Callable[[ComparisonReport], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "html": render_html,
}


def render_report(report: ComparisonReport, format: str = "text") -> str:  # the CLI's name
    """The report as text in *format* (``text``, ``json``, ``junit`` or ``html``).

    Raises:
        ConfigurationError: Unknown format.
    """
    try:
        renderer = RENDERERS[format]
    except KeyError:
        raise ConfigurationError(
            f"unknown report format {format!r}; choose one of {', '.join(FORMATS)}"
        ) from None
    return renderer(report)


def write_report(report: ComparisonReport, path: str | Path, format: str = "text") -> None:
    """Write the report to *path* in *format*, atomically (a reader never sees half a report). The file's
    mode follows the umask, as a file the shell writes (an artifact server may read it as another user).

    Raises:
        FileNotFoundError: The directory of *path* does not exist (a typo there should not create one).
        ValueError: Unknown format.
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{target}: the directory {target.parent} does not exist")
    atomic_write(target, render_report(report, format).encode("utf-8"))
