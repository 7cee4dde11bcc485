"""The search rules shared by every cassette, where the contract suite cannot reach them."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from playback_dvd import ConfigurationError
from playback_dvd.cassettes import (
    check_limit,
    day_inside_window,
    day_overlaps_window,
    parse_recording_id,
    recorded_at_of,
)

PARTS = parse_recording_id("c/2026-03-04/" + "0" * 32)
DAY = date(2026, 3, 4)


@pytest.mark.parametrize(
    "text",
    ["2026-03-04T05:06:07Z", "2026-03-04T05:06:07+00:00", "2026-03-04T07:06:07+02:00", "2026-03-04T05:06:07"],
)
def test_recorded_at_reads_iso_8601_in_any_offset(text: str) -> None:
    assert recorded_at_of({"recorded_at": text}, PARTS) == datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [None, "yesterday", 1709528767])
def test_without_a_readable_recorded_at_the_ids_day_is_used(value: object) -> None:
    assert recorded_at_of({"recorded_at": value}, PARTS) == datetime(2026, 3, 4, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("start", "end", "overlaps", "inside"),
    [
        (None, None, True, True),
        (datetime(2026, 3, 4), datetime(2026, 3, 5), True, True),
        (datetime(2026, 3, 4, 12), None, True, False),
        (None, datetime(2026, 3, 4, 12), True, False),
        (datetime(2026, 3, 5), None, False, False),
        (None, datetime(2026, 3, 4), False, False),
    ],
)
def test_a_day_meets_a_window_when_some_moment_of_it_is_inside(
    start: datetime | None, end: datetime | None, overlaps: bool, inside: bool
) -> None:
    assert day_overlaps_window(DAY, start, end) is overlaps
    assert day_inside_window(DAY, start, end) is inside


@pytest.mark.parametrize("limit", [-1, 1.5, True, "3"])
def test_a_limit_must_be_a_non_negative_int(limit: object) -> None:
    with pytest.raises(ConfigurationError, match="limit must be"):
        check_limit(limit)  # type: ignore[arg-type]
