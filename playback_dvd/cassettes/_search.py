"""Searching recordings: the metadata filter rules and the date window, shared by every cassette."""

from __future__ import annotations

import fnmatch
import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .._errors import ConfigurationError
from ._ids import RecordingIdParts

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def value_matches(recorded: Any, wanted: Any) -> bool:
    """Whether one recorded metadata value satisfies one filter value (playback's rules).

    A list means any of its values (one level: a list inside it is a whole value, so ``[["a", "b"]]``
    matches the recorded list ``["a", "b"]``); ``{"operator": "<", "value": v}`` compares; a string is a glob
    (``*``, ``?``, ``[..]``) matched against a string value; anything else is compared with ``==``. A
    recorded None (or a missing key) never matches a filter other than None.

    Raises:
        ConfigurationError: An operator filter names an unknown operator.
    """
    if isinstance(wanted, list):
        return any(_option_matches(recorded, option) for option in wanted)
    return _option_matches(recorded, wanted)


def _option_matches(recorded: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping) and "operator" in wanted:
        compare = _OPERATORS.get(str(wanted["operator"]))
        if compare is None:
            raise ConfigurationError(
                f"unknown metadata operator {wanted['operator']!r}; use one of {', '.join(_OPERATORS)}"
            )
        if recorded is None:
            return False
        try:
            return bool(compare(recorded, wanted.get("value")))
        except TypeError:  # e.g. "<" between a str and an int: not a match, not a crash
            return False
    if recorded is None:
        return wanted is None
    if isinstance(wanted, str):
        return isinstance(recorded, str) and fnmatch.fnmatchcase(recorded, wanted)
    return bool(recorded == wanted)


def metadata_matches(recorded: Mapping[str, Any], wanted: Mapping[str, Any] | None) -> bool:
    """Whether a recording's metadata satisfies every entry of the filter *wanted* (None matches all)."""
    if not wanted:
        return True
    return all(value_matches(recorded.get(key), value) for key, value in wanted.items())


def as_utc(moment: datetime | date) -> datetime:
    """A timezone-aware UTC datetime (a naive one is taken as UTC; a date as its midnight)."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def in_window(
    recorded_at: datetime, start_date: datetime | date | None, end_date: datetime | date | None
) -> bool:
    """Whether *recorded_at* lies in [start_date, end_date) (either bound may be None)."""
    moment = as_utc(recorded_at)
    if start_date is not None and moment < as_utc(start_date):
        return False
    return not (end_date is not None and moment >= as_utc(end_date))


def day_overlaps_window(
    day: date, start_date: datetime | date | None, end_date: datetime | date | None
) -> bool:
    """Whether some moment of the UTC *day* lies in [start_date, end_date): else its folder is skipped."""
    midnight = as_utc(day)
    if start_date is not None and midnight + timedelta(days=1) <= as_utc(start_date):
        return False
    return not (end_date is not None and midnight >= as_utc(end_date))


def day_inside_window(
    day: date, start_date: datetime | date | None, end_date: datetime | date | None
) -> bool:
    """Whether the whole UTC *day* lies in [start_date, end_date): its recordings need no time check."""
    midnight = as_utc(day)
    if start_date is not None and midnight < as_utc(start_date):
        return False
    return not (end_date is not None and midnight + timedelta(days=1) > as_utc(end_date))


def check_limit(limit: int | None) -> None:
    """Refuse a search limit that is not None or a non-negative int.

    Raises:
        ConfigurationError: *limit* is negative or not an int.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ConfigurationError(f"limit must be None or a non-negative int, not {limit!r}")


def recorded_at_of(metadata: Mapping[str, Any], id_parts: RecordingIdParts | None) -> datetime:
    """When a recording was made: its ``recorded_at`` metadata (ISO 8601), else the day in its id."""
    value = metadata.get("recorded_at")
    if isinstance(value, str):
        if value.endswith(("Z", "z")):  # fromisoformat reads "Z" only from Python 3.11
            value = value[:-1] + "+00:00"
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            pass
    if id_parts is not None:
        return as_utc(id_parts.day)
    return datetime.min.replace(tzinfo=timezone.utc)
