"""Report writers: text, JSON, JUnit XML and a self-contained HTML page (everything escaped)."""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError
from ..formats._files import atomic_write
from ._diff import StructuralDiff, shorten
from ._noise import noise_data, noise_lines
from ._report import ComparisonReport
from ._status import Comparison, EqualityStatus

FORMATS = ("text", "json", "junit", "html")

# Lines of a comparator's own (non-structural) diff shown before cutting it.
_MAX_FOREIGN_DIFF_LINES = 50
# XML 1.0 cannot carry these characters at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _diff_lines(comparison: Comparison) -> list[str]:
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


def _request_lines(comparison: Comparison) -> list[str]:
    changes = comparison.request_changes
    return [f"never made: {line}" for line in changes.unplayed] + [
        f"not recorded: {line}" for line in changes.unmatched
    ]


# -- text ---------------------------------------------------------------------------------------------


def render_text(report: ComparisonReport) -> str:
    """A plain-text report: summary, a table per category, then each comparison that did not pass."""
    out = [report.summary(), ""]
    out.extend(f"{key}: {value}" for key, value in report.context.items())
    noise = noise_lines(report.comparisons)
    out.extend([*noise, ""] if noise else [""] if report.context else [])
    names = [status.name for status in EqualityStatus]
    table = report.counts_by_category  # a property that sorts every comparison: computed once
    if table:
        width = max(8, *(len(category) for category in table))
        out.append(f"{'category':<{width}}  " + "  ".join(names))
        for category, row in table.items():
            cells = "  ".join(f"{row[name]:>{len(name)}}" for name in names)
            out.append(f"{category:<{width}}  {cells}")
        out.append("")
    for category, error in report.category_errors.items():
        out.append(f"[category error] {category}")
        out.extend(f"    {line}" for line in error.rstrip().splitlines())
    for comparison in report.comparisons:
        if comparison.equality_status is EqualityStatus.Equal:
            continue
        status = comparison.equality_status.name
        out.append(f"[{status}] {comparison.recording_id}: {comparison.comparator_status.message or ''}")
        out.extend(f"    {line}" for line in _diff_lines(comparison))
        out.extend(f"    {line}" for line in _request_lines(comparison))
        if comparison.traceback:
            out.extend(f"    | {line}" for line in comparison.traceback.rstrip().splitlines())
    return "\n".join(out).rstrip() + "\n"


# -- JSON ---------------------------------------------------------------------------------------------


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


def _comparison_data(comparison: Comparison) -> dict[str, Any]:
    diff = comparison.comparator_status.diff
    data: dict[str, Any] = {
        "recording_id": comparison.recording_id,
        "category": comparison.category,
        "status": comparison.equality_status.name,
        "message": comparison.comparator_status.message,
        "duration": comparison.duration,
        "recorded_duration": comparison.recorded_duration,
        "playback_duration": comparison.playback_duration,
        "expected_is_exception": comparison.expected_is_exception,
        "actual_is_exception": comparison.actual_is_exception,
        "unplayed_requests": list(comparison.request_changes.unplayed),
        "unmatched_requests": list(comparison.request_changes.unmatched),
        "traceback": comparison.traceback,
    }
    if isinstance(diff, StructuralDiff):
        data["differences"] = [
            {
                "path": d.path,
                "kind": d.kind.value,
                "expected": _jsonable(d.expected),
                "actual": _jsonable(d.actual),
            }
            for d in diff.differences
        ]
        data["differences_total"] = diff.total
    elif diff is not None:
        data["diff"] = _diff_lines(comparison)
    if comparison.noise:
        data["noise"] = [
            {"path": v.path, "first": _jsonable(v.first), "second": _jsonable(v.second)}
            for v in comparison.noise
        ]
    if comparison.expected is not None or comparison.actual is not None:
        data["expected"] = _jsonable(comparison.expected)
        data["actual"] = _jsonable(comparison.actual)
    return data


def render_json(report: ComparisonReport) -> str:
    """The report as JSON: ``summary``, ``by_category``, ``category_errors`` and ``comparisons``."""
    document = {
        "summary": {
            "total": len(report.comparisons),
            "passed": report.passed,
            "counts": report.counts,
            "started_at": report.started_at.isoformat(),
            "duration": report.duration,
            "replay_seconds": report.replay_seconds,
        },
        "context": dict(report.context),
        "by_category": report.counts_by_category,
        "noisy_paths": noise_data(report.comparisons),
        "category_errors": dict(report.category_errors),
        "comparisons": [_comparison_data(c) for c in report.comparisons],
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
    for comparison in report.comparisons:
        by_category[comparison.category].append(comparison)
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
            status = comparison.equality_status
            if status.passed:
                continue
            body = "\n".join(_diff_lines(comparison) + _request_lines(comparison))
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
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    root.set("time", f"{report.duration:.3f}")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


# -- HTML ---------------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
.Equal { color: #1a7f37; } .Fixed { color: #0969da; } .Different { color: #9a6700; }
.Failed, .EqualizerFailure { color: #cf222e; }
details { margin: 0.4em 0; border-left: 3px solid #ddd; padding-left: 0.8em; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_comparison(comparison: Comparison) -> str:
    status = comparison.equality_status.name
    parts = [
        f'<details><summary><span class="{status}">{status}</span> <code>{_e(comparison.recording_id)}</code>'
        f" &mdash; {_e(comparison.comparator_status.message or '')}</summary>"
    ]
    diff = comparison.comparator_status.diff
    if isinstance(diff, StructuralDiff) and diff.differences:
        rows = "".join(
            f"<tr><td><code>{_e(d.path)}</code></td><td>{_e(d.kind.value)}</td>"
            f"<td><code>{_e(shorten(d.expected, diff.max_value_chars))}</code></td>"
            f"<td><code>{_e(shorten(d.actual, diff.max_value_chars))}</code></td></tr>"
            for d in diff.differences
        )
        more = f"<p>... and {diff.truncated} more differences</p>" if diff.truncated else ""
        parts.append(
            f"<table><tr><th>path</th><th>change</th><th>recorded</th><th>replayed</th></tr>{rows}</table>{more}"
        )
    elif diff is not None:
        parts.append(f"<pre>{_e(chr(10).join(_diff_lines(comparison)))}</pre>")
    requests = _request_lines(comparison)
    if requests:
        parts.append("<ul>" + "".join(f"<li><code>{_e(line)}</code></li>" for line in requests) + "</ul>")
    if comparison.traceback:
        parts.append(f"<pre>{_e(comparison.traceback)}</pre>")
    parts.append(f"<p>replayed and compared in {comparison.duration:.3f} s</p></details>")
    return "".join(parts)


def render_html(report: ComparisonReport) -> str:
    """A self-contained HTML page (inline CSS, no scripts) with the counts and every diff, all escaped."""
    names = [status.name for status in EqualityStatus]
    header = "".join(f'<th class="{name}">{name}</th>' for name in names)
    rows = "".join(
        f"<tr><td>{_e(category)}</td>"
        + "".join(f'<td class="n">{row[name]}</td>' for name in names)
        + "</tr>"
        for category, row in report.counts_by_category.items()
    )
    errors = "".join(
        f"<h3>Category error: {_e(category)}</h3><pre>{_e(error)}</pre>"
        for category, error in report.category_errors.items()
    )
    not_equal = [c for c in report.comparisons if c.equality_status is not EqualityStatus.Equal]
    equal = [c for c in report.comparisons if c.equality_status is EqualityStatus.Equal]
    equal_list = "".join(f"<li><code>{_e(c.recording_id)}</code></li>" for c in equal)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>playback-dvd comparison</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>playback-dvd comparison</h1><p>{_e(report.summary())}</p>"
        f"<table><tr><th>category</th>{header}</tr>{rows}</table>{errors}"
        f"<h2>Not equal ({len(not_equal)})</h2>{''.join(map(_html_comparison, not_equal))}"
        f"<h2>Equal ({len(equal)})</h2><details><summary>recordings</summary><ul>{equal_list}</ul></details>"
        "</body></html>\n"
    )


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
    """Write the report to *path* in *format*, atomically (a reader never sees half a report)."""
    atomic_write(Path(path), render_report(report, format).encode("utf-8"))
