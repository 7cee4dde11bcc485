"""The compare demo: the example web service records, unchanged code is Equal, the code change is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "compare_demo.py"


def test_the_compare_demo_catches_the_web_services_regression(tmp_path):
    report = tmp_path / "report.html"  # not the demo's default, the system temp dir: the suite leaves nothing
    result = subprocess.run(
        [sys.executable, str(DEMO), str(report)], capture_output=True, text=True, timeout=180
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert out.count("recorded  GET /quote/") == 3
    assert ": 3 Equal\n" in out  # unchanged code
    assert ": 1 Equal, 2 Different\n" in out  # the two gold customers' quotes
    assert '    $["db.write_audit #1"].total: 4.19 -> 3.49\n' in out
    assert "    $.operation.total: 4.19 -> 3.49\n" in out
    assert "    $.operation.total: 4.5 -> 3.75\n" in out
    assert "(exit code 1)" in out
    assert out.rstrip().endswith("regression caught")
    assert "QuoteService" in report.read_text()
