"""`MemoryCassette`: recordings kept in this process, stored serialized so they behave like persisted ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from itertools import islice
from typing import Any

import msgpack

from .._errors import RecordingNotFound
from .._models import DVDDocument
from ..formats._limits import DEFAULT_LIMITS, LoadLimits
from ..formats._serialization import dumps_binary, loads_binary
from ._closing import ClosedOnExit
from ._ids import (
    RecordingIdParts,
    check_document_for_saving,
    parse_recording_id,
    recording_id_parts_or_not_found,
    safe_category,
)
from ._search import check_limit, in_window, metadata_matches, recorded_at_of

_WHERE = "the memory cassette"


class MemoryCassette(ClosedOnExit):
    """A cassette in memory: for tests, examples and short-lived tools.

    Recordings are stored in the binary format (not as live objects), so a test using it exercises the same
    serialization as a real store, and a recording cannot be changed after it was saved. It is thread-safe.

    Args:
        load_limits: The bounds of what is read back (`LoadLimits`).
    """

    def __init__(self, *, load_limits: LoadLimits = DEFAULT_LIMITS) -> None:
        self.load_limits = load_limits
        self._payloads: dict[str, bytes] = {}
        self._metadata: dict[str, tuple[RecordingIdParts, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def save_recording(self, document: DVDDocument) -> None:
        """Store *document* under ``document.id``, replacing any recording with that id.

        Raises:
            ValueError: The document has no id, an id not of our form, or a category its id does not name.
        """
        parts = check_document_for_saving(document)
        payload = dumps_binary(document)
        # The metadata kept for searches goes through the payload's encoding (msgpack), so it is exactly what
        # get_recording returns: tuples become lists, as in every other cassette.
        recorded_metadata = msgpack.unpackb(
            msgpack.packb(dict(document.metadata), use_bin_type=True), raw=False
        )
        with self._lock:
            self._payloads[parts.recording_id] = payload
            self._metadata[parts.recording_id] = (parts, recorded_metadata)

    def get_recording(self, recording_id: str) -> DVDDocument:
        """The recording with this id.

        Raises:
            RecordingNotFound: There is no such recording, or *recording_id* is not a recording id.
            DVDFormatError: The stored bytes are not a readable DVD (or beyond *load_limits*).
        """
        recording_id_parts_or_not_found(recording_id, _WHERE)
        with self._lock:
            payload = self._payloads.get(recording_id)
        if payload is None:
            raise RecordingNotFound(recording_id, _WHERE)
        return loads_binary(payload, f"memory recording {recording_id}", limits=self.load_limits)

    def get_recording_metadata(self, recording_id: str) -> Mapping[str, Any]:
        """The metadata of a recording (a fresh copy; the recording is not decoded).

        Raises:
            RecordingNotFound: There is no such recording, or *recording_id* is not a recording id.
        """
        recording_id_parts_or_not_found(recording_id, _WHERE)
        with self._lock:
            entry = self._metadata.get(recording_id)
        if entry is None:
            raise RecordingNotFound(recording_id, _WHERE)
        return _copy(entry[1])

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        """Ids of the matching recordings, newest first (see `Cassette.iter_recording_ids`)."""
        check_limit(limit)  # here, not in the generator: a bad limit fails at the call, not at first next()
        found = self._search(safe_category(category), start_date, end_date, metadata)
        return (recording_id for recording_id, _ in islice(found, limit))

    def iter_recordings_metadata(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """``(id, metadata)`` of the matching recordings, newest first (see `Cassette.iter_recording_ids`)."""
        check_limit(limit)
        found = self._search(safe_category(category), start_date, end_date, metadata)
        return ((recording_id, _copy(recorded)) for recording_id, recorded in islice(found, limit))

    def _search(
        self,
        wanted_category: str,
        start_date: datetime | None,
        end_date: datetime | None,
        metadata: Mapping[str, Any] | None,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Matching ``(id, stored metadata)`` (not copied), newest first, lazily; callers cut at a limit."""
        with self._lock:  # a snapshot: saving while a caller iterates neither fails nor blocks
            entries = sorted(
                (
                    (recording_id, entry)
                    for recording_id, entry in self._metadata.items()
                    if entry[0].category == wanted_category
                ),
                reverse=True,  # ids made by new_recording_id sort by recording time: newest first
            )
        for recording_id, (parts, recorded_metadata) in entries:
            if (start_date or end_date) and not in_window(
                recorded_at_of(recorded_metadata, parts), start_date, end_date
            ):
                continue
            if metadata_matches(recorded_metadata, metadata):
                yield recording_id, recorded_metadata

    def iter_categories(self) -> Iterator[str]:
        """The categories that have recordings (in their safe form, as in ids), sorted."""
        with self._lock:
            return iter(sorted({parts.category for parts, _ in self._metadata.values()}))

    def delete_recording(self, recording_id: str) -> None:
        """Remove a recording (no error when it does not exist, or *recording_id* is not a recording id)."""
        if parse_recording_id(recording_id) is None:
            return
        with self._lock:
            self._metadata.pop(recording_id, None)
            self._payloads.pop(recording_id, None)

    def close(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        with self._lock:
            return len(self._payloads)


def _copy(metadata: Mapping[str, Any]) -> dict[str, Any]:
    # Nested lists and dicts too: a caller mutating what it got must not change the stored recording.
    return {key: _copy_value(value) for key, value in metadata.items()}


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_value(item) for item in value]
    return value
