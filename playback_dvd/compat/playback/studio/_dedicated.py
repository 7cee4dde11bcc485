"""playback's dedicated comparison process: one forked worker, recycled every N replays, killed on timeout.

playback forks so that closures (local players and comparators) reach the worker without pickling; the
results travel back pickled. playback_dvd's own `Equalizer` uses a spawn-safe pool instead (picklable
tasks); this one serves playback's callers as they are.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("playback_dvd")


class DedicatedProcess:
    """Runs ``work(recording_id)`` in a forked process, one recording at a time.

    Args:
        work: What the worker runs for each recording id (its result must be picklable).
        recycle_rate: Start a fresh worker after this many recordings.
        timeout: Seconds one recording may take before the worker is killed.
    """

    def __init__(self, work: Callable[[str], Any], recycle_rate: int, timeout: float) -> None:
        self._context = multiprocessing.get_context("fork")
        self._work = work
        self._recycle_rate = max(1, recycle_rate)
        self._timeout = timeout
        self._tasks: Any = self._context.Queue()
        self._results: Any = self._context.Queue()
        self._stop = self._context.Event()
        self._process: Any = None
        self._age = 0
        #: Called to start a worker and to kill one (playback's Equalizer exposes both as methods).
        self.start_hook: Callable[[], None] = self.start_new
        self.kill_hook: Callable[[], None] = self.kill

    def run(self, recording_id: str) -> Any:
        """The worker's result for *recording_id*.

        Raises:
            Exception: The work raised in the worker (its message), the worker died, or it timed out.
        """
        self._start_or_recycle()
        self._tasks.put(recording_id)
        started = time.monotonic()
        while time.monotonic() - started <= self._timeout:
            try:
                succeeded, result = self._results.get(True, 0.2)
            except queue.Empty:
                if not self._process.is_alive():
                    self._process = None
                    raise Exception("playback process have died") from None
                continue
            if not succeeded:
                raise Exception(result)
            return result
        if self._process.is_alive():
            try:
                self.kill_hook()
            except OSError as error:  # could not kill: still report the timeout
                logger.warning("playback_dvd: could not kill the playback process: %s", error)
        self._process = None
        raise Exception("timeout while running recording playback and comparison")

    def kill(self) -> None:
        """Kill the worker now (SIGKILL)."""
        if self._process is not None:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.join()

    def start_new(self) -> None:
        """Start a fresh worker."""
        self._process = self._context.Process(target=self._serve, name="Playback runner", daemon=True)
        self._process.start()
        self._age = 0

    def close(self) -> None:
        """Stop the worker and release the queues."""
        self._stop.set()
        if self._process is not None:
            self._process.join(5)
            self._process = None
        self._tasks.close()
        self._results.close()

    def _start_or_recycle(self) -> None:
        if self._process is not None and self._age >= self._recycle_rate:
            self._stop.set()
            self._process.join()
            self._process = None
            self._stop.clear()
        if self._process is None:
            self.start_hook()
        self._age += 1

    def _serve(self) -> None:  # the worker's loop
        while not self._stop.is_set():
            try:
                recording_id = self._tasks.get(True, 0.05)
            except queue.Empty:
                continue
            try:
                self._results.put((True, self._work(recording_id)))
            except Exception as error:
                self._results.put((False, str(error)))
