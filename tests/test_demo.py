"""The README's demo runs and shows what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_records_replays_and_explains_a_miss() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "1. recorded   total=150" in result.stdout
    assert "3. replayed   total=150 with no network; played 3 of 3" in result.stdout
    assert "reason='no_match'" in result.stdout
    assert result.stderr == ""
