"""Recording ids: ``{category}/{YYYY-MM-DD}/{32 hex}``: any backend finds a recording from its id alone."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone

import attrs

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_ID = re.compile(r"^(?P<category>[A-Za-z0-9_.-]+)/(?P<day>\d{4}-\d{2}-\d{2})/(?P<unique>[0-9a-f]{32})$")


def safe_category(category: str) -> str:
    """The category as it appears in ids and storage keys: letters, digits, ``_``, ``.``, ``-`` only."""
    return _UNSAFE.sub("_", category).strip(".") or "_"


def new_recording_id(category: str, recorded_at: datetime | None = None) -> str:
    """A fresh, unique id for a recording of *category* made at *recorded_at* (UTC; default now)."""
    when = (recorded_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return f"{safe_category(category)}/{when:%Y-%m-%d}/{uuid.uuid4().hex}"


@attrs.frozen
class RecordingIdParts:
    """What a recording id says: its (safe) category, UTC day and unique part."""

    category: str
    day: date
    unique: str


def parse_recording_id(recording_id: str) -> RecordingIdParts | None:
    """Split a recording id; None when it is not of the form `new_recording_id` makes (never raises)."""
    match = _ID.match(recording_id)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None
    return RecordingIdParts(category=match["category"], day=day, unique=match["unique"])
