"""CachedS3Cassette against real S3 servers: hits and misses, corrupt files, LRU eviction, cached searches."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from playback_dvd import CachedS3Cassette, ConfigurationError, DVDDocument, ReadOnlyCassetteError, S3Cassette
from playback_dvd.cassettes import RecordingNotFound
from playback_dvd.cassettes._cached_s3 import default_cache_directory

from ._documents import make_document
from .conftest_s3 import RequestCounter


@pytest.fixture
def store(s3_client: Any, s3_bucket: str) -> S3Cassette:
    """The S3Cassette the recordings are saved to."""
    return S3Cassette(s3_bucket, "recordings", client=s3_client)


@pytest.fixture
def cache(store: S3Cassette, tmp_path: Path) -> CachedS3Cassette:
    """A cache of *store* in a fresh directory."""
    return CachedS3Cassette(store, local_path=tmp_path)


@pytest.fixture
def requests(s3_client: Any) -> RequestCounter:
    """Counts the S3 requests made from now on."""
    return RequestCounter(s3_client)


def _saved(store: S3Cassette, **options: Any) -> DVDDocument:
    document = make_document(**options)
    store.save_recording(document)
    return document


def test_first_read_downloads_and_second_read_is_served_from_the_cache(
    store: S3Cassette, cache: CachedS3Cassette, requests: RequestCounter
) -> None:
    document = _saved(store)
    requests.reset()
    assert cache.get_recording(document.id or "") == document
    assert requests.calls == {"GetObject": 1}
    requests.reset()
    assert cache.get_recording(document.id or "") == document
    assert requests.total == 0


def test_cached_files_serve_a_new_cassette_on_the_same_directory(
    store: S3Cassette, tmp_path: Path, requests: RequestCounter
) -> None:
    document = _saved(store)
    CachedS3Cassette(store, local_path=tmp_path).get_recording(document.id or "")
    requests.reset()
    assert CachedS3Cassette(store, local_path=tmp_path).get_recording(document.id or "") == document
    assert requests.total == 0


def test_metadata_is_cached_too(store: S3Cassette, cache: CachedS3Cassette, requests: RequestCounter) -> None:
    document = _saved(store, order_id=7)
    assert cache.get_recording_metadata(document.id or "") == document.metadata
    requests.reset()
    assert cache.get_recording_metadata(document.id or "") == document.metadata
    assert requests.total == 0


def test_corrupt_cached_file_is_replaced_from_s3(
    store: S3Cassette, cache: CachedS3Cassette, requests: RequestCounter
) -> None:
    document = _saved(store)
    cache.get_recording(document.id or "")
    [cached] = cache.directory.rglob("*.dvd")
    good = cached.read_bytes()
    cached.write_bytes(
        good[: len(good) // 2]
    )  # truncated, as by a crash of a tool that did not write atomically
    requests.reset()
    assert cache.get_recording(document.id or "") == document
    assert requests.calls == {"GetObject": 1}
    assert cached.read_bytes() == good


def test_corrupt_cached_metadata_is_replaced_from_s3(store: S3Cassette, cache: CachedS3Cassette) -> None:
    document = _saved(store, order_id=7)
    cache.get_recording_metadata(document.id or "")
    [cached] = cache.directory.rglob("*.meta.json")
    cached.write_bytes(b"{not json")
    assert cache.get_recording_metadata(document.id or "") == document.metadata
    assert cache.get_recording_metadata(document.id or "") == document.metadata


def test_least_recently_used_recording_is_evicted_under_the_size_cap(
    store: S3Cassette, tmp_path: Path, requests: RequestCounter
) -> None:
    first, second, third = (_saved(store, body_size=4096) for _ in range(3))
    size = len(store.get_recording_bytes(first.id or ""))
    cache = CachedS3Cassette(store, local_path=tmp_path, max_size_bytes=int(size * 2.5))
    cache.get_recording(first.id or "")
    cache.get_recording(second.id or "")
    cache.get_recording(first.id or "")  # first is now more recently used than second
    cache.get_recording(third.id or "")  # over the cap: second goes
    requests.reset()
    cache.get_recording(first.id or "")
    cache.get_recording(third.id or "")
    assert requests.total == 0
    cache.get_recording(second.id or "")
    assert requests.calls == {"GetObject": 1}
    assert sum(path.stat().st_size for path in cache.directory.rglob("*.dvd")) <= size * 2.5


def test_recording_larger_than_the_cap_is_served_but_not_kept(store: S3Cassette, tmp_path: Path) -> None:
    document = _saved(store, body_size=4096)
    cache = CachedS3Cassette(store, local_path=tmp_path, max_size_bytes=1024)
    assert cache.get_recording(document.id or "") == document
    assert list(cache.directory.rglob("*.dvd")) == []


def test_search_results_are_reused_within_the_listing_ttl_then_refreshed(
    store: S3Cassette, tmp_path: Path, requests: RequestCounter
) -> None:
    cache = CachedS3Cassette(store, local_path=tmp_path, listing_ttl_seconds=0.5)
    first = _saved(store)
    assert list(cache.iter_recording_ids("Checkout")) == [first.id]
    second = _saved(store)
    requests.reset()
    assert list(cache.iter_recording_ids("Checkout")) == [first.id]
    assert requests.total == 0
    time.sleep(0.6)
    assert sorted(cache.iter_recording_ids("Checkout")) == sorted([first.id, second.id])
    assert set(requests.calls) == {"ListObjectsV2"}


def test_different_searches_are_cached_apart(store: S3Cassette, cache: CachedS3Cassette) -> None:
    red, blue = _saved(store, color="red"), _saved(store, color="blue")
    assert list(cache.iter_recording_ids("Checkout", metadata={"color": "red"})) == [red.id]
    assert list(cache.iter_recording_ids("Checkout", metadata={"color": "blue"})) == [blue.id]
    assert list(cache.iter_recording_ids("Checkout", metadata={"color": "red"}, limit=0)) == []


def test_listing_ttl_zero_always_asks_s3(store: S3Cassette, tmp_path: Path, requests: RequestCounter) -> None:
    cache = CachedS3Cassette(store, local_path=tmp_path, listing_ttl_seconds=0)
    _saved(store)
    requests.reset()
    list(cache.iter_recording_ids("Checkout"))
    one_search = requests.total
    list(cache.iter_recording_ids("Checkout"))
    assert one_search > 0
    assert requests.calls == {"ListObjectsV2": 2 * one_search}


def test_unknown_recording_raises_and_caches_nothing(cache: CachedS3Cassette) -> None:
    with pytest.raises(RecordingNotFound):
        cache.get_recording(make_document().id or "")
    assert not cache.directory.exists() or list(cache.directory.rglob("*.*")) == []


def test_cache_refuses_writes(store: S3Cassette, cache: CachedS3Cassette) -> None:
    document = _saved(store)
    with pytest.raises(ReadOnlyCassetteError, match="only reads"):
        cache.save_recording(make_document())
    with pytest.raises(ReadOnlyCassetteError):
        cache.delete_recording(document.id or "")
    assert store.get_recording(document.id or "") == document


def test_same_id_under_two_prefixes_is_cached_apart(s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    original = make_document(side="a")
    twin = DVDDocument(id=original.id, category=original.category, metadata={"side": "b"})
    S3Cassette(s3_bucket, "a", client=s3_client).save_recording(original)
    S3Cassette(s3_bucket, "a/b", client=s3_client).save_recording(twin)
    cache_a = CachedS3Cassette(s3_bucket, "a", client=s3_client, local_path=tmp_path)
    cache_b = CachedS3Cassette(s3_bucket, "a/b", client=s3_client, local_path=tmp_path)
    for _ in range(2):
        assert cache_a.get_recording(original.id or "") == original
        assert cache_b.get_recording(original.id or "") == twin
    assert cache_a.directory != cache_b.directory


def test_cache_made_from_a_bucket_name_is_read_only(s3_client: Any, s3_bucket: str, tmp_path: Path) -> None:
    with CachedS3Cassette(s3_bucket, client=s3_client, local_path=tmp_path) as cache:
        assert cache.s3.read_only
        with pytest.raises(ReadOnlyCassetteError):
            cache.save_recording(make_document())


def test_cassette_options_with_a_ready_cassette_are_refused(store: S3Cassette) -> None:
    with pytest.raises(ConfigurationError, match="bucket name"):
        CachedS3Cassette(store, "prefix")


def test_default_directory_is_under_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_directory() == tmp_path / "playback_dvd" / "s3"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_directory() == tmp_path / "home" / ".cache" / "playback_dvd" / "s3"


def test_search_with_date_bounds_is_served_and_cached(store: S3Cassette, cache: CachedS3Cassette) -> None:
    document = _saved(store)
    today = datetime.now(timezone.utc).date()
    found = list(cache.iter_recording_ids("Checkout", start_date=today, end_date=today + timedelta(days=1)))  # type: ignore[arg-type]
    assert found == [document.id]
    assert list(cache.iter_recording_ids("Checkout", start_date=today + timedelta(days=1))) == []  # type: ignore[arg-type]


def test_a_tuple_filter_is_not_cached_as_the_list_filter_of_the_same_values(
    store: S3Cassette, cache: CachedS3Cassette
) -> None:
    red = _saved(store, color="red")
    assert list(cache.iter_recording_ids("Checkout", metadata={"color": ["red", "blue"]})) == [red.id]
    assert list(cache.iter_recording_ids("Checkout", metadata={"color": ("red", "blue")})) == []


def test_use_cache_false_reads_s3_every_time_and_keeps_nothing(
    store: S3Cassette, tmp_path: Path, requests: RequestCounter
) -> None:
    document = _saved(store)
    uncached = CachedS3Cassette(store, local_path=tmp_path, use_cache=False)
    requests.reset()
    assert uncached.get_recording(document.id or "") == document
    assert uncached.get_recording(document.id or "") == document
    assert requests.calls == {"GetObject": 2}
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_playbacks_arguments_name_the_bucket_and_refuse_writing(s3_client: Any, s3_bucket: str) -> None:
    document = make_document()
    S3Cassette(s3_bucket, "recordings", client=s3_client).save_recording(document)
    cache = CachedS3Cassette(bucket=s3_bucket, key_prefix="recordings", client=s3_client, read_only=True)
    assert cache.get_recording(document.id or "") == document
    with pytest.raises(ValueError, match="only reads"):
        CachedS3Cassette(bucket=s3_bucket, client=s3_client, read_only=False)
