"""The web service example records real requests, then replays them with the upstream and database gone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_webservice_example_records_replays_and_spots_a_change() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "record_and_replay.py")],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
        cwd=ROOT,
    )
    out = result.stdout
    assert out.count("recorded  GET /quote/") == 3
    assert "upstream stopped, database deleted" in out
    assert "3 recordings in" in out
    assert "replay    3 of 3 replays match" in out
    assert "changed   1 of 3 replays match" in out  # the two gold customers' totals changed
    changed = "recorded {'customer': 'Ada', 'items': 2, 'total': 4.19} | "
    changed += "replayed {'customer': 'Ada', 'items': 2, 'total': 3.49} -> DIFFERENT"
    assert changed in out
    assert result.stderr == ""
