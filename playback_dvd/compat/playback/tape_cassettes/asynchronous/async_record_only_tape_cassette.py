"""playback's ``AsyncRecordOnlyTapeCassette``: saves recordings off the request path, on the background saver.

Values are converted to data when they are intercepted (so later mutations never leak into a recording);
only the save, the slow part with S3, runs in playback_dvd's background writer (a bounded queue: when full,
a recording is dropped and counted rather than blocking the operation).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from ....._models import DVDDocument
from .....recorder._saving import BackgroundSaver, Counters, RecorderStats
from ...recording import Recording
from ...tape_cassette import TapeCassette

logger = logging.getLogger("playback_dvd")


class AsyncRecording(Recording):
    """A recording of an `AsyncRecordOnlyTapeCassette`: the wrapped cassette's, written as values arrive."""

    def __init__(self, wrapped_recording: Recording) -> None:
        super().__init__(wrapped_recording.id, wrapped_recording.category)
        self.wrapped_recording = wrapped_recording
        self._data = wrapped_recording._data
        self._metadata = wrapped_recording._metadata

    def _set_data(self, key: str, value: Any) -> None:
        self.wrapped_recording._set_data(key, value)

    def _add_metadata(self, metadata: Mapping[str, Any]) -> None:
        self.wrapped_recording._add_metadata(metadata)


class _SavesThrough:
    """What the background writer saves to: the wrapped playback cassette (its own save, mocks included)."""

    def __init__(self, cassette: TapeCassette) -> None:
        self.tape_cassette = cassette
        self.pending: dict[str, Recording] = {}
        self.lock = threading.Lock()

    def save_recording(self, document: DVDDocument) -> None:
        with self.lock:
            recording = self.pending.pop(str(document.id), None)
        if recording is None:  # an operation queued with _add_async_operation
            return
        self.tape_cassette.save_recording(recording)


class AsyncRecordOnlyTapeCassette(TapeCassette):
    """Record-only: recordings are saved to *tape_cassette* by a background thread; nothing can be read.

    Args:
        tape_cassette: Where the recordings are saved.
        flush_interval: Accepted for compatibility (the writer saves as soon as a recording is queued).
        timeout_on_close: Accepted for compatibility: `close` waits for every queued save.
        max_queued: Recordings that may wait to be saved; beyond that they are dropped (and counted).
    """

    def __init__(
        self,
        tape_cassette: TapeCassette,
        flush_interval: float = 0.1,
        timeout_on_close: float = 10,
        max_queued: int = 1000,
    ) -> None:
        super().__init__(tape_cassette.cassette)
        self.tape_cassette = tape_cassette
        self.flush_interval = flush_interval
        self.timeout_on_close = timeout_on_close
        self._max_queued = max_queued
        self._counters = Counters()
        self._target = _SavesThrough(tape_cassette)
        self._saver: BackgroundSaver | None = None
        self._extra: list[Callable[[], Any]] = []

    def start(self) -> None:
        """Start the background writer (recordings saved before this are saved in the caller's thread)."""
        if self._saver is None:
            self._saver = BackgroundSaver(self._target, self._counters, self._max_queued)

    @property
    def stats(self) -> RecorderStats:
        """How many recordings were saved, dropped (queue full) and lost to failures."""
        return self._counters.snapshot()

    def create_new_recording(self, category: str) -> AsyncRecording:
        """A new recording of the wrapped cassette."""
        return AsyncRecording(self.tape_cassette.create_new_recording(category))

    def abort_recording(self, recording: Recording | None = None) -> None:
        """Drop *recording*."""
        if isinstance(recording, AsyncRecording):
            self.tape_cassette.abort_recording(recording.wrapped_recording)

    def save_recording(self, recording: Recording) -> None:
        """Queue *recording* for saving (saved now when the writer is not running)."""
        wrapped = recording.wrapped_recording if isinstance(recording, AsyncRecording) else recording
        if self._saver is None:
            self.tape_cassette.save_recording(wrapped)
            return
        with self._target.lock:
            self._target.pending[wrapped.id] = wrapped
        self._saver.submit(DVDDocument(id=wrapped.id))

    def _add_async_operation(self, operation: Callable[[], Any]) -> None:
        """Run *operation* in the writer's thread (a failure is logged, never raised)."""

        def run() -> None:
            try:
                operation()
            except Exception:
                logger.exception("playback_dvd: an operation of the async cassette failed")

        if self._saver is None:
            run()
            return
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self._extra.append(thread.join)

    def close(self) -> None:
        """Wait for every queued save, then stop the writer (the wrapped cassette stays open)."""
        for join in self._extra:
            join()
        if self._saver is not None:
            self._saver.close()
            self._saver = None

    def get_recording(self, recording_id: str) -> NoReturn:
        raise TypeError(
            "AsyncRecordOnlyTapeCassette is record-only: read recordings from the wrapped cassette"
        )

    def get_recording_metadata(self, recording_id: str) -> NoReturn:
        raise TypeError(
            "AsyncRecordOnlyTapeCassette is record-only: read recordings from the wrapped cassette"
        )

    def iter_recording_ids(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("AsyncRecordOnlyTapeCassette is record-only: search the wrapped cassette")

    def extract_recording_category(self, recording_id: str) -> NoReturn:
        raise TypeError("AsyncRecordOnlyTapeCassette is record-only: use the wrapped cassette")
