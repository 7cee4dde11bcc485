"""``playback-dvd compare`` as a team reads it: operations kept apart, grouped findings, tracebacks, JSON
shape, Ctrl-C, and refusals that cost nothing (run as real subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from .test_compare import PLAYER, ROOT, cli, compare


@pytest.fixture
def mixed(tmp_path, server, monkeypatch):
    """3 recordings of Pricing.quote and 2 of Pricing.refund, all in category Pricing."""
    from ..compare._service import record_items

    return record_items(tmp_path, server, monkeypatch, refunds=2)


def test_recordings_of_another_operation_are_skipped_and_counted_not_different(mixed):
    location, _ = mixed
    result = compare(location, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["counts"]["Equal"] == 3
    assert document["summary"]["counts"]["Different"] == 0
    assert document["summary"]["skipped"] == 2
    skipped = [c for c in document["comparisons"] if c["status"] == "Skipped"]
    assert {c["operation"] for c in skipped} == {"tests.compare._service:Pricing.refund"}
    assert skipped[0]["skipped"].endswith("the playback function called tests.compare._service:Pricing.quote")
    assert "; 2 skipped (recordings of another operation)" in document["summary"]["line"]


def test_operation_chooses_the_recordings_of_one_operation(mixed):
    location, _ = mixed
    result = compare(location, "--operation", "Pricing.quote", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["summary"]["total"], document["summary"]["skipped"]) == (3, 0)
    assert document["context"]["operation"] == "Pricing.quote"


def test_a_player_of_another_operation_than_every_recording_exits_2(mixed):
    location, _ = mixed
    result = compare(location, "--operation", "tests.compare._service:Pricing.refund")
    assert result.returncode == 2
    assert "nothing compared: 2 recordings of tests.compare._service:Pricing.refund, which" in result.stderr


def test_an_operation_with_no_recordings_exits_2(mixed):
    location, _ = mixed
    result = compare(location, "--operation", "Pricing.cancel")
    assert result.returncode == 2
    assert "no recordings of Pricing of operation Pricing.cancel" in result.stderr


def test_a_misspelled_category_among_several_exits_2_before_replaying(mixed, server):
    location, _ = mixed
    result = cli(
        "compare", str(location), "--category", "Pricing", "--category", "Pricnig", "--player", PLAYER
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"playback-dvd compare: no recordings of Pricnig in {location} (categories there: Pricing)"
    ]
    assert result.stdout == ""


def test_output_into_a_missing_directory_exits_2_and_creates_nothing(mixed, tmp_path):
    location, _ = mixed
    target = tmp_path / "reprots" / "compare.html"
    result = compare(location, "--format", "html", "--output", str(target))
    assert result.returncode == 2
    assert f"the directory {target.parent} does not exist" in result.stderr
    assert "compared" not in result.stderr  # refused before any replay
    assert not target.parent.exists()


def test_a_failed_replay_shows_the_traceback_trimmed_to_the_users_frames(mixed):
    location, _ = mixed
    result = compare(location, "--operation", "Pricing.quote", mode="raise")
    assert result.returncode == 1
    out = result.stdout
    (header,) = [line for line in out.splitlines() if line.startswith("[Failed]")]
    assert header.startswith("[Failed] 3 recordings: the replay raised RuntimeError at _service.py:")
    assert header.endswith(" in quote, e.g. pricing broke")
    traceback_lines = [line for line in out.splitlines() if line.startswith("      | ")]
    assert traceback_lines[0].startswith("      | Traceback (most recent call last) (")  # n frames hidden
    assert any('_service.py", line' in line and "in quote" in line for line in traceback_lines)
    assert traceback_lines[-1] == "      | RuntimeError: pricing broke"
    assert not any("playback_dvd" + os.sep in line for line in traceback_lines)
    assert out.count("| Traceback") == 1  # the same traceback is shown once per group


def test_every_comparison_in_the_json_report_has_the_same_keys(mixed):
    location, _ = mixed
    result = compare(location, "--format", "json", "--timeout", "5", mode="double_bb")
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    shapes = {tuple(c) for c in document["comparisons"]}
    assert len(shapes) == 1, shapes
    statuses = {c["status"] for c in document["comparisons"]}
    assert statuses == {"Equal", "Different", "Skipped"}
    different = next(c for c in document["comparisons"] if c["status"] == "Different")
    assert different["metadata"]["item_id"] == "bb"
    assert different["operation"] == "tests.compare._service:Pricing.quote"
    group = next(g for g in document["groups"] if g["status"] == "Different")
    assert group["headline"].startswith('$["pricing.publish #1"].quote.price changed, e.g. 20 -> 40')
    assert group["recording_ids"] == [different["recording_id"]]


def test_ctrl_c_writes_the_partial_report_and_exits_130(mixed, tmp_path):
    location, _ = mixed
    target = tmp_path / "partial.json"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "playback_dvd", "compare", str(location), "--category", "Pricing"]
    command += [
        "--operation",
        "Pricing.quote",
        "--player",
        PLAYER,
        "--format",
        "json",
        "--output",
        str(target),
    ]
    with subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path, "PRICING_MODE": "slow"},  # item bb's replay hangs
    ) as process:
        assert process.stderr is not None
        # Newest first: ccc is compared, then bb hangs; interrupt it there.
        assert process.stderr.readline().startswith("compared 1/3")
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read()
        assert process.wait(timeout=60) == 130
    assert "playback-dvd compare: interrupted after 1 of 3; the partial report is in" in rest
    assert "Traceback" not in rest
    document = json.loads(target.read_text())
    assert document["summary"]["interrupted"] is True
    assert document["summary"]["line"].startswith("interrupted after 1 of 3: 1 compared in ")
    assert [c["metadata"]["item_id"] for c in document["comparisons"]] == ["ccc"]


def test_the_traceback_of_a_failed_replay_is_in_every_format(mixed, tmp_path):
    location, _ = mixed
    args = ("--operation", "Pricing.quote")
    document = json.loads(compare(location, *args, "--format", "json", mode="raise").stdout)
    assert all(
        'in quote\n    raise RuntimeError("pricing broke")' in c["traceback"] for c in document["comparisons"]
    )
    compare(location, *args, "--format", "junit", "--output", str(tmp_path / "r.xml"), mode="raise")
    junit = (tmp_path / "r.xml").read_text()
    assert junit.count("Traceback (most recent call last)") == 3
    compare(location, *args, "--format", "html", "--output", str(tmp_path / "r.html"), mode="raise")
    assert "<pre class='traceback'>Traceback (most recent call last)" in (tmp_path / "r.html").read_text()


def test_a_corrupt_recording_is_one_line_not_a_page_of_library_internals(mixed):
    location, _ = mixed
    (victim,) = sorted(location.rglob("*.dvd"))[:1]
    victim.write_bytes(b"\x00 garbage")
    result = compare(location, "--operation", "Pricing.quote")
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("[EqualizerFailure]")]
    # Recorder.play reports an unreadable recording (issue 14) without running the player.
    assert line.startswith(
        "[EqualizerFailure] 1 recording: the replay could not run as recorded: "
        "DVDFormatError: cannot read DVD "
    )
    assert "Traceback" not in result.stdout
