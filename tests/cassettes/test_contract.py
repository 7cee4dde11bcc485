"""The contract every cassette keeps: the same behaviour on every backend, one behaviour per test."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import playback_dvd as pd
from playback_dvd import DVDDocument, ExceptionInfo, InputRecord, Interaction, OutputRecord
from playback_dvd.cassettes import new_recording_id

DAY = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def make(category: str = "Checkout", when: datetime = DAY, **metadata: Any) -> DVDDocument:
    """A full recording of *category* made at *when*, with *metadata*."""
    return DVDDocument(
        interactions=(
            Interaction(
                pd.Request(
                    "POST", "https://api.test/pay?x=1", (("content-type", "application/json"),), b'{"a":1}'
                ),
                pd.Response(
                    200,
                    (("set-cookie", "a=1"), ("set-cookie", "b=2")),
                    b"\x1f\x8b\x00binary",
                    reason_phrase="OK",
                ),
            ),
            Interaction(
                pd.Request("GET", "https://api.test/down"), exception=ExceptionInfo("ConnectError", "refused")
            ),
        ),
        id=new_recording_id(category, when),
        category=category,
        metadata={"recorded_at": when.isoformat(), "nested": {"list": [1, "two", None]}, **metadata},
        inputs={'checkout.load_order {"order_id":42}': InputRecord(value={"items": [1, 2]})},
        outputs=(OutputRecord(key="checkout.save #1", arguments={"total": 3}, result=None),),
    )


def saved(cassette: Any, *documents: DVDDocument) -> list[str]:
    for document in documents:
        cassette.save_recording(document)
    return [document.id for document in documents if document.id]


def test_a_saved_recording_comes_back_equal(cassette: Any) -> None:
    document = make()
    cassette.save_recording(document)
    assert cassette.get_recording(document.id) == document


def test_an_unknown_id_raises_recording_not_found_naming_it(cassette: Any) -> None:
    missing = new_recording_id("Checkout", DAY)
    with pytest.raises(pd.RecordingNotFound) as caught:
        cassette.get_recording(missing)
    assert missing in str(caught.value)
    with pytest.raises(pd.RecordingNotFound):
        cassette.get_recording_metadata(missing)


def test_an_id_that_tries_to_escape_is_not_found(cassette: Any) -> None:
    with pytest.raises(pd.RecordingNotFound):
        cassette.get_recording("../../etc/passwd")


def test_metadata_can_be_read_alone(cassette: Any) -> None:
    document = make(order_id=42)
    cassette.save_recording(document)
    assert cassette.get_recording_metadata(document.id)["order_id"] == 42


def test_delete_removes_the_recording_and_is_idempotent(cassette: Any) -> None:
    document = make()
    cassette.save_recording(document)
    cassette.delete_recording(document.id)
    cassette.delete_recording(document.id)
    with pytest.raises(pd.RecordingNotFound):
        cassette.get_recording(document.id)
    assert list(cassette.iter_recording_ids("Checkout")) == []


def test_saving_an_id_again_replaces_the_recording(cassette: Any) -> None:
    first = make(version=1)
    second = DVDDocument(id=first.id, category=first.category, metadata={**first.metadata, "version": 2})
    saved(cassette, first, second)
    assert cassette.get_recording(first.id) == second
    assert list(cassette.iter_recording_ids("Checkout", metadata={"version": 2})) == [first.id]


def test_search_filters_by_category(cassette: Any) -> None:
    checkout, refund = saved(cassette, make("Checkout"), make("Refund"))
    assert list(cassette.iter_recording_ids("Checkout")) == [checkout]
    assert list(cassette.iter_recording_ids("Refund")) == [refund]
    assert list(cassette.iter_recording_ids("Nothing")) == []


def test_search_yields_newest_first(cassette: Any) -> None:
    ids = saved(cassette, *(make(when=DAY + timedelta(hours=hours)) for hours in (0, 30, 5, 60)))
    assert list(cassette.iter_recording_ids("Checkout")) == [ids[3], ids[1], ids[2], ids[0]]


def test_search_by_date_window_is_start_inclusive_end_exclusive(cassette: Any) -> None:
    days = [DAY + timedelta(days=offset) for offset in range(4)]
    ids = saved(cassette, *(make(when=day) for day in days))
    window = list(cassette.iter_recording_ids("Checkout", start_date=days[1], end_date=days[3]))
    assert window == [ids[2], ids[1]]
    assert list(cassette.iter_recording_ids("Checkout", start_date=days[3])) == [ids[3]]
    assert list(cassette.iter_recording_ids("Checkout", end_date=days[1])) == [ids[0]]


def test_search_accepts_naive_datetimes_and_dates_as_utc(cassette: Any) -> None:
    (recording,) = saved(cassette, make(when=DAY))
    assert list(cassette.iter_recording_ids("Checkout", start_date=DAY.replace(tzinfo=None))) == [recording]
    assert list(cassette.iter_recording_ids("Checkout", start_date=DAY.date())) == [recording]
    assert list(cassette.iter_recording_ids("Checkout", end_date=DAY.date())) == []


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ({"customer": "acme"}, ["acme"]),
        ({"customer": ["acme", "globex"]}, ["globex", "acme"]),
        ({"customer": "a*"}, ["acme"]),
        ({"total": {"operator": ">", "value": 10}}, ["globex"]),
        ({"total": {"operator": "<=", "value": 10}}, ["initech", "acme"]),
        ({"customer": "acme", "total": 10}, ["acme"]),
        ({"missing": "x"}, []),
        ({"customer": None}, []),
        ({"total": {"operator": "<", "value": "text"}}, []),
    ],
)
def test_search_by_metadata_follows_playbacks_rules(
    cassette: Any, wanted: dict[str, Any], expected: list[str]
) -> None:
    by_customer = dict(
        zip(
            ("acme", "globex", "initech"),
            saved(
                cassette,
                make(when=DAY, customer="acme", total=10),
                make(when=DAY + timedelta(hours=1), customer="globex", total=99),
                make(when=DAY + timedelta(hours=2), customer="initech", total=1),
            ),
            strict=True,
        )
    )
    found = list(cassette.iter_recording_ids("Checkout", metadata=wanted))
    assert found == [by_customer[name] for name in expected]


def test_a_recorded_none_matches_only_a_none_filter(cassette: Any) -> None:
    (recording,) = saved(cassette, make(customer=None))
    assert list(cassette.iter_recording_ids("Checkout", metadata={"customer": "*"})) == []
    assert list(cassette.iter_recording_ids("Checkout", metadata={"customer": None})) == [recording]


def test_limit_applies_after_filtering(cassette: Any) -> None:
    documents = [make(when=DAY + timedelta(minutes=n), even=n % 2 == 0) for n in range(10)]
    ids = saved(cassette, *documents)
    found = list(cassette.iter_recording_ids("Checkout", metadata={"even": True}, limit=3))
    assert found == [ids[8], ids[6], ids[4]]
    assert list(cassette.iter_recording_ids("Checkout", limit=0)) == []


def test_every_id_a_search_returns_can_be_loaded(cassette: Any) -> None:
    saved(cassette, *(make(when=DAY + timedelta(hours=n)) for n in range(5)))
    for recording_id in cassette.iter_recording_ids("Checkout"):
        assert cassette.get_recording(recording_id).id == recording_id


def test_twenty_threads_saving_at_once_lose_nothing(cassette: Any) -> None:
    documents = [make(when=DAY + timedelta(seconds=n), worker=n) for n in range(20)]
    barrier = threading.Barrier(20)

    def save(document: DVDDocument) -> None:
        barrier.wait()
        cassette.save_recording(document)

    threads = [threading.Thread(target=save, args=(document,)) for document in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(cassette.iter_recording_ids("Checkout")) == sorted(document.id for document in documents)
    for document in documents:
        assert cassette.get_recording(document.id) == document


def test_every_backend_is_a_cassette(cassette: Any) -> None:
    assert isinstance(cassette, pd.Cassette)
