"""Files are written with the mode a plain ``open`` gives (0o666 less the umask), as editors and vcrpy do:
a team's shared recordings directory or a CI artifact server must be able to read them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

import pytest

from playback_dvd import LocalCassette
from playback_dvd._models import DVDDocument
from playback_dvd.cassettes import new_recording_id
from playback_dvd.formats._files import atomic_write, current_umask, write_document


@pytest.fixture
def umask() -> Iterator[None]:
    """Runs the test under umask 022, then restores the process's own."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_umask_is_read_without_changing_it(umask):
    assert current_umask() == 0o022
    os.umask(0o027)
    assert current_umask() == 0o027


def test_a_new_file_gets_0666_less_the_umask(umask, tmp_path):
    atomic_write(tmp_path / "a.dvd", b"x")
    assert mode(tmp_path / "a.dvd") == 0o644
    os.umask(0o077)
    atomic_write(tmp_path / "private.dvd", b"x")
    assert mode(tmp_path / "private.dvd") == 0o600


def test_a_replaced_file_keeps_its_mode(umask, tmp_path):
    target = tmp_path / "a.dvd.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_document(target, DVDDocument())
    assert mode(target) == 0o640
    assert target.read_bytes() != b"old"


def test_recordings_and_their_metadata_follow_the_umask(umask, tmp_path):
    cassette = LocalCassette(tmp_path)
    recording_id = new_recording_id("Checkout")
    cassette.save_recording(DVDDocument(id=recording_id, category="Checkout"))
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(written) == 2  # the DVD and its .meta.json
    assert {mode(path) for path in written} == {0o644}


def test_a_report_follows_the_umask(umask, tmp_path):
    from playback_dvd.compare import ComparisonReport, write_report

    write_report(ComparisonReport(), tmp_path / "report.html", "html")
    assert mode(tmp_path / "report.html") == 0o644
