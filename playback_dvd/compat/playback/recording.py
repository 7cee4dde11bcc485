"""playback's ``Recording``: a key/value view of one recording, stored as a playback_dvd DVD document.

Data keys become the DVD's inputs (``{key: InputRecord(value=plain data)}``), metadata its metadata, and
the httpx traffic recorded during the operation its interactions; a recording made through this API is an
ordinary DVD that ``playback-dvd show`` and the rest of playback_dvd read.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

from ..._models import DVDDocument, InputRecord, Interaction
from ...formats._serialization import dumps_binary, loads_binary
from ._values import restore, store
from .exceptions import RecordingKeyError

_RECORDED_AT = "recorded_at"  # playback_dvd's search key; playback's own is TapeRecorder.RECORDED_AT


class Recording:
    """One recording: data under keys, metadata, and the HTTP interactions of the operation.

    Args:
        _id: The recording's id (cassettes give ``{category}/{YYYY-MM-DD}/{32 hex}`` ids; a recording made
            outside a cassette gets such an id when a cassette saves it).
        category: The recording's category (the operation class's name).

    Raises (of the methods):
        UnstorableValueError: `set_data` / `add_metadata` were given something that is not data (register
            a hook on ``playback_dvd.compat.playback._values.CONVERTER``, or use a data handler).
    """

    def __init__(self, _id: str | None = None, category: str | None = None) -> None:
        self.id: str = _id if _id is not None else uuid.uuid1().hex
        self.category = category
        self._data: dict[str, Any] = {}
        self._metadata: dict[str, Any] = {"_recording_type": "memory"}  # as playback's MemoryRecording
        self.interactions: tuple[Interaction, ...] = ()
        #: When it was recorded (ISO 8601, UTC): what date searches read; set by the cassette when saved.
        self.recorded_at: str | None = None
        self._closed = False

    # -- playback's API -------------------------------------------------------------------------------

    def set_data(self, key: str, value: Any) -> None:
        """Store *value* (as data) under *key*."""
        self._set_data(key, value)

    def _set_data(self, key: str, value: Any) -> None:  # playback's extension point
        self._data[key] = store(value, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.set_data(key, value)

    def get_data(self, key: str) -> Any:
        """A fresh copy of the value under *key*.

        Raises:
            RecordingKeyError: There is no such key.
        """
        try:
            plain = self._data[key]
        except KeyError:
            raise RecordingKeyError(f"recording {self.id} has no data under {key!r}") from None
        return restore(plain)

    def __getitem__(self, key: str) -> Any:
        return self.get_data(key)

    def get_data_direct(self, key: str) -> Any:
        """The same as `get_data` (values are stored as data, so there is no cheaper direct form)."""
        return self.get_data(key)

    def get_all_keys(self) -> list[str]:
        """Every data key, in the order they were first set."""
        return list(self._data)

    def add_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Add (or replace) metadata entries."""
        self._add_metadata(metadata)

    def _add_metadata(self, metadata: Mapping[str, Any]) -> None:  # playback's extension point
        plain = store(dict(metadata), "metadata")
        self._metadata.update(plain)

    def get_metadata(self) -> dict[str, Any]:
        """A fresh copy of the metadata."""
        result = restore(self._metadata)
        assert isinstance(result, dict)
        return result

    def close(self) -> None:
        """Mark the recording as finished (nothing to release)."""
        self._closed = True

    # -- playback's constructors and serialized form -------------------------------------------------

    @classmethod
    def new(cls, _id: str | None = None) -> Recording:
        """A new, empty recording (with a fresh id unless *_id* is given)."""
        return cls(_id)

    @contextlib.contextmanager
    def as_buffered_reader(self) -> Iterator[tuple[BinaryIO, int]]:
        """``with recording.as_buffered_reader() as (reader, size)``: the recording as a binary DVD."""
        payload = dumps_binary(self.to_document())
        yield io.BytesIO(payload), len(payload)

    @classmethod
    def from_buffered_reader(
        cls, _id: str, reader: BinaryIO, recording_metadata: Mapping[str, Any] | None = None
    ) -> Recording:
        """The recording *reader* holds (written by `as_buffered_reader`), under id *_id*.

        Raises:
            DVDFormatError: The bytes are not a DVD (playback's jsonpickle payloads are refused on purpose).
        """
        recording = cls.from_document(loads_binary(reader.read(), f"recording {_id}"))
        recording.id = _id
        if recording_metadata:
            recording.add_metadata(recording_metadata)
        return recording

    # -- to and from playback_dvd documents -----------------------------------------------------------

    def keys_with_data(self) -> Iterable[tuple[str, Any]]:
        """(key, stored plain data) pairs."""
        return self._data.items()

    def to_document(self) -> DVDDocument:
        """The DVD document this recording is stored as."""
        return DVDDocument(
            interactions=self.interactions,
            id=self.id,
            category=self.category,
            metadata={**self._metadata, **({_RECORDED_AT: self.recorded_at} if self.recorded_at else {})},
            inputs={key: InputRecord(value=value) for key, value in self._data.items()},
        )

    @classmethod
    def from_document(cls, document: DVDDocument) -> Recording:
        """The recording a stored DVD document holds."""
        recording = cls(document.id or None, document.category)
        recording._data = {key: record.value for key, record in document.inputs.items()}
        recording._metadata = dict(document.metadata)
        recorded_at = recording._metadata.pop(_RECORDED_AT, None)
        recording.recorded_at = recorded_at if isinstance(recorded_at, str) else None
        recording.interactions = tuple(document.interactions)
        return recording

    def __repr__(self) -> str:
        return f"<Recording {self.id} ({len(self._data)} keys)>"
