"""``playback-dvd compare --detect-noise / --suggest-ignores / --config`` and ``merge-reports``, as real
subprocesses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from playback_dvd import LocalCassette

from ..compare._noisy_service import record_orders
from ._run import ROOT, run_cli

PLAYER = "tests.compare._noisy_service:replay_order"


def cli(*args: str, mode: str = "same", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, environment={"ORDER_MODE": mode}, cwd=cwd)


@pytest.fixture
def orders(tmp_path, server, monkeypatch):
    """A directory of three recorded orders (a timestamp and uuids in each output), and their ids."""
    monkeypatch.delenv("ORDER_MODE", raising=False)
    directory = tmp_path / "recordings"
    return directory, record_orders(LocalCassette(directory), server.url)


def compare(location: Path, *args: str, mode: str = "same") -> subprocess.CompletedProcess[str]:
    return cli(
        "compare", str(location), "--category", "Orders", "--player", PLAYER, "--quiet", *args, mode=mode
    )


def test_detect_noise_passes_unchanged_code_lists_the_noise_and_writes_the_ignores(orders, tmp_path):
    location, _ = orders
    suggestion = tmp_path / "ignores.toml"
    result = compare(location, "--detect-noise", "--suggest-ignores", str(suggestion))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "    $.operation.placed_at in 3 recording(s), e.g. " in result.stdout
    assert "[tool.playback-dvd.compare.categories.Orders]" in suggestion.read_text()
    # Pasted into a pyproject.toml, the block makes the plain comparison (one replay) pass too.
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(suggestion.read_text())
    plain = compare(location, "--config", str(pyproject))
    assert plain.returncode == 0, plain.stdout
    assert f"rules from: {pyproject} [tool.playback-dvd.compare]" in plain.stdout
    assert "rules for Orders: ignore_paths=[$.operation.lines[*].line_id, " in plain.stdout


def test_detect_noise_still_fails_a_real_change(orders):
    location, _ = orders
    result = compare(location, "--detect-noise", "--format", "json", mode="total")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    paths = {d["path"] for c in document["comparisons"] for d in c["differences"]}
    assert paths == {"$.operation.total", '$["orders.store #1"].order.total'}
    assert "$.operation.order_id" in {p["path"] for p in document["noisy_paths"]["Orders"]}


def test_rules_in_the_nearest_pyproject_apply_without_being_named(orders, tmp_path):
    location, _ = orders
    (tmp_path / "pyproject.toml").write_text(
        '[tool.playback-dvd.compare]\nignore_keys = ["order_id", "placed_at", "line_id"]\n'
    )
    result = cli(
        "compare", str(location), "--category", "Orders", "--player", PLAYER, "--quiet", cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rules for Orders: ignore_keys=[order_id, placed_at, line_id]" in result.stdout


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("ignore_key = ['x']", "unknown key 'ignore_key'"),
        ("float_abs_tolerance = 'small'", "float_abs_tolerance must be a number >= 0"),
        ("ignore_paths = ['items']", "must start with '$'"),
        ("ignore_paths = [", "is not valid TOML"),
    ],
)
def test_a_bad_rule_in_the_config_exits_2_with_one_line_naming_it(orders, tmp_path, table, message):
    location, _ = orders
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[tool.playback-dvd.compare]\n{table}\n")
    result = compare(location, "--config", str(pyproject))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def shard_reports(location: Path, tmp_path: Path, count: int, mode: str = "same") -> list[str]:
    paths = []
    for index in range(1, count + 1):
        target = tmp_path / f"shard-{index}.json"
        run = compare(
            location,
            "--detect-noise",
            "--shard",
            f"{index}/{count}",
            "--format",
            "json",
            "--output",
            str(target),
            mode=mode,
        )
        assert run.returncode in (0, 1), run.stderr
        paths.append(str(target))
    return paths


def test_merge_reports_gives_one_verdict_for_all_shards(orders, tmp_path):
    location, ids = orders
    reports = shard_reports(location, tmp_path, 2)
    merged = cli("merge-reports", *reports, "--format", "json")
    assert merged.returncode == 0, merged.stderr
    document = json.loads(merged.stdout)
    assert sorted(c["recording_id"] for c in document["comparisons"]) == sorted(ids)
    assert document["summary"]["counts"]["Equal"] == 3
    assert document["context"]["merged from"] == ", ".join(reports)
    assert "$.operation.placed_at" in {p["path"] for p in document["noisy_paths"]["Orders"]}


def test_merge_reports_fails_when_a_shard_has_a_regression(orders, tmp_path):
    location, _ = orders
    merged = cli("merge-reports", *shard_reports(location, tmp_path, 2, mode="total"))
    assert merged.returncode == 1
    assert "$.operation.total: " in merged.stdout


def test_merge_reports_refuses_a_missing_shard(orders, tmp_path):
    location, _ = orders
    first, _second, third = shard_reports(location, tmp_path, 3)
    merged = cli("merge-reports", first, third)
    assert merged.returncode == 2
    assert "shard 2/3 missing" in merged.stderr


def test_merge_reports_refuses_a_file_that_is_not_a_report(tmp_path):
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}')
    merged = cli("merge-reports", str(bogus))
    assert merged.returncode == 2
    assert f"{bogus} is not a playback-dvd JSON report" in merged.stderr
