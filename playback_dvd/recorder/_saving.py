"""Saving finished recordings to a cassette without ever failing the operation: counters and a writer.

A save that raises is logged and counted. With background saving, recordings wait in a bounded queue for
one writer thread; a full queue drops the recording (counted) rather than block the request path. Once the
writer is closed, recordings are saved in the caller's thread, as without background saving.

Nothing is lost quietly: the writer survives anything a cassette raises (`BaseException` included: in the
writer's thread a ``KeyboardInterrupt`` or ``SystemExit`` is the cassette's, never the user's), and at
interpreter exit it is given *exit_timeout* seconds to finish; what is still pending then is logged and
counted as dropped, and the process exits (a hanging cassette cannot hold it forever).
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
import weakref
from typing import Protocol

import attrs

from .._models import DVDDocument

logger = logging.getLogger("playback_dvd")


class SavesRecordings(Protocol):
    """Where finished recordings go: any `Cassette` (only its ``save_recording`` is used here)."""

    def save_recording(self, document: DVDDocument) -> None: ...


@attrs.frozen
class RecorderStats:
    """What a `Recorder` did with the operations it sampled.

    Attributes:
        recorded: Recordings saved to the cassette.
        dropped: Recordings dropped because the background queue was full, or still waiting to be saved
            when the interpreter exited after ``exit_timeout`` seconds.
        failed: Recordings lost to a failure: a value that could not be stored, or a save that raised
            (anything, `BaseException` included, when saved in the background).
        uncaptured_connections: Connections recorded operations opened outside httpx/httpx2 (urllib,
            ``requests``, a database driver): their traffic is not in the recordings, which list them
            under ``metadata["not_captured"]``.
    """

    recorded: int = 0
    dropped: int = 0
    failed: int = 0
    uncaptured_connections: int = 0


class Counters:
    """Thread-safe counts behind `RecorderStats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.recorded = self.dropped = self.failed = self.uncaptured = 0

    def add(self, *, recorded: int = 0, dropped: int = 0, failed: int = 0, uncaptured: int = 0) -> None:
        """Add to the counts."""
        with self._lock:
            self.recorded += recorded
            self.dropped += dropped
            self.failed += failed
            self.uncaptured += uncaptured

    def snapshot(self) -> RecorderStats:
        """The counts now."""
        with self._lock:
            return RecorderStats(self.recorded, self.dropped, self.failed, self.uncaptured)


def save_now(cassette: SavesRecordings, document: DVDDocument, counters: Counters) -> None:
    """Save *document*; a failure is logged and counted, never raised."""
    try:
        cassette.save_recording(document)
    except Exception:
        counters.add(failed=1)
        logger.exception("playback_dvd: could not save recording %s", document.id)
    else:
        counters.add(recorded=1)


class BackgroundSaver:
    """One daemon thread saving queued recordings; `flush` waits for the queue to empty.

    Args:
        cassette: Where recordings are saved.
        counters: Where saves, drops and failures are counted.
        max_queued: Recordings that may wait; beyond that new ones are dropped.
        exit_timeout: Seconds the interpreter's exit waits for pending saves; what is left then is logged
            and counted as dropped.
    """

    def __init__(
        self, cassette: SavesRecordings, counters: Counters, max_queued: int, exit_timeout: float = 5.0
    ) -> None:
        self.cassette = cassette
        self.counters = counters
        self.exit_timeout = exit_timeout
        self._queue: queue.Queue[DVDDocument | None] = queue.Queue(maxsize=max_queued)
        # Guards _closed and orders submits against close's stop marker: a document queued before it is
        # saved by the writer, and none is queued after it (it would never be saved).
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="playback_dvd-saver", daemon=True)
        self._thread.start()
        # Flush at interpreter exit without keeping the saver alive for it.
        atexit.register(_flush_at_exit, weakref.ref(self))

    def submit(self, document: DVDDocument) -> None:
        """Queue *document* for saving, or drop (and count) it when the queue is full.

        After `close`, *document* is saved now, in the caller's thread (there is no writer any more).
        """
        with self._lock:
            closed = self._closed
            if not closed:
                try:
                    self._queue.put_nowait(document)
                except queue.Full:
                    self.counters.add(dropped=1)
                    logger.warning("playback_dvd: save queue full, recording %s dropped", document.id)
        if closed:
            save_now(self.cassette, document, self.counters)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued recording is saved (or has failed), at most *timeout* seconds.

        Returns:
            Whether the queue is empty (always True without a timeout).
        """
        if not self._thread.is_alive():
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        done = self._queue.all_tasks_done
        with done:
            while self._queue.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                done.wait(remaining)
        return True

    def flush_at_exit(self) -> None:
        """Wait at most ``exit_timeout`` seconds for pending saves; log and count what is left as dropped."""
        if self.flush(self.exit_timeout):
            return
        with self._queue.all_tasks_done:
            pending = self._queue.unfinished_tasks
        self.counters.add(dropped=pending)
        logger.error(
            "playback_dvd: %d recording(s) not saved: the cassette %r did not finish within exit_timeout=%ss",
            pending,
            self.cassette,
            self.exit_timeout,
        )

    def close(self) -> None:
        """Flush, then stop the writer thread; later recordings are saved by `submit` in its caller."""
        self.flush()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._thread.is_alive():
                self._queue.put(None)  # may wait for room: the writer drains the queue without the lock
        self._thread.join()

    def _run(self) -> None:
        while True:
            document = self._queue.get()
            try:
                if document is None:
                    return
                self._save(document)
            finally:
                self._queue.task_done()

    def _save(self, document: DVDDocument) -> None:
        try:
            save_now(self.cassette, document, self.counters)
        except BaseException:  # the cassette's, in this thread: the writer must go on
            self.counters.add(failed=1)
            logger.exception("playback_dvd: could not save recording %s", document.id)


def _flush_at_exit(reference: weakref.ref[BackgroundSaver]) -> None:
    saver = reference()
    if saver is not None:
        saver.flush_at_exit()
