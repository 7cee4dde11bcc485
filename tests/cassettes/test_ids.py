"""Recording ids: their form, their order, and the checks every cassette runs before touching storage."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from playback_dvd import DVDDocument
from playback_dvd.cassettes import (
    check_document_for_saving,
    check_recording_id,
    new_recording_id,
    parse_recording_id,
    safe_category,
)

NOON = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)


def test_an_id_names_the_safe_category_the_utc_day_and_a_unique_part() -> None:
    plus_two = timezone(timedelta(hours=2))
    recording_id = new_recording_id("shop views", datetime(2026, 3, 5, 1, tzinfo=plus_two))
    parts = parse_recording_id(recording_id)
    assert parts is not None
    assert (parts.category, parts.day, len(parts.unique)) == ("shop_views", date(2026, 3, 4), 32)
    assert parts.recording_id == recording_id


def test_ids_made_at_the_same_moment_differ() -> None:
    assert len({new_recording_id("c", NOON) for _ in range(1000)}) == 1000


def test_ids_sort_in_the_order_the_recordings_were_made() -> None:
    moments = [NOON + timedelta(milliseconds=step * 37) for step in range(50)]
    ids = [new_recording_id("c", moment) for moment in reversed(moments)]
    assert sorted(ids) == list(reversed(ids))


@pytest.mark.parametrize(
    ("category", "safe"), [("Checkout", "Checkout"), ("a/b", "a_b"), ("..", "_"), ("", "_")]
)
def test_safe_category_keeps_only_path_safe_characters(category: str, safe: str) -> None:
    assert safe_category(category) == safe


def test_parse_returns_none_for_what_is_not_an_id() -> None:
    assert parse_recording_id("../2026-03-04/" + "a" * 32) is None
    assert parse_recording_id(42) is None


def test_check_names_the_expected_form() -> None:
    with pytest.raises(ValueError, match=r"'nope' is not a recording id: expected \{category\}"):
        check_recording_id("nope")


def test_a_document_without_category_may_be_saved() -> None:
    recording_id = new_recording_id("Checkout", NOON)
    assert check_document_for_saving(DVDDocument(id=recording_id)).recording_id == recording_id


def test_a_category_with_unsafe_characters_matches_its_safe_id() -> None:
    document = DVDDocument(id=new_recording_id("shop views", NOON), category="shop views")
    assert check_document_for_saving(document).category == "shop_views"
