"""What the built-in cassettes add to the protocol: `iter_recordings_metadata`, stricter checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from playback_dvd import ConfigurationError, DVDDocument
from playback_dvd.cassettes import new_recording_id

from ._recordings import CATEGORY, save_small
from .conftest import CASSETTE_FACTORIES

DAY = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "local", "local-json"])
def builtin(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Each built-in cassette, fresh and empty."""
    store = CASSETTE_FACTORIES[request.param](tmp_path, request)
    yield store
    store.close()


def test_iter_recordings_metadata_pairs_each_id_with_its_metadata(builtin: Any) -> None:
    ch = save_small(builtin, DAY, country="CH")
    de = save_small(builtin, datetime(2026, 3, 5, tzinfo=timezone.utc), country="DE")
    dk = save_small(builtin, datetime(2026, 3, 6, tzinfo=timezone.utc), country="DK")
    pairs = list(builtin.iter_recordings_metadata(CATEGORY, metadata={"country": "D*"}))
    assert [recording_id for recording_id, _ in pairs] == [dk, de]
    assert [dict(metadata) for _, metadata in pairs] == [
        dict(builtin.get_recording_metadata(dk)),
        dict(builtin.get_recording_metadata(de)),
    ]
    assert ch not in dict(pairs)


def test_iter_recordings_metadata_honours_window_and_limit(builtin: Any) -> None:
    ids = [save_small(builtin, datetime(2026, 3, day, 12, tzinfo=timezone.utc)) for day in range(1, 6)]
    pairs = builtin.iter_recordings_metadata(CATEGORY, start_date=datetime(2026, 3, 2), limit=2)
    assert [recording_id for recording_id, _ in pairs] == [ids[4], ids[3]]


@pytest.fixture(params=sorted(CASSETTE_FACTORIES))
def writable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Each writable cassette (the built-in ones and S3), fresh and empty."""
    store = CASSETTE_FACTORIES[request.param](tmp_path, request)
    yield store
    store.close()


def test_a_negative_limit_is_refused_at_the_call(writable: Any) -> None:
    with pytest.raises(ConfigurationError, match="limit must be"):
        writable.iter_recording_ids(CATEGORY, limit=-1)


def test_a_negative_limit_is_refused_by_the_metadata_search_too(builtin: Any) -> None:
    with pytest.raises(ConfigurationError, match="limit must be"):
        builtin.iter_recordings_metadata(CATEGORY, limit=-1)


def test_a_document_whose_category_is_not_its_ids_is_refused(writable: Any) -> None:
    document = DVDDocument(id=new_recording_id("Billing", DAY), category=CATEGORY)
    with pytest.raises(ValueError, match=r"is not of category 'Checkout' \(it names 'Billing'\)"):
        writable.save_recording(document)
    assert list(writable.iter_recording_ids("Billing")) == []


def test_a_malformed_id_is_named_as_such_in_the_not_found_error(writable: Any) -> None:
    for read in (writable.get_recording, writable.get_recording_metadata):
        with pytest.raises(KeyError, match=r"not a recording id: expected \{category\}"):
            read("../../etc/passwd")
