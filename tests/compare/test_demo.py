"""The compare demo runs: it records, replays unchanged code (exit 0), then catches the regression."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import needs_recorder

DEMO = Path(__file__).resolve().parents[2] / "examples" / "compare_demo.py"


@needs_recorder
def test_the_compare_demo_catches_the_regression():
    result = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": 5 Equal" in result.stdout
    assert ": 5 Different" in result.stdout
    assert "$.operation.total: 2.8 -> 2.0" in result.stdout
    assert result.stdout.rstrip().endswith("regression caught")
