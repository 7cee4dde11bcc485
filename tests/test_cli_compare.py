"""``playback-dvd compare``, run as a real subprocess: setup errors exit 2, regressions exit 1."""

from __future__ import annotations

import subprocess
import sys

import pytest


def cli(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playback_dvd.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


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
