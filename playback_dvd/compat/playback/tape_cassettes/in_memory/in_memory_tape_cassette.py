"""playback's ``InMemoryTapeCassette``: over a playback_dvd `MemoryCassette`."""

from __future__ import annotations

import threading

from .....cassettes import MemoryCassette
from ...recording import Recording
from ...tape_cassette import TapeCassette


class InMemoryTapeCassette(TapeCassette):
    """Recordings kept in this process, for tests; adds playback's id helpers.

    Searches list the oldest recordings first, as playback's in-memory cassette did (the other cassettes
    list newest first, as playback_dvd's do).
    """

    def __init__(self) -> None:
        super().__init__(MemoryCassette())
        self._ids: list[str] = []
        self._ids_lock = threading.Lock()

    def _save_recording(self, recording: Recording) -> None:
        super()._save_recording(recording)
        with self._ids_lock:
            if recording.id is not None and recording.id not in self._ids:
                self._ids.append(recording.id)

    def get_last_recording_id(self) -> str | None:
        """The id of the recording saved last (None before any)."""
        with self._ids_lock:
            return self._ids[-1] if self._ids else None

    def get_all_recording_ids(self) -> list[str]:
        """Every saved recording's id, sorted."""
        with self._ids_lock:
            return sorted(self._ids)

    _searches_in_saved_order = True

    def _in_saved_order(self, ids: list[str]) -> list[str]:
        # Ids made within the same clock tick do not sort by time: the order saved is the truth.
        matching = set(ids)
        with self._ids_lock:
            return [recording_id for recording_id in self._ids if recording_id in matching]
