"""Where the S3 cassette puts things: key names for DVDs and index entries (pure functions, no I/O).

Three trees per category, under the cassette's key prefix (UTC days, from the recording id)::

    {prefix}{category}/{YYYY}/{MM}/{DD}/{unique}                        the DVD, binary format
    {prefix}{category}/index/{YYYY}/{MM}/{DD}/{unique}.{stamp}.{time}.{meta}   index entry: an empty object
                                                                               whose name carries the
                                                                               metadata
    {prefix}{category}/metadata/{YYYY}/{MM}/{DD}/{unique}.{stamp}.json         metadata too large for a key

The DVD key is derived from the id alone (no listing to load a recording). A search lists the index tree
only: one ListObjectsV2 answers up to 1,000 recordings with their metadata, instead of one GET per
candidate. ``stamp`` is the save time (16 hex digits of nanoseconds): when a recording is saved again under
the same id, the entry with the highest stamp wins. ``time`` is when the recording was made (``recorded_at``,
else the id's day; 16 hex digits of microseconds since 1970), so a search orders and windows recordings
without reading their metadata. The second segment of an index or metadata key is a
word, never a year, so the trees of one category cannot collide, and category names cannot contain ``/``.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs

from .._errors import ConfigurationError, DVDFormatError
from ..formats._metadata import loads_metadata
from ._ids import RecordingIdParts, parse_recording_id, safe_category
from ._search import as_utc

# S3 keys are at most 1,024 bytes of UTF-8. Servers that store objects as files (SeaweedFS, MinIO) also
# refuse a path segment over 255 bytes, so long metadata is cut into segments of at most this many bytes.
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 250
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
INLINE_JSON = "j"
INLINE_DEFLATE = "z"
EXTERNAL = "x"


def normalize_prefix(key_prefix: str) -> str:
    """The key prefix as stored: no leading or trailing ``/``, ``/``-terminated when not empty.

    Raises:
        ConfigurationError: The prefix has an empty segment (``a//b``): some S3 servers collapse ``//``.
    """
    stripped = key_prefix.strip("/")
    if not stripped:
        return ""
    if any(not segment for segment in stripped.split("/")):
        raise ConfigurationError(f"key_prefix {key_prefix!r} has an empty segment ('//'); use single slashes")
    return stripped + "/"


def _day_path(day: date) -> str:
    return f"{day:%Y/%m/%d}"


@attrs.frozen
class IndexEntry:
    """One index key, decoded: which recording, when it was saved, and its metadata (or where it is)."""

    recording_id: str
    parts: RecordingIdParts
    stamp: int
    recorded_micros: int
    kind: str
    payload: str

    @property
    def recorded_at(self) -> datetime:
        """When the recording was made (UTC)."""
        return EPOCH + timedelta(microseconds=self.recorded_micros)


@attrs.frozen
class S3Layout:
    """The key names of one cassette (a normalized prefix, see `normalize_prefix`)."""

    prefix: str

    def dvd_key(self, parts: RecordingIdParts) -> str:
        """The key of the DVD of a recording."""
        return f"{self.prefix}{parts.category}/{_day_path(parts.day)}/{parts.unique}"

    def dvd_day(self, category: str, day: date) -> str:
        """The prefix of the DVDs of *category* whose id names *day*."""
        return f"{self.prefix}{safe_category(category)}/{_day_path(day)}/"

    def index_root(self, category: str) -> str:
        """The prefix of every index entry of *category* (made safe as in ids)."""
        return f"{self.prefix}{safe_category(category)}/index/"

    def index_day(self, category: str, day: date) -> str:
        """The prefix of the index entries of *category* saved for *day*."""
        return f"{self.index_root(category)}{_day_path(day)}/"

    def _index_day_of(self, parts: RecordingIdParts) -> str:
        return f"{self.prefix}{parts.category}/index/{_day_path(parts.day)}/"

    def index_prefix_of(self, parts: RecordingIdParts) -> str:
        """The prefix of every index entry of one recording (several if it was saved more than once)."""
        return f"{self._index_day_of(parts)}{parts.unique}."

    def index_key(
        self, parts: RecordingIdParts, stamp: int, recorded_at: datetime, kind: str, payload: str
    ) -> str | None:
        """The index entry of one save of a recording; None when the metadata payload is too long for it."""
        micros = max(0, (as_utc(recorded_at) - EPOCH) // timedelta(microseconds=1))
        name = f"{parts.unique}.{stamp:016x}.{micros:016x}.{kind}{payload}"  # ASCII: cut anywhere
        segments = [
            name[start : start + MAX_SEGMENT_BYTES] for start in range(0, len(name), MAX_SEGMENT_BYTES)
        ]
        key = self._index_day_of(parts) + "/".join(segments)
        return key if len(key.encode("utf-8")) <= MAX_KEY_BYTES else None

    def metadata_key(self, parts: RecordingIdParts, stamp: int) -> str:
        """Where metadata too large for an index key name is stored, for one save of a recording."""
        return (
            f"{self.prefix}{parts.category}/metadata/{_day_path(parts.day)}/{parts.unique}.{stamp:016x}.json"
        )

    def parse_index_key(self, key: str) -> IndexEntry | None:
        """Decode an index key (None for anything else, e.g. a foreign object under the prefix)."""
        if not key.startswith(self.prefix):
            return None
        segments = key[len(self.prefix) :].split("/")
        if len(segments) < 6 or segments[1] != "index":
            return None
        category, _, year, month, day = segments[:5]
        name = "".join(segments[5:])
        unique, stamp_text, time_text, encoded = ([*name.split(".", 3), "", "", ""])[:4]
        parts = parse_recording_id(f"{category}/{year}-{month}-{day}/{unique}")
        if parts is None or len(stamp_text) != 16 or len(time_text) != 16 or not encoded:
            return None
        try:
            stamp, micros = int(stamp_text, 16), int(time_text, 16)
        except ValueError:
            return None
        return IndexEntry(parts.recording_id, parts, stamp, micros, encoded[0], encoded[1:])


def encode_metadata(metadata: Mapping[str, Any]) -> tuple[str, str, bytes]:
    """Encode metadata for an index key name.

    Returns:
        ``(kind, payload, json_bytes)``: ``kind`` is `INLINE_JSON` (url-safe base64 of the JSON) or
        `INLINE_DEFLATE` (the same, deflated first: smaller for larger metadata), whichever is shorter.
        When the key would be too long, the caller stores ``json_bytes`` as its own object instead
        (`EXTERNAL`).

    Raises:
        TypeError: The metadata is not plain JSON data.
    """
    text = json.dumps(dict(metadata), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    raw = text.encode("utf-8")
    candidates = [(INLINE_JSON, _b64(raw))]
    if len(raw) > 64:
        candidates.append((INLINE_DEFLATE, _b64(zlib.compress(raw, 9)[2:-4])))
    kind, payload = min(candidates, key=lambda candidate: len(candidate[1]))
    return kind, payload, raw


def decode_metadata(kind: str, payload: str) -> dict[str, Any] | None:
    """The metadata an inline index entry carries; None when it is external or cannot be decoded."""
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        if kind == INLINE_DEFLATE:
            raw = zlib.decompress(raw, -15)
        elif kind != INLINE_JSON:
            return None
    except (binascii.Error, zlib.error, ValueError):
        return None
    try:
        return loads_metadata(raw, "an S3 index entry")
    except DVDFormatError:  # a foreign or damaged entry: not a usable recording
        return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
