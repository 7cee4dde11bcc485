"""Colours (``--color``, ``NO_COLOR``, ``FORCE_COLOR``) and the progress line, on pipes and on a real
pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from .test_compare import PLAYER, ROOT

YELLOW_TAG = "\033[33m[Different]\033[0m"


@pytest.fixture
def recordings(tmp_path, server, monkeypatch):
    from ..compare._service import record_items

    return record_items(tmp_path, server, monkeypatch)[0]


def compare(location, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    environment.update(PYTHONPATH=path, PRICING_MODE="double", **env)
    command = [sys.executable, "-m", "playback_dvd", "compare", str(location), "--category", "Pricing"]
    return subprocess.run(
        [*command, "--player", PLAYER, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, False),  # a pipe
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "0"}, False),
        ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins
        (("--color", "always"), {"NO_COLOR": "1"}, True),  # the option beats the environment
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_follows_the_option_then_no_color_then_force_color(recordings, args, env, coloured):
    result = compare(recordings, *args, **env)
    assert result.returncode == 1
    assert (YELLOW_TAG in result.stdout) is coloured
    assert ("\033[" in result.stdout) is coloured
    summary = result.stdout.splitlines()[-1]
    assert ("\033[33m3 Different\033[0m" in summary) is coloured


def test_on_a_terminal_progress_shows_count_rate_and_eta_then_is_cleared(recordings):
    leader, follower = pty.openpty()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PRICING_MODE": "same"}
    command = [sys.executable, "-m", "playback_dvd", "compare", str(recordings), "--category", "Pricing"]
    with subprocess.Popen(
        [*command, "--player", PLAYER],
        stdout=subprocess.PIPE,
        stderr=follower,
        cwd=ROOT,
        env=environment,
        text=True,
    ) as process:
        os.close(follower)
        written = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other side closed: the command ended
                break
            if not chunk:
                break
            written += chunk
        stdout = process.stdout.read() if process.stdout else ""
        assert process.wait(timeout=60) == 0
    os.close(leader)
    terminal = written.decode()
    assert "\r\033[Kcompared 3/3 (0 not equal), " in terminal  # redrawn in place
    assert "/s" in terminal
    assert terminal.endswith("\r\033[K")  # cleared before the report
    assert "\n" not in terminal.replace("\r\n", "")  # one line, never scrolled
    assert stdout.splitlines()[-1].startswith("3 compared in ")


def test_the_eta_and_rate_of_a_progress_line():
    import io

    from playback_dvd.cli._terminal import Progress

    progress = Progress(4, io.StringIO())
    progress.started -= 2.0  # two seconds ago
    progress.advance(True)
    progress.advance(False)
    assert progress.line() == "compared 2/4 (1 not equal), 1.0/s, ETA 2 s"
