"""playback's ``TapeCassette``: the storage API its users call, over a playback_dvd `Cassette`.

Every playback cassette here is this class over one of playback_dvd's backends (memory, local directory,
S3, cached S3), so recordings are DVD documents in the safe formats, ids are playback_dvd's
(``{category}/{YYYY-MM-DD}/{32 hex}``) and searches use the backend's index (no download per candidate).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from ...cassettes import Cassette, RecordingNotFound, new_recording_id, parse_recording_id
from ...cassettes._search import metadata_matches
from ._values import restore
from .exceptions import NoSuchRecording
from .recording import Recording


@contextlib.contextmanager
def _as_no_such_recording(recording_id: str) -> Iterator[None]:
    """A missing recording raises playback's `NoSuchRecording` (also a playback_dvd `RecordingNotFound`)."""
    try:
        yield
    except NoSuchRecording:
        raise
    except RecordingNotFound as missing:
        raise NoSuchRecording(recording_id, missing.where) from None


class TapeCassette:
    """Stores and finds recordings (playback's abstract cassette, made concrete over *cassette*).

    Args:
        cassette: The playback_dvd cassette that holds the recordings.
    """

    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette

    def __enter__(self) -> TapeCassette:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one recording --------------------------------------------------------------------------------

    def create_new_recording(self, category: str) -> Recording:
        """A new, empty recording of *category*, with a fresh id."""
        return Recording(new_recording_id(category), category)

    def abort_recording(self, recording: Recording | None = None) -> None:
        """Drop *recording* (nothing of it was stored)."""
        if recording is not None:
            recording.close()

    def save_recording(self, recording: Recording) -> None:
        """Store *recording*, then close it."""
        self._save_recording(recording)
        recording.close()

    def _save_recording(self, recording: Recording) -> None:
        if parse_recording_id(recording.id) is None:  # made outside a cassette (playback allowed it)
            recording.id = new_recording_id(recording.category or "recording")
        if recording.category is None:
            recording.category = self.extract_recording_category(recording.id)
        if recording.recorded_at is None:
            recording.recorded_at = datetime.now(timezone.utc).isoformat()
        self.cassette.save_recording(recording.to_document())

    def get_recording(self, recording_id: str) -> Recording:
        """The recording with this id.

        Raises:
            NoSuchRecording: There is none (playback's in-memory cassette returned None instead).
        """
        with _as_no_such_recording(recording_id):
            document = self.cassette.get_recording(recording_id)
        return Recording.from_document(document)

    def get_recording_metadata(self, recording_id: str) -> dict[str, Any]:
        """The metadata of a recording (without loading it, where the backend allows).

        Raises:
            NoSuchRecording: There is no such recording.
        """
        with _as_no_such_recording(recording_id):
            metadata = self.cassette.get_recording_metadata(recording_id)
        restored = restore({key: value for key, value in metadata.items() if key != "recorded_at"})
        assert isinstance(restored, dict)
        return restored

    # -- searches -------------------------------------------------------------------------------------

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
        random_results: bool = False,
    ) -> Iterator[str]:
        """Ids of *category*'s recordings in [start_date, end_date) whose metadata match, newest first.

        Metadata filters follow playback's rules (a list is any-of, ``{"operator": "<", "value": v}``
        compares, a string may be a glob). *random_results* shuffles, then applies *limit*. The search is
        the backend's own (`Cassette.iter_recording_ids`); this only orders and cuts what it finds.
        """
        if not random_results and not self._searches_in_saved_order:
            return self.cassette.iter_recording_ids(category, start_date, end_date, metadata, limit)
        ids = list(self.cassette.iter_recording_ids(category, start_date, end_date, metadata))
        if random_results:
            random.shuffle(ids)
        else:
            ids = self._in_saved_order(ids)
        return iter(ids if limit is None else ids[:limit])

    #: Whether searches list recordings in the order they were saved (oldest first, as playback's
    #: in-memory cassette did) instead of the backend's order (newest first).
    _searches_in_saved_order = False

    def _in_saved_order(self, ids: list[str]) -> list[str]:
        """*ids* (found by the backend) in the order they were saved; see `_searches_in_saved_order`."""
        return ids

    def iter_recordings_metadata(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The metadata of the recordings `iter_recording_ids` finds."""
        for recording_id in self.iter_recording_ids(category, start_date, end_date, metadata, limit):
            yield self.get_recording_metadata(recording_id)

    def extract_recording_category(self, recording_id: str) -> str:
        """The category a recording id names."""
        parts = parse_recording_id(recording_id)
        return parts.category if parts is not None else recording_id.split("/")[0]

    @staticmethod
    def match_against_recorded_metadata(
        filter_by: Mapping[str, Any] | None, recorded_metadata: Mapping[str, Any]
    ) -> bool:
        """Whether *recorded_metadata* satisfies every entry of *filter_by* (playback's rules)."""
        return metadata_matches(recorded_metadata, filter_by)

    def close(self) -> None:
        """Close the underlying cassette."""
        self.cassette.close()
