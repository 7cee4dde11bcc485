"""``playback-dvd compare``, run as a real subprocess: setup errors exit 2, regressions exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from ._run import ROOT, run_cli

PLAYER = "tests.compare._service:replay_quote"


def cli(*args: str, mode: str = "same") -> subprocess.CompletedProcess[str]:
    # The player module is imported by the command from the project root, as a user's would be.
    return run_cli(*args, environment={"PRICING_MODE": mode})


@pytest.fixture
def recordings(tmp_path, server, monkeypatch):
    """A LocalCassette directory with one recording of Pricing.quote per item, and their ids."""
    from ..compare._service import record_items

    return record_items(tmp_path, server, monkeypatch)


def compare(location, *args: str, mode: str = "same") -> subprocess.CompletedProcess[str]:
    return cli("compare", str(location), "--category", "Pricing", "--player", PLAYER, *args, mode=mode)


def test_a_missing_location_exits_2_naming_it(tmp_path):
    result = cli("compare", str(tmp_path / "nowhere"), "--category", "Checkout", "--player", "json:loads")
    assert result.returncode == 2
    assert f"{tmp_path / 'nowhere'}: no such directory" in result.stderr


def test_a_player_that_cannot_be_imported_exits_2_naming_it(tmp_path):
    result = cli("compare", str(tmp_path), "--category", "Checkout", "--player", "no_such_module_xyz:play")
    assert result.returncode == 2
    assert "cannot import module 'no_such_module_xyz'" in result.stderr


def test_a_player_without_a_colon_exits_2(tmp_path):
    result = cli("compare", str(tmp_path), "--category", "Checkout", "--player", "json.loads")
    assert result.returncode == 2
    assert "must look like 'package.module:function'" in result.stderr


def test_a_missing_player_attribute_exits_2(tmp_path):
    result = cli("compare", str(tmp_path), "--category", "Checkout", "--player", "json:no_such_function")
    assert result.returncode == 2
    assert "has no attribute 'no_such_function'" in result.stderr


@pytest.mark.parametrize("shard", ["3/2", "x"])
def test_a_bad_shard_exits_2(tmp_path, shard):
    result = cli("compare", str(tmp_path), "--category", "C", "--player", "json:loads", "--shard", shard)
    assert result.returncode == 2
    assert "shard" in result.stderr


def test_missing_required_options_exit_2_with_usage(tmp_path):
    result = cli("compare", str(tmp_path))
    assert result.returncode == 2
    assert "--category" in result.stderr


def test_no_recordings_of_the_category_exits_2_naming_it(recordings):
    location, _ = recordings
    result = cli("compare", str(location), "--category", "Refunds", "--player", PLAYER)
    assert result.returncode == 2
    assert f"no recordings of Refunds in {location}" in result.stderr


def test_unchanged_code_exits_0_and_replays_without_network(recordings, server):
    location, _ = recordings
    result = compare(location)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3 compared in ")
    assert ": 3 Equal" in result.stdout
    assert "compared 3/3 (0 not equal)" in result.stderr  # progress
    assert server.hits == []


def test_a_regression_exits_1_and_prints_the_diff(recordings):
    location, _ = recordings
    result = compare(location, mode="double")
    assert result.returncode == 1
    assert "[Different] Pricing/" in result.stdout
    assert "    $.operation.price: 20 -> 40" in result.stdout


def test_an_operation_that_now_fails_exits_1(recordings):
    location, _ = recordings
    result = compare(location, mode="raise")
    assert result.returncode == 1
    assert "the replay raised RuntimeError: pricing broke" in result.stdout


def test_a_replay_past_the_timeout_is_an_equalizer_failure_and_the_others_complete(recordings):
    location, _ = recordings
    result = compare(location, "--timeout", "1", mode="slow")
    assert result.returncode == 1
    assert ": 2 Equal, 1 EqualizerFailure" in result.stdout
    assert "the replay took longer than 1.0 s" in result.stdout


def test_ignore_rules_given_on_the_command_line_apply(recordings):
    location, _ = recordings
    result = compare(location, "--ignore-key", "price", mode="double")
    assert result.returncode == 0, result.stdout


def test_two_jobs_write_a_json_report(recordings, tmp_path, server):
    location, ids = recordings
    target = tmp_path / "report.json"
    result = compare(location, "--jobs", "2", "--format", "json", "--output", str(target), mode="double")
    assert result.returncode == 1, result.stderr
    document = json.loads(target.read_text())
    assert document["summary"]["counts"]["Different"] == 3
    assert sorted(c["recording_id"] for c in document["comparisons"]) == sorted(ids)
    assert server.hits == []


def test_shards_split_the_recordings_between_runs(recordings):
    location, ids = recordings
    seen = []
    for shard in ("1/2", "2/2"):
        result = compare(location, "--shard", shard, "--format", "json")
        assert result.returncode == 0, result.stderr
        seen += [c["recording_id"] for c in json.loads(result.stdout)["comparisons"]]
    assert sorted(seen) == sorted(ids)


def test_limit_bounds_the_recordings_compared(recordings):
    location, _ = recordings
    result = compare(location, "--limit", "1", "--format", "json")
    assert json.loads(result.stdout)["summary"]["total"] == 1


def test_a_junit_report_lists_each_recording(recordings, tmp_path):
    location, ids = recordings
    target = tmp_path / "report.xml"
    compare(location, "--format", "junit", "--output", str(target), mode="double")
    cases = ElementTree.parse(target).getroot().iter("testcase")
    assert sorted(case.get("name") for case in cases) == sorted(ids)


def test_the_html_report_escapes_what_the_operation_returned(recordings, tmp_path):
    location, _ = recordings
    target = tmp_path / "report.html"
    compare(location, "--format", "html", "--output", str(target), mode="double")
    page = target.read_text()
    assert "$.operation.price" in page
    assert "<script>" not in page


QUICK_START = ROOT / "examples" / "compare_quickstart" / "shop.py"


def test_the_quick_start_runs_with_the_player_imported_from_the_current_directory(tmp_path):
    # docs/compare.md's quick start, step by step, through the installed console script (whose sys.path
    # starts at its bin directory, not at the current directory) and with no PYTHONPATH.
    script = Path(sys.executable).with_name("playback-dvd")
    (tmp_path / "shop.py").write_text(QUICK_START.read_text())
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, capture_output=True, text=True, cwd=tmp_path, env=environment, timeout=120
        )

    run(sys.executable, "-c", "import shop; [shop.Checkout().run(n) for n in (1, 2, 3)]").check_returncode()
    command = (
        str(script),
        "compare",
        "recordings",
        "--category",
        "Checkout",
        "--player",
        "shop:replay_checkout",
    )
    unchanged = run(*command)
    assert unchanged.returncode == 0, unchanged.stderr
    assert ": 3 Equal" in unchanged.stdout
    source = (tmp_path / "shop.py").read_text()
    (tmp_path / "shop.py").write_text(source.replace("DISCOUNT = 0.10", "DISCOUNT = 0.15"))
    changed = run(*command, "--format", "json")
    assert changed.returncode == 1, changed.stderr
    differences = [d for c in json.loads(changed.stdout)["comparisons"] for d in c["differences"]]
    assert {"path": "$.operation.total", "kind": "changed", "expected": 18.9, "actual": 17.85} in differences


def test_the_quick_start_in_the_docs_is_the_tested_module():
    docs = (ROOT / "docs" / "compare.md").read_text()
    assert textwrap.indent(QUICK_START.read_text(), "   ") in docs


def test_the_cli_offers_every_report_format_the_engine_writes():
    from playback_dvd.cli.compare import REPORT_FORMATS
    from playback_dvd.compare import FORMATS

    assert tuple(REPORT_FORMATS) == tuple(FORMATS)
