"""The reproducers of issue 14 (``hostile/``, described in its README): refused by every reading path.

Each file goes through use_dvd, every cassette, ``recorder.play`` and the CLI in one subprocess
(``hostile_paths.py``), so that the peak RSS measured is the loader's, not the test runner's: every path
must answer `DVDFormatError` (the CLI: exit 2 and one line), and no file may grow the process's peak RSS
by 100 MiB (on main, one of them needed 2 GiB and another raised MemoryError at once).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .hostile_paths import REFUSED

HOSTILE = Path(__file__).parent / "hostile"
FILES = sorted(path for path in HOSTILE.iterdir() if path.suffix != ".md")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[str, str], dict[str, Any]]:
    """Every (file, path) outcome, from one subprocess."""
    completed = subprocess.run(
        [sys.executable, "-m", "tests.formats.hostile_paths", *map(str, FILES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    return {(result["file"], result["path"]): result for result in results}


def test_every_reproducer_went_through_every_path(outcomes: dict[tuple[str, str], dict[str, Any]]) -> None:
    files = {file for file, _ in outcomes}
    assert files == {path.name for path in FILES}
    dvd_paths = {path for file, path in outcomes if file == "method_not_string.dvd"}
    assert dvd_paths == {
        "use_dvd",
        "local",
        "memory",
        "s3",
        "cached-s3",
        "recorder.play",
        "cli-show",
        "cli-convert",
    }
    assert {path for file, path in outcomes if file.endswith(".meta.json")} == {
        "local-search",
        "local-metadata",
        "cli-ls",
    }


@pytest.mark.parametrize("file", [path.name for path in FILES])
def test_a_reproducer_is_refused_by_every_path_with_little_memory(
    file: str, outcomes: dict[tuple[str, str], dict[str, Any]]
) -> None:
    results = [result for (name, _), result in outcomes.items() if name == file]
    assert results
    assert {result["path"]: result["outcome"] for result in results} == {
        result["path"]: REFUSED for result in results
    }
    assert max(result["rss_growth_mib"] for result in results) < 100


def test_the_readme_describes_every_reproducer() -> None:
    readme = (HOSTILE / "README.md").read_text()
    assert all(f"`{path.name}`" in readme for path in FILES)
