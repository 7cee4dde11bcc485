"""The report: counts per status and category, and the text, JSON, JUnit XML and HTML writers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from playback_dvd import ConfigurationError
from playback_dvd.compare import ComparisonReport, Equalizer, render_report, write_report

from ._players import scenario_id, scenario_player

SCENARIOS = ["equal", "different", "fixed", "failed", "missing_input", "requests_changed", "script"]


@pytest.fixture(scope="module")
def report():
    ids = [scenario_id(name) for name in SCENARIOS]
    return ComparisonReport.collect(
        Equalizer(ids, scenario_player).run_comparison(),
        category_errors={"Refunds": "Traceback (most recent call last):\nValueError: no tuning"},
    )


def test_counts_cover_every_status(report):
    assert report.counts == {"Equal": 1, "Fixed": 1, "Different": 3, "Failed": 1, "EqualizerFailure": 1}


def test_counts_by_category(report):
    assert report.counts_by_category == {
        "Checkout": {"Equal": 1, "Fixed": 1, "Different": 3, "Failed": 1, "EqualizerFailure": 1}
    }
    assert report.categories == ["Checkout", "Refunds"]


def test_failures_and_differences_are_listed(report):
    assert {c.equality_status.name for c in report.failures} == {"Failed", "EqualizerFailure"}
    assert len(report.differences) == 3


def test_a_report_with_a_difference_or_category_error_did_not_pass(report):
    assert not report.passed
    assert report.exit_code == 1


def test_a_report_of_equal_and_fixed_comparisons_passed():
    ids = [scenario_id("equal"), scenario_id("fixed")]
    clean = ComparisonReport.collect(Equalizer(ids, scenario_player).run_comparison())
    assert (clean.passed, clean.exit_code) == (True, 0)


def test_progress_callback_sees_every_comparison():
    seen = []
    ComparisonReport.collect(
        Equalizer([scenario_id("equal")], scenario_player).run_comparison(), on_comparison=seen.append
    )
    assert [c.recording_id for c in seen] == [scenario_id("equal")]


def test_the_text_report_ends_with_the_summary_after_the_table_and_diffs(report):
    text = render_report(report, "text")
    lines = text.splitlines()
    assert lines[-1].startswith("7 compared in ")
    assert lines[-1].endswith(", 1 category error")  # one error, singular
    assert lines.index("category  Equal  Fixed  Different  Failed  EqualizerFailure") == len(lines) - 4
    assert f"  {scenario_id('different')}  tolerance=0.5" in lines
    assert '      $["checkout.save_invoice #1"].items[0].price: 10 -> 12' in lines
    assert "      never made: GET http://127.0.0.1/prices?sku=a" in lines
    assert "[category error] Refunds" in lines


def test_the_text_report_lists_the_most_severe_findings_first(report):
    headers = [line.split("]")[0] + "]" for line in render_report(report, "text").splitlines()]
    statuses = [h for h in headers if h in ("[Failed]", "[EqualizerFailure]", "[Different]", "[Fixed]")]
    assert statuses == [
        "[Failed]",
        "[EqualizerFailure]",
        "[Different]",
        "[Different]",
        "[Different]",
        "[Fixed]",
    ]


def test_the_json_report_holds_counts_and_structured_differences(report):
    document = json.loads(render_report(report, "json"))
    assert document["summary"]["counts"]["Different"] == 3
    assert document["summary"]["passed"] is False
    different = next(c for c in document["comparisons"] if c["recording_id"] == scenario_id("different"))
    assert different["differences"][1] == {
        "path": '$["checkout.save_invoice #1"].items[0].price',
        "kind": "changed",
        "expected": 10,
        "actual": 12,
    }
    assert document["category_errors"]["Refunds"].startswith("Traceback")


def test_the_junit_report_has_a_suite_per_category_with_failures_and_errors(report):
    root = ElementTree.fromstring(render_report(report, "junit"))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    checkout = suites["Checkout"]
    assert (checkout.get("tests"), checkout.get("failures"), checkout.get("errors")) == ("7", "4", "1")
    failed = next(case for case in checkout if case.get("name") == scenario_id("failed"))
    assert failed.find("failure").get("type") == "Failed"
    assert suites["Refunds"].get("errors") == "1"


def test_the_html_report_escapes_recorded_values(report):
    page = render_report(report, "html")
    assert "alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # the page's own filter script, nothing recorded
    assert page.startswith("<!DOCTYPE html>")
    assert "items[0].price" in page


def test_an_unknown_format_is_refused_with_the_choices(report):
    with pytest.raises(ConfigurationError, match="text, json, junit, html"):
        render_report(report, "yaml")


def test_write_report_writes_the_file(report, tmp_path):
    target = tmp_path / "report.json"
    write_report(report, target, "json")
    assert json.loads(target.read_text())["summary"]["total"] == 7


def test_write_report_refuses_a_missing_directory_rather_than_creating_it(report, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_report(report, tmp_path / "typo" / "report.json", "json")
    assert not (tmp_path / "typo").exists()


@pytest.fixture(scope="module")
def many_different():
    """15 recordings with the same changes, and one that failed."""
    ids = [scenario_id("different", n) for n in range(15)] + [scenario_id("failed")]
    return ComparisonReport.collect(
        Equalizer(ids, scenario_player).run_comparison(), context={"player": "p:f"}
    )


def test_identical_changes_are_one_group_with_at_most_ten_recordings_listed_in_text(many_different):
    lines = render_report(many_different, "text").splitlines()
    assert lines[0] == "player: p:f"
    (header,) = [line for line in lines if line.startswith("[Different]")]
    assert header.startswith(
        '[Different] 15 recordings: $["checkout.save_invoice #1"].total changed, e.g. 15.0 -> 17.0'
    )
    listed = [line for line in lines if line.startswith("  Checkout/")]
    assert len(listed) == 11  # 10 of the group, 1 failed
    assert "  ... and 5 more recordings (every one is in --format json)" in lines


def test_the_json_report_lists_every_recording_of_a_group(many_different):
    document = json.loads(render_report(many_different, "json"))
    (group,) = [g for g in document["groups"] if g["status"] == "Different"]
    assert group["count"] == 15
    assert len(group["recording_ids"]) == 15
    assert group["paths"] == [
        '$["checkout.save_invoice #1"].total',
        '$["checkout.save_invoice #1"].items[0].price',
        "$.operation.total",
    ]
    assert document["context"] == {"player": "p:f"}


def test_junit_testcases_carry_the_recordings_metadata_and_the_failure_details(many_different):
    root = ElementTree.fromstring(render_report(many_different, "junit"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("16", "16", "0")
    case = next(root.iter("testcase"))
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {"metadata.tolerance": "0.5"}


def test_a_skipped_recording_is_counted_apart_and_shown_as_skipped_in_junit():
    from playback_dvd.compare import Comparison
    from playback_dvd.compare._status import ComparatorResult, EqualityStatus

    skipped = Comparison(
        "Checkout/2026-11-23/" + "0" * 32,
        ComparatorResult(EqualityStatus.EqualizerFailure, "skipped: x"),
        category="Checkout",
        skipped="the recording is of m:Checkout.refund; the playback function called m:Checkout.run",
    )
    report = ComparisonReport.collect([skipped])
    assert (report.comparisons, report.passed, report.exit_code) == ((), True, 0)
    assert report.summary().endswith("; 1 skipped (recordings of another operation)")
    case = next(ElementTree.fromstring(render_report(report, "junit")).iter("testcase"))
    assert case.find("skipped").get("message").startswith("the recording is of m:Checkout.refund")
    assert "[Skipped] 1 recording: the recording is of m:Checkout.refund" in render_report(report, "text")
