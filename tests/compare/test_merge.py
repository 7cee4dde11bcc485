"""merge_reports: shards' JSON reports read back and joined into one verdict; inconsistent sets refused."""

from __future__ import annotations

import pytest

from playback_dvd import ConfigurationError
from playback_dvd.compare import ComparisonReport, Equalizer, merge_reports, read_json_report, render_report

from ._players import scenario_id, scenario_player


def shard_report(names, shard=None):
    ids = [scenario_id(name, n) for n, name in enumerate(names)]
    context = {"shard": shard} if shard else {}
    report = ComparisonReport.collect(Equalizer(ids, scenario_player).run_comparison(), context=context)
    return read_json_report(render_report(report, "json"), f"shard {shard}")


def test_a_report_read_back_keeps_statuses_messages_and_diffs():
    report = shard_report(["equal", "different", "requests_changed"])
    by_status = {c.equality_status.name: c for c in report.comparisons}
    assert sorted(by_status) == ["Different", "Equal"]
    different = next(c for c in report.comparisons if c.comparator_status.diff is not None)
    assert different.comparator_status.diff.lines()[0] == '$["checkout.save_invoice #1"].total: 15.0 -> 17.0'
    assert any(c.request_changes for c in report.comparisons)


def test_merged_shards_give_one_verdict():
    merged = merge_reports([("a", shard_report(["equal"], "1/2")), ("b", shard_report(["different"], "2/2"))])
    assert len(merged.comparisons) == 2
    assert merged.exit_code == 1
    assert merged.context["merged from"] == "a, b"
    assert "shard" not in merged.context


@pytest.mark.parametrize(
    ("reports", "message"),
    [
        ([], "no report to merge"),
        ([("a", ["equal"], "1/2"), ("b", ["equal"], "2/2")], "is in both a and b"),
        ([("a", ["equal"], "1/2"), ("b", ["different"], "1/2")], "shard 1/2 is in both"),
        ([("a", ["equal"], "1/2"), ("b", ["different"], "2/3")], "split the run differently"),
        ([("a", ["equal"], "1/2"), ("b", ["different"], None)], "b names no shard"),
    ],
)
def test_inconsistent_sets_of_reports_are_refused(reports, message):
    built = [(source, shard_report(names, shard)) for source, names, shard in reports]
    with pytest.raises(ConfigurationError, match=message):
        merge_reports(built)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "is not JSON"),
        ('{"schema_version": 99, "comparisons": []}', "schema_version 99 is newer"),
        ('{"comparisons": [{"status": "Sideways", "recording_id": "x"}]}', "malformed report"),
    ],
)
def test_what_is_not_a_report_is_refused(text, message):
    with pytest.raises(ConfigurationError, match=message):
        read_json_report(text, "r.json")
