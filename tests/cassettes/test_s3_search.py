"""Searching an S3Cassette on real S3 servers: by category, date window, metadata, limit; what it costs."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from playback_dvd import DVDDocument, RecordingNotFound, S3Cassette

from ._documents import make_document
from .conftest_s3 import RequestCounter

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def s3_cassette(s3_client: Any, s3_bucket: str) -> S3Cassette:
    """An S3Cassette on a fresh bucket of the server under test."""
    return S3Cassette(s3_bucket, "search", client=s3_client)


@pytest.fixture
def requests(s3_client: Any) -> RequestCounter:
    """Counts the S3 requests made from now on."""
    return RequestCounter(s3_client)


def _save(s3_cassette: S3Cassette, category: str = "Checkout", **options: Any) -> DVDDocument:
    document = make_document(category, **options)
    s3_cassette.save_recording(document)
    return document


def test_search_returns_only_the_category_asked(s3_cassette: S3Cassette) -> None:
    checkout = _save(s3_cassette, "Checkout")
    _save(s3_cassette, "Billing")
    _save(s3_cassette, "Checkout2")
    assert list(s3_cassette.iter_recording_ids("Checkout")) == [checkout.id]


def test_search_by_unsafe_category_name_finds_what_was_saved_under_its_safe_form(
    s3_cassette: S3Cassette,
) -> None:
    document = _save(s3_cassette, "billing service/v2")
    assert list(s3_cassette.iter_recording_ids("billing service/v2")) == [document.id]


def test_search_in_a_date_window_uses_recorded_at(s3_cassette: S3Cassette) -> None:
    days = [_save(s3_cassette, recorded_at=NOON + timedelta(days=offset)) for offset in range(5)]
    window = s3_cassette.iter_recording_ids(
        "Checkout", start_date=NOON + timedelta(days=1), end_date=NOON + timedelta(days=3)
    )
    assert list(window) == [days[2].id, days[1].id]  # newest first


def test_date_window_bounds_are_start_inclusive_end_exclusive_to_the_microsecond(
    s3_cassette: S3Cassette,
) -> None:
    morning = _save(s3_cassette, recorded_at=NOON - timedelta(hours=2))
    evening = _save(s3_cassette, recorded_at=NOON + timedelta(hours=6))
    assert list(s3_cassette.iter_recording_ids("Checkout", start_date=NOON)) == [evening.id]
    assert list(s3_cassette.iter_recording_ids("Checkout", end_date=NOON)) == [morning.id]
    exact = NOON + timedelta(hours=6)
    assert list(s3_cassette.iter_recording_ids("Checkout", start_date=exact, end_date=exact)) == []
    assert list(s3_cassette.iter_recording_ids("Checkout", start_date=exact)) == [evening.id]


def test_date_window_accepts_dates_and_naive_datetimes_as_utc(s3_cassette: S3Cassette) -> None:
    document = _save(s3_cassette, recorded_at=NOON)
    found = s3_cassette.iter_recording_ids(
        "Checkout", start_date=date(2026, 3, 10), end_date=date(2026, 3, 11)
    )  # type: ignore[arg-type]
    assert list(found) == [document.id]
    naive = s3_cassette.iter_recording_ids("Checkout", start_date=datetime(2026, 3, 10, 13))
    assert list(naive) == []


def test_recording_without_recorded_at_is_dated_by_its_id(s3_cassette: S3Cassette) -> None:
    document = make_document(recorded_at=NOON)
    undated = DVDDocument(id=document.id, category="Checkout", metadata={"order_id": 1})
    s3_cassette.save_recording(undated)
    found = s3_cassette.iter_recording_ids("Checkout", start_date=datetime(2026, 3, 10, tzinfo=timezone.utc))
    assert list(found) == [document.id]
    later = s3_cassette.iter_recording_ids("Checkout", start_date=datetime(2026, 3, 11, tzinfo=timezone.utc))
    assert list(later) == []


def test_search_by_metadata_follows_the_shared_rules(s3_cassette: S3Cassette) -> None:
    small = _save(s3_cassette, order_id=1, customer="acme-eu", total=10)
    large = _save(s3_cassette, order_id=2, customer="acme-us", total=500)
    other = _save(s3_cassette, order_id=3, customer="globex", total=50)

    def found(**wanted: Any) -> set[str | None]:
        return set(s3_cassette.iter_recording_ids("Checkout", metadata=wanted))

    assert found(order_id=2) == {large.id}
    assert found(order_id=[1, 3]) == {small.id, other.id}
    assert found(customer="acme-*") == {small.id, large.id}
    assert found(total={"operator": ">=", "value": 50}) == {large.id, other.id}
    assert found(customer="acme-*", total={"operator": "<", "value": 100}) == {small.id}
    assert found(missing_key="x") == set()


def test_limit_stops_the_search(s3_cassette: S3Cassette) -> None:
    for order_id in range(6):
        _save(s3_cassette, order_id=order_id, kind="retail")
    assert len(list(s3_cassette.iter_recording_ids("Checkout", limit=4))) == 4
    assert len(list(s3_cassette.iter_recording_ids("Checkout", metadata={"kind": "retail"}, limit=2))) == 2
    assert list(s3_cassette.iter_recording_ids("Checkout", limit=0)) == []


# A search lists which years, months and days exist (3 requests here), then each day's index entries.
FIND_DAYS = 3


def test_a_metadata_search_reads_one_list_per_day_and_no_get(
    s3_cassette: S3Cassette, requests: RequestCounter
) -> None:
    saved = [
        _save(s3_cassette, order_id=index, recorded_at=NOON + timedelta(days=index % 3))
        for index in range(30)
    ]
    requests.reset()
    found = list(
        s3_cassette.iter_recording_ids("Checkout", metadata={"order_id": {"operator": ">=", "value": 25}})
    )
    assert sorted(found) == sorted(document.id for document in saved[25:])
    # Per day: one LIST of its index, and one of its DVDs (a match whose DVD is gone is skipped).
    assert requests.calls == {"ListObjectsV2": FIND_DAYS + 3 + 3}


def test_a_day_of_more_than_a_thousand_entries_is_listed_in_pages(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str, requests: RequestCounter
) -> None:
    # 1,200 index entries and their (empty) DVDs written directly: two pages of listing each.
    day = f"search/Checkout/index/{NOON:%Y/%m/%d}/"
    for index in range(1200):
        name = f"{index:032x}.{index:016x}.{index:016x}.j{_b64(index)}"
        s3_client.put_object(Bucket=s3_bucket, Key=day + name, Body=b"")
        s3_client.put_object(Bucket=s3_bucket, Key=f"search/Checkout/{NOON:%Y/%m/%d}/{index:032x}", Body=b"")
    requests.reset()
    assert len(list(s3_cassette.iter_recording_ids("Checkout", limit=10))) == 10
    assert requests.calls == {"ListObjectsV2": FIND_DAYS + 2 + 2}  # a day is listed whole, to order it
    requests.reset()
    assert list(s3_cassette.iter_recording_ids("Checkout", metadata={"n": 1150})) == [
        f"Checkout/2026-03-10/{1150:032x}"
    ]
    assert requests.calls == {"ListObjectsV2": FIND_DAYS + 2 + 2}


def _b64(index: int) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps({"n": index}).encode()).decode().rstrip("=")


def test_a_window_search_starts_listing_at_its_first_day(
    s3_cassette: S3Cassette, requests: RequestCounter
) -> None:
    old = [_save(s3_cassette, recorded_at=NOON - timedelta(days=30 + index)) for index in range(5)]
    recent = _save(s3_cassette, recorded_at=NOON)
    requests.reset()
    found = list(s3_cassette.iter_recording_ids("Checkout", start_date=NOON - timedelta(hours=1)))
    assert found == [recent.id]
    # One LIST of the day's index, one of its DVDs; February is never listed.
    assert requests.calls == {"ListObjectsV2": FIND_DAYS + 1 + 1}
    assert len(old) == 5


def test_foreign_objects_under_the_index_prefix_are_ignored(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str
) -> None:
    document = _save(s3_cassette, recorded_at=NOON)
    s3_client.put_object(Bucket=s3_bucket, Key="search/Checkout/index/README", Body=b"hello")
    s3_client.put_object(Bucket=s3_bucket, Key="search/Checkout/index/2026/03/10/not-an-entry", Body=b"")
    assert list(s3_cassette.iter_recording_ids("Checkout")) == [document.id]


def test_a_search_skips_an_index_entry_whose_dvd_is_gone_with_a_warning(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str, caplog: pytest.LogCaptureFixture
) -> None:
    kept = _save(s3_cassette, order_id=1)
    expired = _save(s3_cassette, order_id=2)
    assert expired.id is not None
    # A lifecycle rule removed the DVD, not its index entry.
    s3_client.delete_object(Bucket=s3_bucket, Key=s3_cassette._dvd_key_of(expired.id))
    assert list(s3_cassette.iter_recording_ids("Checkout")) == [kept.id]
    assert f"skipping {expired.id}" in caplog.text
    assert "its DVD is gone" in caplog.text
    with pytest.raises(RecordingNotFound):
        s3_cassette.get_recording(expired.id)
