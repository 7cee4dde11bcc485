"""S3Cassette against real S3 servers on 127.0.0.1 (moto server mode, SeaweedFS): storage, errors, options."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from playback_dvd import (
    ConfigurationError,
    DVDFormatError,
    PlaybackDVDError,
    ReadOnlyCassetteError,
    RecordingNotFound,
    S3AccessDenied,
    S3BucketNotFound,
    S3Cassette,
)
from playback_dvd.cassettes import parse_recording_id
from playback_dvd.formats._serialization import BINARY_MAGIC

from .._s3_servers import S3Server
from ._documents import make_document
from .conftest_s3 import RequestCounter


def _all_keys(client: Any, bucket: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))


@pytest.fixture
def s3_cassette(s3_client: Any, s3_bucket: str) -> S3Cassette:
    """An S3Cassette on a fresh bucket of the server under test."""
    return S3Cassette(s3_bucket, "recordings/prod", client=s3_client)


# -- storing and reading -----------------------------------------------------------------------------------


def test_saved_recording_reads_back_equal(s3_cassette: S3Cassette) -> None:
    document = make_document(order_id=42)
    s3_cassette.save_recording(document)
    assert s3_cassette.get_recording(document.id or "") == document


def test_metadata_reads_back_without_loading_the_dvd(s3_cassette: S3Cassette, s3_client: Any) -> None:
    document = make_document(order_id=42, customer="acme")
    s3_cassette.save_recording(document)
    requests = RequestCounter(s3_client)
    assert s3_cassette.get_recording_metadata(document.id or "") == document.metadata
    assert requests.calls == {"ListObjectsV2": 1}


def test_dvd_is_stored_in_binary_format_at_the_key_the_id_gives(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str
) -> None:
    document = make_document("Checkout")
    s3_cassette.save_recording(document)
    parts = parse_recording_id(document.id or "")
    assert parts is not None
    key = f"recordings/prod/Checkout/{parts.day:%Y/%m/%d}/{parts.unique}"
    stored = s3_client.get_object(Bucket=s3_bucket, Key=key)["Body"].read()
    assert stored.startswith(BINARY_MAGIC)


def test_dvd_is_written_before_its_index_entry(s3_cassette: S3Cassette, s3_client: Any) -> None:
    puts: list[str] = []
    s3_client.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, **_: puts.append(params["Key"])
    )
    s3_cassette.save_recording(make_document())
    assert len(puts) == 2
    assert "/index/" not in puts[0]
    assert "/index/" in puts[1]


def test_unknown_id_raises_recording_not_found(s3_cassette: S3Cassette) -> None:
    missing = make_document().id or ""
    with pytest.raises(RecordingNotFound, match="s3://"):
        s3_cassette.get_recording(missing)
    with pytest.raises(RecordingNotFound):
        s3_cassette.get_recording_metadata(missing)
    with pytest.raises(RecordingNotFound):
        s3_cassette.get_recording("not an id")


def test_corrupt_stored_dvd_raises_format_error_naming_the_key(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str
) -> None:
    document = make_document()
    s3_cassette.save_recording(document)
    key = s3_cassette.layout.dvd_key(parse_recording_id(document.id or ""))  # type: ignore[arg-type]
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=b"garbage")
    with pytest.raises(DVDFormatError, match=key):
        s3_cassette.get_recording(document.id or "")


def test_saving_again_under_the_same_id_replaces_the_recording(s3_cassette: S3Cassette) -> None:
    first = make_document(version=1)
    second = make_document(version=2)
    second = type(second)(
        interactions=second.interactions, id=first.id, category=first.category, metadata=second.metadata
    )
    s3_cassette.save_recording(first)
    s3_cassette.save_recording(second)
    assert list(s3_cassette.iter_recording_ids("Checkout")) == [first.id]
    assert s3_cassette.get_recording_metadata(first.id or "")["version"] == 2
    assert list(s3_cassette.iter_recording_ids("Checkout", metadata={"version": 1})) == []
    assert s3_cassette.get_recording(first.id or "") == second


def test_deleted_recording_is_gone_from_reads_and_searches(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str
) -> None:
    document = make_document()
    s3_cassette.save_recording(document)
    s3_cassette.delete_recording(document.id or "")
    with pytest.raises(RecordingNotFound):
        s3_cassette.get_recording(document.id or "")
    assert list(s3_cassette.iter_recording_ids("Checkout")) == []
    assert _all_keys(s3_client, s3_bucket) == []
    s3_cassette.delete_recording(document.id or "")  # deleting twice is not an error


def test_metadata_too_large_for_a_key_name_goes_to_its_own_object(s3_cassette: S3Cassette) -> None:
    big = {f"field_{index}": f"value {index} " * 8 for index in range(60)}
    document = make_document(**big)
    s3_cassette.save_recording(document)
    assert s3_cassette.get_recording_metadata(document.id or "") == document.metadata
    found = s3_cassette.iter_recording_ids("Checkout", metadata={"field_7": "value 7 *"})
    assert list(found) == [document.id]
    s3_cassette.delete_recording(document.id or "")
    assert list(s3_cassette.iter_recording_ids("Checkout")) == []


def test_prefixes_keep_cassettes_in_one_bucket_apart(s3_client: Any, s3_bucket: str) -> None:
    production = S3Cassette(s3_bucket, "prod", client=s3_client)
    staging = S3Cassette(s3_bucket, "/staging/", client=s3_client)
    document = make_document()
    production.save_recording(document)
    assert list(staging.iter_recording_ids("Checkout")) == []
    with pytest.raises(RecordingNotFound):
        staging.get_recording(document.id or "")
    assert list(production.iter_recording_ids("Checkout")) == [document.id]


def test_key_prefix_with_an_empty_segment_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="empty segment"):
        S3Cassette("bucket", "a//b", client=object())


def test_document_without_a_valid_id_is_refused(s3_cassette: S3Cassette) -> None:
    document = make_document()
    with pytest.raises(ValueError, match="needs an id"):
        s3_cassette.save_recording(type(document)(id=None))
    with pytest.raises(ValueError, match="is not a recording id: expected"):
        s3_cassette.save_recording(type(document)(id="Checkout/yesterday/1"))


def test_cassette_made_from_an_endpoint_url_uses_the_environment_credentials(
    s3_server: S3Server, s3_bucket: str
) -> None:
    with S3Cassette(s3_bucket, endpoint_url=s3_server.endpoint_url, region="us-east-1") as s3_cassette:
        document = make_document()
        s3_cassette.save_recording(document)
        assert s3_cassette.get_recording(document.id or "") == document


# -- errors ------------------------------------------------------------------------------------------------


def test_missing_bucket_is_a_clear_error_for_reads_writes_and_searches(s3_client: Any) -> None:
    s3_cassette = S3Cassette("pbdvd-no-such-bucket", client=s3_client)
    document = make_document()
    with pytest.raises(S3BucketNotFound, match="s3://pbdvd-no-such-bucket/") as error:
        s3_cassette.get_recording(document.id or "")
    assert error.value.bucket == "pbdvd-no-such-bucket"
    assert "create the bucket" in str(error.value)
    with pytest.raises(S3BucketNotFound):
        s3_cassette.save_recording(document)
    with pytest.raises(S3BucketNotFound):
        list(s3_cassette.iter_recording_ids("Checkout"))
    assert isinstance(error.value, PlaybackDVDError)


@pytest.mark.parametrize("s3_server", ["seaweedfs"], indirect=True)  # moto accepts any credentials
def test_wrong_credentials_are_access_denied_naming_the_bucket(s3_server: S3Server, s3_bucket: str) -> None:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id="playback-dvd-test", aws_secret_access_key="wrong", region_name="us-east-1"
    )
    client = session.client(
        "s3", endpoint_url=s3_server.endpoint_url, config=Config(retries={"max_attempts": 1})
    )
    s3_cassette = S3Cassette(s3_bucket, client=client)
    with pytest.raises(S3AccessDenied, match=s3_bucket) as error:
        s3_cassette.save_recording(make_document())
    assert error.value.code == "SignatureDoesNotMatch"
    with pytest.raises(S3AccessDenied):
        list(s3_cassette.iter_recording_ids("Checkout"))


# -- options -----------------------------------------------------------------------------------------------


def test_read_only_cassette_refuses_writes_and_leaves_the_bucket_as_it_was(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str
) -> None:
    document = make_document()
    s3_cassette.save_recording(document)
    before = _all_keys(s3_client, s3_bucket)
    reader = S3Cassette(s3_bucket, "recordings/prod", client=s3_client, read_only=True)
    with pytest.raises(ReadOnlyCassetteError, match="read-only"):
        reader.save_recording(make_document())
    with pytest.raises(ReadOnlyCassetteError, match="delete_recording"):
        reader.delete_recording(document.id or "")
    assert _all_keys(s3_client, s3_bucket) == before
    assert reader.get_recording(document.id or "") == document


def test_transient_cassette_deletes_what_it_wrote_on_close_and_nothing_else(
    s3_cassette: S3Cassette, s3_client: Any, s3_bucket: str
) -> None:
    kept = make_document()
    s3_cassette.save_recording(kept)
    before = _all_keys(s3_client, s3_bucket)
    transient = S3Cassette(s3_bucket, "recordings/prod", client=s3_client, transient=True)
    for order_id in range(3):
        transient.save_recording(make_document(order_id=order_id, padding="x" * 900))
    assert len(_all_keys(s3_client, s3_bucket)) > len(before)
    transient.close()
    assert _all_keys(s3_client, s3_bucket) == before
    transient.close()  # closing twice is harmless


def test_transient_and_read_only_together_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="transient"):
        S3Cassette("bucket", client=object(), transient=True, read_only=True)


def test_dvds_above_the_threshold_are_stored_as_standard_ia(s3_client: Any, s3_bucket: str) -> None:
    s3_cassette = S3Cassette(s3_bucket, client=s3_client, infrequent_access_kb_threshold=4)
    small, large = make_document(body_size=100), make_document(body_size=8 * 1024)
    s3_cassette.save_recording(small)
    s3_cassette.save_recording(large)

    def storage_class(document: Any) -> str:
        key = s3_cassette.layout.dvd_key(parse_recording_id(document.id))  # type: ignore[arg-type]
        return str(s3_client.head_object(Bucket=s3_bucket, Key=key).get("StorageClass", "STANDARD"))

    assert storage_class(large) == "STANDARD_IA"
    assert storage_class(small) == "STANDARD"


def test_sampling_calculator_sees_category_size_and_document(s3_client: Any, s3_bucket: str) -> None:
    seen: list[tuple[str, int, Any]] = []

    def keep_all(category: str, size: int, document: Any) -> float:
        seen.append((category, size, document))
        return 1.0

    document = make_document("Billing")
    S3Cassette(s3_bucket, client=s3_client, sampling_calculator=keep_all).save_recording(document)
    assert len(seen) == 1
    category, size, seen_document = seen[0]
    assert (category, seen_document) == ("Billing", document)
    key = f"Billing/{parse_recording_id(document.id or '').day:%Y/%m/%d}/"  # type: ignore[union-attr]
    stored = [k for k in _all_keys(s3_client, s3_bucket) if k.startswith(key)]
    assert size == s3_client.head_object(Bucket=s3_bucket, Key=stored[0])["ContentLength"]


def test_recordings_dropped_by_sampling_leave_nothing_behind(s3_client: Any, s3_bucket: str) -> None:
    s3_cassette = S3Cassette(s3_bucket, client=s3_client, sampling_calculator=lambda category, size, doc: 0.0)
    for _ in range(5):
        s3_cassette.save_recording(make_document())
    assert _all_keys(s3_client, s3_bucket) == []
    assert list(s3_cassette.iter_recording_ids("Checkout")) == []
    assert s3_cassette.dropped_by_sampling == 5


def test_sampling_keeps_about_the_ratio_asked(s3_client: Any, s3_bucket: str) -> None:
    s3_cassette = S3Cassette(s3_bucket, client=s3_client, sampling_calculator=lambda category, size, doc: 0.5)
    for _ in range(40):
        s3_cassette.save_recording(make_document())
    kept = len(list(s3_cassette.iter_recording_ids("Checkout")))
    assert kept + s3_cassette.dropped_by_sampling == 40
    assert 5 <= kept <= 35  # binomial(40, 0.5): outside this range once in ~10 million runs


@pytest.mark.parametrize("ratio", ["0.5", None, float("nan")])
def test_sampling_calculator_returning_a_non_number_is_a_configuration_error(
    s3_client: Any, s3_bucket: str, ratio: Any
) -> None:
    s3_cassette = S3Cassette(
        s3_bucket, client=s3_client, sampling_calculator=lambda category, size, doc: ratio
    )
    with pytest.raises(ConfigurationError, match="sampling_calculator"):
        s3_cassette.save_recording(make_document())
    assert _all_keys(s3_client, s3_bucket) == []


# -- many writers ------------------------------------------------------------------------------------------


def test_twenty_threads_saving_at_once_lose_nothing(s3_cassette: S3Cassette) -> None:
    saved: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def writer(thread_index: int) -> None:
        try:
            start.wait()
            for round_index in range(5):
                document = make_document(thread=thread_index, round=round_index)
                s3_cassette.save_recording(document)
                saved.append(document.id or "")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(s3_cassette.iter_recording_ids("Checkout")) == sorted(saved)
    assert len(saved) == 100
    for recording_id in saved[::10]:
        assert s3_cassette.get_recording(recording_id).id == recording_id
