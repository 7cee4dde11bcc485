"""``python3 tasks.py`` shows what it installs as it goes, instead of a minute of silence."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_tasks():
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PIP_OUTPUT = """\
Obtaining file:///work/playback_dvd
  Installing build dependencies: started
Collecting attrs>=23.1 (from playback-dvd==0.1.0)
  Using cached attrs-25.1.0-py3-none-any.whl.metadata (10 kB)
Collecting httpx<1,>=0.27 (from playback-dvd==0.1.0)
Requirement already satisfied: idna in ./.venv/lib/python3.11/site-packages
Installing collected packages: attrs, httpx, playback-dvd
Successfully installed attrs-25.1.0 httpx-0.28.1 playback-dvd-0.1.0
"""


def test_pip_output_becomes_one_short_line_per_package_and_keeps_everything():
    kept: list[str] = []
    lines = list(load_tasks().progress_lines(PIP_OUTPUT.splitlines(keepends=True), kept))
    assert lines == [
        "  collecting attrs>=23.1 (1)",
        "  collecting httpx<1,>=0.27 (2)",
        "  installing 2 packages",
        "  done",
    ]
    assert "".join(kept) == PIP_OUTPUT  # shown in full if pip fails
