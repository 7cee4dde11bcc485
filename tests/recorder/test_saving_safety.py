"""Saving never loses quietly: the writer survives anything, exit waits a bounded time and counts what it
drops, killed saves leave nothing behind for long, remote cassettes save in the background."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from playback_dvd import LocalCassette, MemoryCassette, Recorder, RecorderStats, S3Cassette
from playback_dvd._models import DVDDocument
from playback_dvd.cassettes._ids import new_recording_id
from playback_dvd.formats._files import atomic_write

ROOT = Path(__file__).resolve().parents[2]


class InterruptedCassette(MemoryCassette):
    """A cassette whose first save raises *error* (KeyboardInterrupt from a client library's signal
    handler, SystemExit from a library calling sys.exit)."""

    def __init__(self, error: type[BaseException] = KeyboardInterrupt) -> None:
        super().__init__()
        self.error = error
        self.saves = 0

    def save_recording(self, document: DVDDocument) -> None:
        self.saves += 1
        if self.saves == 1:
            raise self.error
        super().save_recording(document)


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit])
def test_the_background_writer_survives_a_base_exception_counts_it_and_goes_on(
    error: type[BaseException], caplog: pytest.LogCaptureFixture
) -> None:
    cassette = InterruptedCassette(error)
    recorder = Recorder(cassette, background_saving=True)

    @recorder.operation(category="bg")
    def handle(n: int) -> int:
        return n

    assert [handle(n) for n in range(3)] == [0, 1, 2]
    recorder.flush()
    assert recorder.stats == RecorderStats(recorded=2, dropped=0, failed=1)
    assert len(cassette) == 2
    assert "could not save recording bg/" in caplog.text
    recorder.close()


def test_in_the_callers_thread_a_keyboard_interrupt_is_the_users_and_propagates() -> None:
    recorder = Recorder(InterruptedCassette())

    @recorder.operation(category="fg")
    def handle() -> str:
        return "done"

    with pytest.raises(KeyboardInterrupt):
        handle()


HANGING_AT_EXIT = textwrap.dedent(
    """
    import logging, sys, time
    from playback_dvd import MemoryCassette, Recorder

    class HangingCassette(MemoryCassette):
        def save_recording(self, document):
            time.sleep(600)  # a store that never answers

    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    recorder = Recorder(HangingCassette(), background_saving=True, exit_timeout=float(sys.argv[1]))

    @recorder.operation(category="exit")
    def handle(n):
        return n

    for n in range(3):
        handle(n)
    print("operations done", flush=True)
    """
)


def test_exit_waits_at_most_exit_timeout_for_a_hanging_cassette_then_counts_what_it_drops() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", HANGING_AT_EXIT, "0.5"],
        capture_output=True,
        text=True,
        timeout=120,  # a guard for a regression (the save sleeps 600 s), not a measurement
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "operations done"
    assert "3 recording(s) not saved" in completed.stderr
    assert "exit_timeout=0.5s" in completed.stderr


def test_remote_cassettes_save_in_the_background_by_default() -> None:
    s3 = S3Cassette("bucket", client=object())  # never called: the recorder only looks at its kind
    assert Recorder(s3).background_saving
    assert not Recorder(s3, background_saving=False).background_saving
    assert not Recorder(MemoryCassette()).background_saving
    assert not Recorder(LocalCassette("unused")).background_saving


# -- temp files of killed saves ----------------------------------------------------------------------------

KILLED_SAVE = textwrap.dedent(
    """
    import os, sys
    from playback_dvd import LocalCassette
    from playback_dvd._models import DVDDocument, Interaction, Request, Response

    size = int(sys.argv[3])
    body = os.urandom(size)  # incompressible: the write takes a while
    interactions = (Interaction(Request("GET", "https://api.test/big"), Response(200, body=body)),)
    print("saving", flush=True)
    LocalCassette(sys.argv[1]).save_recording(
        DVDDocument(id=sys.argv[2], category="Killed", interactions=interactions)
    )
    """
)


def _kill_mid_save(directory: Path, recording_id: str, folder: Path) -> list[Path]:
    """Kill -9 a process while it writes a recording; the temp files it left (retried with more data)."""
    for size in (16 << 20, 64 << 20, 256 << 20):
        with subprocess.Popen(
            [sys.executable, "-c", KILLED_SAVE, str(directory), recording_id, str(size)],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        ) as child:
            assert child.stdout is not None
            assert child.stdout.readline() == b"saving\n"
            left: list[Path] = []
            while child.poll() is None and not left:
                left = sorted(folder.glob(".*.tmp")) if folder.exists() else []
            if left:
                os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=60)
        left = sorted(folder.glob(".*.tmp")) if folder.exists() else []
        if left and child.returncode == -signal.SIGKILL:
            return left
    pytest.fail("the save finished before it could be killed, even with 256 MiB")


def test_a_killed_save_leaves_a_temp_file_that_the_next_save_in_the_folder_removes(tmp_path: Path) -> None:
    directory = tmp_path / "recordings"
    cassette = LocalCassette(directory)
    killed_id = new_recording_id("Killed")
    folder = cassette.recording_path(killed_id).parent
    left = _kill_mid_save(directory, killed_id, folder)
    assert not cassette.recording_path(killed_id).exists()
    # A minute later (the file is aged instead of waiting): the next save in that folder sweeps it.
    old = time.time() - 120
    for path in left:
        os.utime(path, (old, old))
    fresh = folder / ".other.dvd.abcd_123.tmp"  # a save in progress elsewhere: too young to touch
    fresh.write_bytes(b"partial")
    unrelated = folder / ".notes.tmp"  # not a name atomic_write makes
    unrelated.write_bytes(b"mine")
    os.utime(unrelated, (old, old))
    new_id = new_recording_id("Killed")
    cassette.save_recording(DVDDocument(id=new_id, category="Killed"))
    assert not any(path.exists() for path in left)
    assert fresh.exists()
    assert unrelated.exists()
    assert cassette.get_recording(new_id).id == new_id


def test_use_dvd_files_sweep_their_folder_too(tmp_path: Path) -> None:
    stale = tmp_path / ".test_x.dvd.json.k2j4h5g6.tmp"
    stale.write_bytes(b"{")
    old = time.time() - 120
    os.utime(stale, (old, old))
    atomic_write(tmp_path / "test_x.dvd.json", b"{}")
    assert not stale.exists()
    assert (tmp_path / "test_x.dvd.json").read_bytes() == b"{}"


def test_a_sweep_happens_at_most_once_a_minute_per_folder(tmp_path: Path) -> None:
    old = time.time() - 120
    atomic_write(tmp_path / "a.dvd", b"1")
    stale = tmp_path / ".a.dvd.zzzzzzzz.tmp"
    stale.write_bytes(b"")
    os.utime(stale, (old, old))
    atomic_write(tmp_path / "a.dvd", b"2")  # swept a moment ago: not listed again
    assert stale.exists()


def test_concurrent_saves_in_one_folder_never_remove_each_others_files(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path / "recordings")
    ids = [new_recording_id("Busy") for _ in range(40)]
    threads = [
        threading.Thread(target=cassette.save_recording, args=(DVDDocument(id=rid, category="Busy"),))
        for rid in ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(cassette.iter_recording_ids("Busy")) == sorted(ids)
