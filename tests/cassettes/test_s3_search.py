"""Searching an S3Cassette on real S3 servers: by category, date window, metadata, limit; what it costs."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from playback_dvd import S3Cassette
from playback_dvd._models import DVDDocument

from ._documents import make_document
from .conftest_s3 import RequestCounter

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def cassette(s3_client: Any, s3_bucket: str) -> S3Cassette:
    """An S3Cassette on a fresh bucket of the server under test."""
    return S3Cassette(s3_bucket, "search", client=s3_client)


@pytest.fixture
def requests(s3_client: Any) -> RequestCounter:
    """Counts the S3 requests made from now on."""
    return RequestCounter(s3_client)


def _save(cassette: S3Cassette, category: str = "Checkout", **options: Any) -> DVDDocument:
    document = make_document(category, **options)
    cassette.save_recording(document)
    return document


def test_search_returns_only_the_category_asked(cassette: S3Cassette) -> None:
    checkout = _save(cassette, "Checkout")
    _save(cassette, "Billing")
    _save(cassette, "Checkout2")
    assert list(cassette.iter_recording_ids("Checkout")) == [checkout.id]


def test_search_by_unsafe_category_name_finds_what_was_saved_under_its_safe_form(
    cassette: S3Cassette,
) -> None:
    document = _save(cassette, "billing service/v2")
    assert list(cassette.iter_recording_ids("billing service/v2")) == [document.id]


def test_search_in_a_date_window_uses_recorded_at(cassette: S3Cassette) -> None:
    days = [_save(cassette, recorded_at=NOON + timedelta(days=offset)) for offset in range(5)]
    window = cassette.iter_recording_ids(
        "Checkout", start_date=NOON + timedelta(days=1), end_date=NOON + timedelta(days=3)
    )
    assert list(window) == [days[1].id, days[2].id]


def test_date_window_bounds_are_start_inclusive_end_exclusive_to_the_microsecond(
    cassette: S3Cassette,
) -> None:
    morning = _save(cassette, recorded_at=NOON - timedelta(hours=2))
    evening = _save(cassette, recorded_at=NOON + timedelta(hours=6))
    assert list(cassette.iter_recording_ids("Checkout", start_date=NOON)) == [evening.id]
    assert list(cassette.iter_recording_ids("Checkout", end_date=NOON)) == [morning.id]
    exact = NOON + timedelta(hours=6)
    assert list(cassette.iter_recording_ids("Checkout", start_date=exact, end_date=exact)) == []
    assert list(cassette.iter_recording_ids("Checkout", start_date=exact)) == [evening.id]


def test_date_window_accepts_dates_and_naive_datetimes_as_utc(cassette: S3Cassette) -> None:
    document = _save(cassette, recorded_at=NOON)
    found = cassette.iter_recording_ids("Checkout", start_date=date(2026, 3, 10), end_date=date(2026, 3, 11))  # type: ignore[arg-type]
    assert list(found) == [document.id]
    naive = cassette.iter_recording_ids("Checkout", start_date=datetime(2026, 3, 10, 13))
    assert list(naive) == []


def test_recording_without_recorded_at_is_dated_by_its_id(cassette: S3Cassette) -> None:
    document = make_document(recorded_at=NOON)
    undated = DVDDocument(id=document.id, category="Checkout", metadata={"order_id": 1})
    cassette.save_recording(undated)
    found = cassette.iter_recording_ids("Checkout", start_date=datetime(2026, 3, 10, tzinfo=timezone.utc))
    assert list(found) == [document.id]
    later = cassette.iter_recording_ids("Checkout", start_date=datetime(2026, 3, 11, tzinfo=timezone.utc))
    assert list(later) == []


def test_search_by_metadata_follows_the_shared_rules(cassette: S3Cassette) -> None:
    small = _save(cassette, order_id=1, customer="acme-eu", total=10)
    large = _save(cassette, order_id=2, customer="acme-us", total=500)
    other = _save(cassette, order_id=3, customer="globex", total=50)

    def found(**wanted: Any) -> set[str | None]:
        return set(cassette.iter_recording_ids("Checkout", metadata=wanted))

    assert found(order_id=2) == {large.id}
    assert found(order_id=[1, 3]) == {small.id, other.id}
    assert found(customer="acme-*") == {small.id, large.id}
    assert found(total={"operator": ">=", "value": 50}) == {large.id, other.id}
    assert found(customer="acme-*", total={"operator": "<", "value": 100}) == {small.id}
    assert found(missing_key="x") == set()


def test_limit_stops_the_search(cassette: S3Cassette) -> None:
    for order_id in range(6):
        _save(cassette, order_id=order_id, kind="retail")
    assert len(list(cassette.iter_recording_ids("Checkout", limit=4))) == 4
    assert len(list(cassette.iter_recording_ids("Checkout", metadata={"kind": "retail"}, limit=2))) == 2
    assert list(cassette.iter_recording_ids("Checkout", limit=0)) == []


def test_a_metadata_search_reads_the_index_with_one_list_and_no_get(
    cassette: S3Cassette, requests: RequestCounter
) -> None:
    saved = [
        _save(cassette, order_id=index, recorded_at=NOON + timedelta(days=index % 3)) for index in range(30)
    ]
    requests.reset()
    found = list(
        cassette.iter_recording_ids("Checkout", metadata={"order_id": {"operator": ">=", "value": 25}})
    )
    assert sorted(found) == sorted(document.id for document in saved[25:])
    assert requests.calls == {"ListObjectsV2": 1}


def test_a_search_pages_through_more_than_a_thousand_entries_lazily(
    cassette: S3Cassette, s3_client: Any, s3_bucket: str, requests: RequestCounter
) -> None:
    # 1,200 index entries written directly (the DVDs do not matter to a search): two pages of listing.
    day = f"search/Checkout/index/{NOON:%Y/%m/%d}/"
    for index in range(1200):
        s3_client.put_object(Bucket=s3_bucket, Key=f"{day}{index:032x}.{index:016x}.j{_b64(index)}", Body=b"")
    requests.reset()
    assert len(list(cassette.iter_recording_ids("Checkout", limit=10))) == 10
    assert requests.calls == {"ListObjectsV2": 1}
    requests.reset()
    assert list(cassette.iter_recording_ids("Checkout", metadata={"n": 1150})) == [
        f"Checkout/2026-03-10/{1150:032x}"
    ]
    assert requests.calls == {"ListObjectsV2": 2}


def _b64(index: int) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps({"n": index}).encode()).decode().rstrip("=")


def test_a_window_search_starts_listing_at_its_first_day(
    cassette: S3Cassette, requests: RequestCounter
) -> None:
    old = [_save(cassette, recorded_at=NOON - timedelta(days=30 + index)) for index in range(5)]
    recent = _save(cassette, recorded_at=NOON)
    requests.reset()
    found = list(cassette.iter_recording_ids("Checkout", start_date=NOON - timedelta(hours=1)))
    assert found == [recent.id]
    assert requests.calls == {"ListObjectsV2": 1}
    assert len(old) == 5


def test_foreign_objects_under_the_index_prefix_are_ignored(
    cassette: S3Cassette, s3_client: Any, s3_bucket: str
) -> None:
    document = _save(cassette, recorded_at=NOON)
    s3_client.put_object(Bucket=s3_bucket, Key="search/Checkout/index/README", Body=b"hello")
    s3_client.put_object(Bucket=s3_bucket, Key="search/Checkout/index/2026/03/10/not-an-entry", Body=b"")
    assert list(cassette.iter_recording_ids("Checkout")) == [document.id]
