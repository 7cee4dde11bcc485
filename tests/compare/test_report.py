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


def test_the_text_report_shows_the_summary_table_and_diffs(report):
    text = render_report(report, "text")
    assert text.startswith("7 compared in ")
    assert "Checkout  " in text
    assert f"[Different] {scenario_id('different')}: " in text
    assert '    $["checkout.save_invoice #1"].items[0].price: 10 -> 12' in text
    assert "    never made: GET http://127.0.0.1/prices?sku=a" in text
    assert "[category error] Refunds" in text


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
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.startswith("<!DOCTYPE html>")
    assert "items[0].price" in page


def test_an_unknown_format_is_refused_with_the_choices(report):
    with pytest.raises(ConfigurationError, match="text, json, junit, html"):
        render_report(report, "yaml")


def test_write_report_writes_the_file(report, tmp_path):
    target = tmp_path / "out" / "report.json"
    write_report(report, target, "json")
    assert json.loads(target.read_text())["summary"]["total"] == 7
