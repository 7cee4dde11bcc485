"""The HTML report: one self-contained page (inline CSS and script, nothing fetched), grouped, filterable.

The summary comes first; then filters (status, category, changed path), then one section per group of
identical findings, each listing at most `HTML_LISTED_PER_GROUP` recordings, so a run of 10,000
recordings stays a page a person can read. Filters also read the page's fragment
(``report.html#status=Different&category=Checkout&path=total``), so a link can point at what matters.
Every recorded value is escaped; the script reads only ``data-`` attributes, never recorded text as code.
"""

from __future__ import annotations

import html
import json

from .._words import plural
from ._diff import StructuralDiff, shorten
from ._groups import (
    SKIPPED,
    STATUS_ORDER,
    ComparisonGroup,
    code_versions,
    describe_metadata,
    diff_lines,
    group_comparisons,
    listed,
    request_lines,
)
from ._report import ComparisonReport
from ._status import Comparison, EqualityStatus

#: Recordings listed per group and category (the JSON report lists them all).
HTML_LISTED_PER_GROUP = 100
# Groups shown open when the page loads: the most severe first.
_OPEN_GROUPS = 3

_STYLE = """
:root { --ok: #1a7f37; --fixed: #0969da; --diff: #9a6700; --bad: #cf222e; --muted: #57606a; }
body { font-family: system-ui, sans-serif; margin: 0 2em 2em; color: #1f2328; line-height: 1.4; }
h1 { font-size: 1.4em; margin: 0.8em 0 0.2em; }
h2 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.88em; }
pre { background: #f6f8fa; padding: 0.5em; margin: 0.3em 0; overflow-x: auto; white-space: pre-wrap; }
.badge { display: inline-block; min-width: 5.5em; padding: 0 0.4em; border-radius: 0.3em; color: #fff;
  font-size: 0.85em; font-weight: 600; text-align: center; }
.badge.Equal { background: var(--ok); } .badge.Fixed { background: var(--fixed); }
.badge.Different { background: var(--diff); } .badge.Skipped { background: var(--muted); }
.badge.Failed, .badge.EqualizerFailure { background: var(--bad); }
#verdict { font-size: 1.15em; font-weight: 600; }
#verdict.passed { color: var(--ok); } #verdict.failed { color: var(--bad); }
#filters { position: sticky; top: 0; background: #fff; padding: 0.6em 0; border-bottom: 1px solid #d0d7de;
  display: flex; flex-wrap: wrap; gap: 1em; align-items: center; z-index: 1; }
#filters label { white-space: nowrap; }
#shown { color: var(--muted); }
section.group { margin: 0.8em 0; border-left: 4px solid #d0d7de; padding-left: 0.8em; }
section.group[data-status="Failed"],
section.group[data-status="EqualizerFailure"] { border-color: var(--bad); }
section.group[data-status="Different"] { border-color: var(--diff); }
section.group[data-status="Equal"] { border-color: var(--ok); }
section.group h3 { font-size: 1em; font-weight: 600; margin: 0.2em 0; }
.meta { color: var(--muted); }
.more { color: var(--muted); font-style: italic; }
"""

# Reads the filters, hides what does not match, counts what is shown. Plain DOM calls: no library.
_SCRIPT = """
(function () {
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=status]"));
  var category = document.getElementById("category");
  var path = document.getElementById("path");
  var shown = document.getElementById("shown");
  var total = groups.reduce(function (sum, g) { return sum + Number(g.dataset.count); }, 0);
  function fromFragment() {
    var params = new URLSearchParams(location.hash.slice(1));
    if (params.has("status")) {
      var wanted = params.get("status").split(",");
      boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
    }
    if (params.has("category")) { category.value = params.get("category"); }
    if (params.has("path")) { path.value = params.get("path"); }
  }
  function apply() {
    var statuses = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var wantedCategory = category.value;
    var needle = path.value.trim().toLowerCase();
    var count = 0;
    groups.forEach(function (group) {
      var counts = JSON.parse(group.dataset.categories);
      var inCategory = wantedCategory ? (counts[wantedCategory] || 0) : Number(group.dataset.count);
      var pathMatches = !needle || group.dataset.paths.toLowerCase().indexOf(needle) >= 0;
      var visible = statuses.indexOf(group.dataset.status) >= 0 && inCategory > 0 && pathMatches;
      group.hidden = !visible;
      if (visible) { count += inCategory; }
      group.querySelectorAll("tr[data-category]").forEach(function (row) {
        row.hidden = Boolean(wantedCategory) && row.dataset.category !== wantedCategory;
      });
    });
    shown.textContent = count.toLocaleString("en") + " of " + total.toLocaleString("en") +
      " recordings shown";
  }
  fromFragment();
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  category.addEventListener("change", apply);
  path.addEventListener("input", apply);
  window.addEventListener("hashchange", function () { fromFragment(); apply(); });
  apply();
})();
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _badge(status: str) -> str:
    return f'<span class="badge {status}">{status}</span>'


def _summary(report: ComparisonReport) -> str:
    verdict = "passed" if report.passed else "failed"
    words = "No regression" if report.passed else "Regressions found"
    if report.interrupted:
        words = "Interrupted"
    counts = [f"{_badge(name)} {count:,}" for name, count in report.counts.items() if count]
    if report.skipped:
        counts.append(f"{_badge(SKIPPED)} {len(report.skipped):,}")
    context = "".join(
        f"<tr><th>{_e(key)}</th><td><code>{_e(value)}</code></td></tr>"
        for key, value in report.context.items()
    )
    names = [status.name for status in EqualityStatus]
    header = "".join(f"<th>{_badge(name)}</th>" for name in names)
    rows = "".join(
        f"<tr><td>{_e(category)}</td>"
        + "".join(f'<td class="n">{row[name]:,}</td>' for name in names)
        + "</tr>"
        for category, row in report.counts_by_category.items()
    )
    errors = "".join(
        f"<h2>Category error: {_e(category)}</h2><pre>{_e(error)}</pre>"
        for category, error in report.category_errors.items()
    )
    return (
        f'<p id="verdict" class="{verdict}">{words}</p>'
        f'<p id="summary">{_e(report.summary())}</p><p>{" &nbsp; ".join(counts)}</p>'
        + (f"<table>{context}</table>" if context else "")
        + (f"<table><tr><th>category</th>{header}</tr>{rows}</table>" if rows else "")
        + errors
    )


def _filters(report: ComparisonReport, groups: list[ComparisonGroup]) -> str:
    present = {group.status for group in groups}
    order = [status.name for status in STATUS_ORDER] + [SKIPPED]
    boxes = "".join(
        f'<label><input type="checkbox" name="status" value="{name}"'
        # Equal recordings are there to be found, not to be read first.
        f"{'' if name == EqualityStatus.Equal.name else ' checked'}> {_badge(name)}</label>"
        for name in order
        if name in present
    )
    options = "".join(
        f'<option value="{_e(c)}">{_e(c or "(no category)")}</option>' for c in report.categories
    )
    return (
        f'<div id="filters">{boxes}'
        f'<label>category <select id="category"><option value="">all</option>{options}</select></label>'
        '<label>changed path <input id="path" type="search" placeholder="e.g. total"></label>'
        '<span id="shown"></span></div>'
    )


def _details(comparison: Comparison) -> str:
    parts = []
    diff = comparison.comparator_status.diff
    if isinstance(diff, StructuralDiff) and diff.differences:
        rows = "".join(
            f"<tr><td><code>{_e(d.path)}</code></td><td>{_e(d.kind.value)}</td>"
            f"<td><code>{_e(shorten(d.expected, diff.max_value_chars))}</code></td>"
            f"<td><code>{_e(shorten(d.actual, diff.max_value_chars))}</code></td></tr>"
            for d in diff.differences
        )
        more = f"<p class='more'>... and {diff.truncated:,} more differences</p>" if diff.truncated else ""
        parts.append(
            f"<table><tr><th>path</th><th>change</th><th>recorded</th><th>replayed</th></tr>{rows}</table>{more}"
        )
    elif diff is not None:
        parts.append(f"<pre>{_e(chr(10).join(diff_lines(comparison)))}</pre>")
    requests = request_lines(comparison)
    if requests:
        parts.append("<pre>" + _e("\n".join(requests)) + "</pre>")
    if comparison.traceback:
        parts.append(f"<pre class='traceback'>{_e(comparison.traceback)}</pre>")
    return "".join(parts)


def _row(comparison: Comparison) -> str:
    versions = code_versions(comparison)
    return (
        f'<tr data-category="{_e(comparison.category)}"><td><code>{_e(comparison.recording_id)}</code></td>'
        f'<td class="meta">{_e(describe_metadata(comparison.metadata))}</td>'
        f'<td class="meta">{_e(versions)}</td><td>{_details(comparison)}</td></tr>'
    )


def _group(group: ComparisonGroup, number: int, cap: int) -> str:
    counts: dict[str, int] = {}
    for comparison in group.comparisons:
        counts[comparison.category] = counts.get(comparison.category, 0) + 1
    # Up to *cap* rows of each category: filtering by a category always leaves some of its rows to read.
    by_category: dict[str, list[Comparison]] = {}
    for comparison in group.comparisons:
        by_category.setdefault(comparison.category, []).append(comparison)
    shown = [c for members in by_category.values() for c in listed(members, cap)[0]]
    left_out = len(group.comparisons) - len(shown)
    more = (
        f"<p class='more'>... and {plural(left_out, 'more recording')} (every one is in the JSON report)</p>"
        if left_out
        else ""
    )
    is_open = " open" if number < _OPEN_GROUPS and group.status != EqualityStatus.Equal.name else ""
    return (
        f'<section class="group" data-status="{group.status}" data-count="{len(group.comparisons)}"'
        f' data-categories="{_e(json.dumps(counts, sort_keys=True))}"'
        f' data-paths="{_e(" ".join(group.paths))}">'
        f"<h3>{_badge(group.status)} {_e(group.title())}</h3>"
        f"<details{is_open}><summary>{plural(len(shown), 'recording')} listed</summary>"
        "<table><tr><th>recording</th><th>metadata</th><th>code</th>"
        "<th>details</th></tr>"
        f"{''.join(map(_row, shown))}</table>{more}</details></section>"
    )


def render_html(report: ComparisonReport, listed_per_group: int = HTML_LISTED_PER_GROUP) -> str:
    """A self-contained HTML page: summary first, filters, then the groups of identical findings."""
    groups = group_comparisons([*report.comparisons, *report.skipped])
    sections = "".join(_group(group, number, listed_per_group) for number, group in enumerate(groups))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>playback-dvd comparison</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>playback-dvd comparison</h1>{_summary(report)}"
        f"<h2>Findings ({plural(len(groups), 'group')})</h2>{_filters(report, groups)}{sections}"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
