"""Recording ids: ``{category}/{YYYY-MM-DD}/{32 hex}``: any backend finds a recording from its id alone."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timezone

import attrs

from .._errors import RecordingNotFound
from .._models import DVDDocument

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_ID = re.compile(r"^(?P<category>[A-Za-z0-9_.-]+)/(?P<day>\d{4}-\d{2}-\d{2})/(?P<unique>[0-9a-f]{32})$")
ID_FORM = "{category}/{YYYY-MM-DD}/{32 lower-case hex digits}"


def safe_category(category: str) -> str:
    """The category as it appears in ids and storage keys: letters, digits, ``_``, ``.``, ``-`` only.

    Leading and trailing dots are dropped (so no category is ``.`` or ``..``); an empty result becomes ``_``.
    """
    return _UNSAFE.sub("_", category).strip(".") or "_"


def new_recording_id(category: str, recorded_at: datetime | None = None) -> str:
    """A fresh, unique id for a recording of *category* made at *recorded_at* (UTC; default now).

    The unique part starts with the recording time in milliseconds (12 hex digits) followed by 80 random
    bits, so ids of one category sort in the order the recordings were made (to the millisecond): a
    cassette lists a day newest first from the names alone, without reading any metadata.
    """
    when = (recorded_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    milliseconds = max(0, int(when.timestamp() * 1000))
    return f"{safe_category(category)}/{when:%Y-%m-%d}/{milliseconds:012x}{secrets.token_hex(10)}"


@attrs.frozen
class RecordingIdParts:
    """What a recording id says: its (safe) category, UTC day and unique part."""

    category: str
    day: date
    unique: str

    @property
    def recording_id(self) -> str:
        """The id these parts make."""
        return f"{self.category}/{self.day.isoformat()}/{self.unique}"


def parse_recording_id(recording_id: object) -> RecordingIdParts | None:
    """Split a recording id; None when it is not of the form `new_recording_id` makes (never raises)."""
    if not isinstance(recording_id, str):
        return None
    match = _ID.match(recording_id)
    if match is None or match["category"].strip(".") != match["category"]:
        return None
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None
    return RecordingIdParts(category=match["category"], day=day, unique=match["unique"])


def check_recording_id(recording_id: str) -> RecordingIdParts:
    """Split a recording id, refusing anything `new_recording_id` could not have made.

    Cassettes call it before touching storage, so an id such as ``../../etc/passwd`` never becomes a path or
    a key (`recording_id_parts_or_not_found` is the variant for reads).

    Raises:
        ValueError: *recording_id* is not of the form ``{category}/{YYYY-MM-DD}/{32 hex}``.
    """
    parts = parse_recording_id(recording_id)
    if parts is None:
        raise ValueError(
            f"{recording_id!r} is not a recording id: expected {ID_FORM}, as made by "
            "playback_dvd.cassettes.new_recording_id"
        )
    return parts


def recording_id_parts_or_not_found(recording_id: str, where: str) -> RecordingIdParts:
    """Split a recording id about to be read; an id not of our form is simply not there.

    Raises:
        RecordingNotFound: *recording_id* is not of the form ``{category}/{YYYY-MM-DD}/{32 hex}`` (the
            message says so, and names *where*).
    """
    parts = parse_recording_id(recording_id)
    if parts is None:
        raise RecordingNotFound(recording_id, f"{where} (not a recording id: expected {ID_FORM})")
    return parts


def check_document_for_saving(document: DVDDocument) -> RecordingIdParts:
    """The parts of the id of a document about to be saved, after checking it can be saved.

    Raises:
        ValueError: The document has no id, an id not of our form, or a category that is not the one its
            id names (searches by category rely on the id).
    """
    if not document.id:
        raise ValueError("a recording needs an id to be saved (see playback_dvd.cassettes.new_recording_id)")
    parts = check_recording_id(document.id)
    if document.category is not None and safe_category(document.category) != parts.category:
        raise ValueError(
            f"recording id {document.id!r} is not of category {document.category!r} (it names "
            f"{parts.category!r}); make the id with new_recording_id({document.category!r})"
        )
    return parts
