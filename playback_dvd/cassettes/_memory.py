"""`MemoryCassette`: recordings kept in this process, stored serialized so they behave like persisted ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from .._models import DVDDocument
from .._serialization import dumps_binary, loads_binary
from ._ids import parse_recording_id, safe_category
from ._protocol import RecordingNotFound
from ._search import in_window, metadata_matches, recorded_at_of


class MemoryCassette:
    """A cassette in memory: for tests, examples and short-lived tools.

    Recordings are stored in the binary format (not as live objects), so a test using it exercises the same
    serialization as a real store, and a recording cannot be changed after it was saved.
    """

    def __init__(self) -> None:
        self._payloads: dict[str, bytes] = {}
        self._metadata: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def save_recording(self, document: DVDDocument) -> None:
        if not document.id:
            raise ValueError(
                "a recording needs an id to be saved (see playback_dvd.cassettes.new_recording_id)"
            )
        payload = dumps_binary(document)
        parts = parse_recording_id(document.id)
        category = parts.category if parts else safe_category(document.category or "")
        with self._lock:
            self._payloads[document.id] = payload
            self._metadata[document.id] = (category, dict(document.metadata))

    def get_recording(self, recording_id: str) -> DVDDocument:
        with self._lock:
            payload = self._payloads.get(recording_id)
        if payload is None:
            raise RecordingNotFound(recording_id, "the memory cassette")
        return loads_binary(payload, f"memory recording {recording_id}")

    def get_recording_metadata(self, recording_id: str) -> Mapping[str, Any]:
        with self._lock:
            entry = self._metadata.get(recording_id)
        if entry is None:
            raise RecordingNotFound(recording_id, "the memory cassette")
        return dict(entry[1])

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        with self._lock:
            entries = list(self._metadata.items())
        matches = []
        for recording_id, (recorded_category, recorded_metadata) in entries:
            if recorded_category != safe_category(category):
                continue
            recorded_at = recorded_at_of(recorded_metadata, parse_recording_id(recording_id))
            if (start_date or end_date) and not in_window(recorded_at, start_date, end_date):
                continue
            if metadata_matches(recorded_metadata, metadata):
                matches.append((recorded_at, recording_id))
        matches.sort(reverse=True)  # newest first, like every cassette
        for _, recording_id in matches[:limit]:
            yield recording_id

    def delete_recording(self, recording_id: str) -> None:
        with self._lock:
            self._payloads.pop(recording_id, None)
            self._metadata.pop(recording_id, None)

    def close(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        return len(self._payloads)
