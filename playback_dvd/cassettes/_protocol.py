"""The `Cassette` protocol: what every storage backend of recordings (DVDs) provides."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from .._models import DVDDocument


@runtime_checkable
class Cassette(Protocol):
    """A store of recordings, each a `DVDDocument` under a recording id (see `new_recording_id`).

    Implementations: `MemoryCassette`, `LocalCassette`, `S3Cassette`, `CachedS3Cassette`. Every one passes
    the same contract test suite (``tests/cassettes/test_contract*.py``), which pins down these rules:

    - Ids are ``{category}/{YYYY-MM-DD}/{32 hex}``. Saving under anything else is a ValueError; reading it
      is a `RecordingNotFound`; deleting it does nothing. Storage is never touched with such an id.
    - Searches list the newest recordings first. ``limit`` counts the recordings that passed every filter.
    - A search never returns an id that `get_recording` cannot then load (the recording is stored before
      what searches read, and removed after).

    `MemoryCassette` and `LocalCassette` also offer ``iter_recordings_metadata(...)`` (the same search,
    yielding ``(id, metadata)`` pairs); it is not part of the protocol. Every built-in backend also offers
    ``iter_categories()`` (the categories it holds, sorted), used by ``playback-dvd ls``.
    """

    def save_recording(self, document: DVDDocument) -> None:
        """Store *document* under ``document.id``, replacing any recording with that id.

        Raises:
            ValueError: The document has no id, or an id not of the form `new_recording_id` makes.
        """

    def get_recording(self, recording_id: str) -> DVDDocument:
        """The recording with this id.

        Raises:
            RecordingNotFound: There is no such recording (or *recording_id* is not a recording id).
            DVDFormatError: The stored recording is corrupt.
        """

    def get_recording_metadata(self, recording_id: str) -> Mapping[str, Any]:
        """The metadata of a recording, without loading the whole recording where the backend allows.

        Raises:
            RecordingNotFound: There is no such recording (or *recording_id* is not a recording id).
        """

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        """Ids of the recordings of *category* recorded in [start_date, end_date) whose metadata match.

        Metadata filters follow playback's rules: a list means any of its values, ``{"operator": "<",
        "value": v}`` compares (=, !=, <, <=, >, >=), a string may be a glob, anything else is compared with
        ==; a missing key or a None value matches only None. A recording's time is its ``recorded_at``
        metadata (ISO 8601), else the day in its id; naive datetimes are taken as UTC.

        Args:
            category: The category, as given to `new_recording_id` (compared in its safe form).
            start_date: Only recordings made at or after this moment.
            end_date: Only recordings made before this moment.
            metadata: Only recordings whose metadata satisfy every entry.
            limit: At most this many ids (counted after filtering).

        Returns:
            The ids, newest first, produced lazily.

        Raises:
            ConfigurationError: A metadata filter uses an unknown operator.
        """

    def delete_recording(self, recording_id: str) -> None:
        """Remove a recording (no error when it does not exist, or *recording_id* is not a recording id)."""

    def close(self) -> None:
        """Release what the cassette holds (flush pending writes, close clients)."""
