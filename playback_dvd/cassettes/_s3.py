"""`S3Cassette`: recordings in an S3 bucket, for a fleet of recorders; searched by listing, not by GETs.

The key layout and why a search costs one ListObjectsV2 per 1,000 recordings are in `_s3_layout` and
``docs/s3.md``. This module does the I/O: boto3 is imported here (and by `_cached_s3`) only.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from .._errors import (
    ConfigurationError,
    DVDFormatError,
    MissingDependencyError,
    ReadOnlyCassetteError,
    RecordingNotFound,
    S3Error,
)
from .._models import DVDDocument
from ..formats._decoding import check_size
from ..formats._limits import DEFAULT_LIMITS, LoadLimits
from ..formats._metadata import loads_metadata
from ..formats._serialization import dumps, loads
from ._closing import ClosedOnExit
from ._ids import (
    RecordingIdParts,
    check_document_for_saving,
    parse_recording_id,
    recording_id_parts_or_not_found,
)
from ._s3_errors import NOT_FOUND_CODES, error_from
from ._s3_layout import (
    EXTERNAL,
    IndexEntry,
    S3Layout,
    decode_metadata,
    encode_metadata,
    normalize_prefix,
)
from ._search import as_utc, check_limit, in_window, metadata_matches, recorded_at_of

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as _error:  # pragma: no cover  # the s3 extra is not installed
    raise MissingDependencyError(
        "the S3 cassettes need boto3: install playback-dvd with the s3 extra (pip install 'playback-dvd[s3]')"
    ) from _error

logger = logging.getLogger("playback_dvd.cassettes")

SamplingCalculator = Callable[[str, int, DVDDocument], float]
"""``(category, size_bytes, document) -> ratio``: the share (0..1) of such recordings to keep."""

_KEYED_OPERATIONS = frozenset({"PutObject", "GetObject", "HeadObject", "DeleteObject"})
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


def client_config() -> Any:
    """The botocore `Config` the S3 cassettes use: standard retry mode, a pool for many writer threads."""
    return Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=50)


class S3Cassette(ClosedOnExit):
    """A cassette in an S3 bucket: many service instances record into it, developers and CI read from it.

    Each recording is a DVD in the binary format at a key derived from its id, written before a small
    index entry whose name carries the recording's metadata; a search lists index entries only, so finding
    10 matches among 10,000 recordings of 10 days costs 13 ListObjectsV2 requests, not 10,000 GETs. See
    ``docs/s3.md`` for the layout, the IAM permissions and the cost of each operation.

    Thread safe: one instance may be shared by every thread of a service (the boto3 client is). A
    `Recorder` saves to it from a background thread by default (`saves_remotely`).

    Args:
        bucket: The bucket name (it must exist).
        key_prefix: Where in the bucket (``"recordings/prod"``); slashes at either end do not matter.
        client: A ready boto3 S3 client (to reuse one, or point at a local server). It is not closed by
            `close`. Without it, one is made from *endpoint_url*, *region* and the environment's
            credentials, with botocore's standard retry mode.
        endpoint_url: An S3-compatible endpoint (path-style addressing is used with it).
        region: The AWS region of the bucket.
        read_only: Refuse `save_recording` and `delete_recording` (`ReadOnlyCassetteError`).
        transient: Delete everything this instance wrote when it is closed (for tests and staging).
        infrequent_access_kb_threshold: DVDs of at least this many KiB are stored as ``STANDARD_IA``.
        sampling_calculator: ``(category, size_bytes, document) -> ratio``, a second sampling stage that
            sees the serialized size: the recording is kept with probability *ratio*; a dropped one leaves
            nothing in the bucket.
        load_limits: The bounds of what is read (`LoadLimits`): an object larger than
            ``load_limits.max_bytes`` is not downloaded past that size.

    Raises:
        ConfigurationError: An empty bucket name, a key prefix with an empty segment, or transient with
            read_only.
    """

    #: Saving goes over the network: a `Recorder` saves in the background unless told otherwise.
    saves_remotely = True

    def __init__(
        self,
        bucket: str,
        key_prefix: str = "",
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        region: str | None = None,
        read_only: bool = False,
        transient: bool = False,
        infrequent_access_kb_threshold: float | None = None,
        sampling_calculator: SamplingCalculator | None = None,
        load_limits: LoadLimits = DEFAULT_LIMITS,
    ) -> None:
        if not bucket:
            raise ConfigurationError("S3Cassette needs a bucket name")
        if transient and read_only:
            raise ConfigurationError(
                "a transient S3Cassette deletes what it wrote, so it cannot be read_only"
            )
        self.bucket = bucket
        self.layout = S3Layout(normalize_prefix(key_prefix))
        self.read_only = read_only
        self.transient = transient
        self.infrequent_access_kb_threshold = infrequent_access_kb_threshold
        self.sampling_calculator = sampling_calculator
        self.load_limits = load_limits
        self.dropped_by_sampling = 0
        """How many recordings the sampling calculator dropped."""
        self._owns_client = client is None
        if client is None:
            options: dict[str, Any] = {"region_name": region, "config": client_config()}
            if endpoint_url:
                options["endpoint_url"] = endpoint_url
                options["config"] = client_config().merge(Config(s3={"addressing_style": "path"}))
            client = boto3.session.Session().client("s3", **options)
        self.client: Any = client
        """The boto3 S3 client in use."""
        self._random = random.Random()
        self._lock = threading.Lock()
        self._last_stamp = 0
        self._written: list[str] = []
        self._closed = False

    @property
    def location(self) -> str:
        """The cassette as ``s3://bucket/prefix``, for messages."""
        return f"s3://{self.bucket}/{self.layout.prefix}"

    def __repr__(self) -> str:
        return f"S3Cassette({self.location!r}{', read_only' if self.read_only else ''})"

    # -- writing -------------------------------------------------------------------------------------------

    def save_recording(self, document: DVDDocument) -> None:
        """Store *document*: the DVD first, then its index entry (so a search never finds a half save).

        Raises:
            ReadOnlyCassetteError: The cassette is read-only.
            ValueError: The document has no id, or one not made by `new_recording_id`.
            TypeError: The metadata is not plain JSON data.
            S3Error: S3 refused (`S3BucketNotFound`, `S3AccessDenied`, `S3Throttled`...).
            ConfigurationError: The sampling calculator raised or returned something other than a number.
        """
        self._check_writable("save_recording")
        parts = check_document_for_saving(document)
        payload = dumps(document, binary=True)
        if self.sampling_calculator is not None and not self._keep(document, parts, len(payload)):
            return
        stamp = self._next_stamp()
        kind, inline, metadata_json = encode_metadata(document.metadata)
        recorded_at = recorded_at_of(document.metadata, parts)
        index_key = self.layout.index_key(parts, stamp, recorded_at, kind, inline)
        if index_key is None:  # too long for a key name: the metadata gets its own object
            kind = EXTERNAL
            index_key = self.layout.index_key(parts, stamp, recorded_at, EXTERNAL, "")
            if index_key is None:
                raise ConfigurationError(f"the key prefix {self.layout.prefix!r} is too long for S3 keys")
        dvd_key = self.layout.dvd_key(parts)
        extra: dict[str, Any] = {}
        threshold = self.infrequent_access_kb_threshold
        if threshold is not None and len(payload) >= threshold * 1024:
            extra["StorageClass"] = "STANDARD_IA"
        self._call("PutObject", dvd_key, Body=payload, ContentType="application/octet-stream", **extra)
        self._remember(dvd_key)
        if kind == EXTERNAL:
            metadata_key = self.layout.metadata_key(parts, stamp)
            self._call("PutObject", metadata_key, Body=metadata_json, ContentType="application/json")
            self._remember(metadata_key)
        self._call("PutObject", index_key, Body=b"")
        self._remember(index_key)

    def delete_recording(self, recording_id: str) -> None:
        """Remove a recording: its index entries first (searches stop finding it), then the DVD.

        Raises:
            ReadOnlyCassetteError: The cassette is read-only.
            S3Error: S3 refused.
        """
        self._check_writable("delete_recording")
        parts = parse_recording_id(recording_id)
        if parts is None:
            return
        entries = list(self._list_entries(self.layout.index_prefix_of(parts)))
        keys = [entry_key for entry, entry_key in entries]
        keys += [
            self.layout.metadata_key(parts, entry.stamp) for entry, _ in entries if entry.kind == EXTERNAL
        ]
        self._delete_keys(keys)
        self._delete_keys([self.layout.dvd_key(parts)])

    def close(self) -> None:
        """Delete what this instance wrote when it is transient; close the client it made. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            written, self._written = self._written, []
        try:
            if self.transient:
                # Index entries first, so that a concurrent search never finds a deleted DVD.
                written.sort(key=lambda key: self.layout.parse_index_key(key) is None)
                self._delete_keys(list(dict.fromkeys(written)))
        finally:
            if self._owns_client:
                self.client.close()

    # -- reading -------------------------------------------------------------------------------------------

    def get_recording(self, recording_id: str) -> DVDDocument:
        """The recording with this id: one GET.

        Raises:
            RecordingNotFound: No such recording.
            DVDFormatError: The stored object is not a readable DVD.
            S3Error: S3 refused.
        """
        key = self._dvd_key_of(recording_id)
        return loads(self._get_dvd(recording_id, key), f"s3://{self.bucket}/{key}", limits=self.load_limits)

    def get_recording_bytes(self, recording_id: str) -> bytes:
        """The stored DVD of a recording, as bytes (binary format): one GET.

        Raises:
            RecordingNotFound: No such recording.
            DVDFormatError: The object is larger than ``load_limits.max_bytes`` (it is not read past that).
            S3Error: S3 refused.
        """
        return self._get_dvd(recording_id, self._dvd_key_of(recording_id))

    def _dvd_key_of(self, recording_id: str) -> str:
        return self.layout.dvd_key(recording_id_parts_or_not_found(recording_id, self.location))

    def _get_dvd(self, recording_id: str, key: str) -> bytes:
        try:
            body = self._call("GetObject", key)["Body"]
        except S3Error as error:
            if error.code in NOT_FOUND_CODES:
                raise RecordingNotFound(recording_id, self.location) from None
            raise
        try:
            # Never more than the limit in memory, whatever the object's size.
            payload = bytes(body.read(self.load_limits.max_bytes + 1))
        finally:
            body.close()
        check_size(len(payload), f"s3://{self.bucket}/{key}", self.load_limits)
        return payload

    def get_recording_metadata(self, recording_id: str) -> Mapping[str, Any]:
        """The metadata of a recording, from its index entry: one LIST (plus a GET if it is very large).

        Raises:
            RecordingNotFound: No such recording (or its save did not finish).
            S3Error: S3 refused.
        """
        parts = recording_id_parts_or_not_found(recording_id, self.location)
        entries = (entry for entry, _ in self._list_entries(self.layout.index_prefix_of(parts)))
        latest = max(entries, key=lambda entry: entry.stamp, default=None)
        metadata = None if latest is None else self._metadata_of(latest)
        if metadata is None:
            raise RecordingNotFound(recording_id, self.location)
        return metadata

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        """Ids of the recordings of *category* in [start_date, end_date) whose metadata match, newest first.

        Lists the category's index one day at a time, newest day first (one ListObjectsV2 per 1,000
        recordings of a day, plus a few to find which days exist, plus one per 1,000 DVDs of a day that has
        a match, to skip, with a warning, an index entry whose DVD is gone), lazily: it stops as soon as
        *limit* ids were found. Metadata is read from the key names. The window is checked on the
        ``recorded_at`` metadata (else the id's day).

        Raises:
            ConfigurationError: *limit* is negative.
            S3Error: S3 refused (raised while iterating).
        """
        check_limit(limit)  # here, not in the generator: a bad limit fails at the call, not at first next()
        return islice(self._search(category, start_date, end_date, metadata), limit)

    def iter_categories(self) -> Iterator[str]:
        """The categories under the prefix (one ListObjectsV2 with a delimiter per 1,000), sorted.

        Raises:
            S3Error: S3 refused.
        """
        return iter(self._child_names(self.layout.prefix, reverse=False))

    def _search(
        self,
        category: str,
        start_date: datetime | None,
        end_date: datetime | None,
        metadata: Mapping[str, Any] | None,
    ) -> Iterator[str]:
        # The id's day and recorded_at may straddle midnight: look at one more day on each side.
        first_day = None if start_date is None else as_utc(start_date).date() - timedelta(days=1)
        last_day = None if end_date is None else as_utc(end_date).date() + timedelta(days=1)
        for day in self._days_newest_first(category, first_day, last_day):
            latest: dict[str, IndexEntry] = {}
            for entry, _ in self._list_entries(self.layout.index_day(category, day)):
                kept = latest.get(entry.recording_id)
                if kept is None or entry.stamp > kept.stamp:  # saved again under the same id: latest wins
                    latest[entry.recording_id] = entry
            newest_first = sorted(
                latest.values(), key=lambda entry: (entry.recorded_micros, entry.recording_id), reverse=True
            )
            stored: set[str] | None = None  # listed once per day, when the first match needs it
            for entry in newest_first:
                if not self._selected(entry, start_date, end_date, metadata):
                    continue
                if stored is None:
                    stored = self._stored_uniques(category, day)
                if entry.parts.unique not in stored:
                    logger.warning(
                        "playback_dvd: skipping %s in %s: its index entry is there, its DVD is gone "
                        "(a lifecycle rule or a partial delete?)",
                        entry.recording_id,
                        self.location,
                    )
                    continue
                yield entry.recording_id

    def _stored_uniques(self, category: str, day: date) -> set[str]:
        """The unique parts of the DVDs stored for *day*: one ListObjectsV2 per 1,000 recordings."""
        prefix = self.layout.dvd_day(category, day)
        uniques: set[str] = set()
        params: dict[str, Any] = {"Prefix": prefix, "MaxKeys": 1000}
        while True:
            page = self._call("ListObjectsV2", prefix, **params)
            uniques.update(item["Key"][len(prefix) :] for item in page.get("Contents", ()))
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return uniques
            params["ContinuationToken"] = token

    def _days_newest_first(self, category: str, first: date | None, last: date | None) -> Iterator[date]:
        """The days that have index entries, in [first, last], newest first: a LIST per year and month."""
        root = self.layout.index_root(category)
        for year in self._child_names(root, reverse=True):
            if not _in_range(year, first, last, "%Y"):
                continue
            for month in self._child_names(f"{root}{year}/", reverse=True):
                if not _in_range(f"{year}/{month}", first, last, "%Y/%m"):
                    continue
                for day_name in self._child_names(f"{root}{year}/{month}/", reverse=True):
                    try:
                        day = date(int(year), int(month), int(day_name))
                    except ValueError:  # a foreign "folder" under the index: not ours
                        continue
                    if (first is None or day >= first) and (last is None or day <= last):
                        yield day

    def _child_names(self, prefix: str, *, reverse: bool) -> list[str]:
        """The names of the "folders" right under *prefix* (ListObjectsV2 with a delimiter)."""
        names: list[str] = []
        params: dict[str, Any] = {"Prefix": prefix, "Delimiter": "/", "MaxKeys": 1000}
        while True:
            page = self._call("ListObjectsV2", prefix, **params)
            names += [item["Prefix"][len(prefix) :].rstrip("/") for item in page.get("CommonPrefixes", ())]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return sorted(names, reverse=reverse)
            params["ContinuationToken"] = token

    # -- internals -----------------------------------------------------------------------------------------

    def _selected(
        self,
        entry: IndexEntry,
        start_date: datetime | None,
        end_date: datetime | None,
        wanted: Mapping[str, Any] | None,
    ) -> bool:
        if (start_date or end_date) and not in_window(entry.recorded_at, start_date, end_date):
            return False
        if not wanted:
            return True
        recorded = self._metadata_of(entry)
        if recorded is None:  # an unreadable entry, or its metadata object is gone: not a usable recording
            return False
        return metadata_matches(recorded, wanted)

    def _metadata_of(self, entry: IndexEntry) -> dict[str, Any] | None:
        if entry.kind != EXTERNAL:
            return decode_metadata(entry.kind, entry.payload)
        key = self.layout.metadata_key(entry.parts, entry.stamp)
        try:
            body = self._call("GetObject", key)["Body"]
        except S3Error as error:
            if error.code in NOT_FOUND_CODES:
                return None
            raise
        source = f"s3://{self.bucket}/{key}"
        try:
            payload = bytes(body.read(self.load_limits.max_bytes + 1))
        finally:
            body.close()
        try:
            return loads_metadata(payload, source, limits=self.load_limits)
        except DVDFormatError as error:
            logger.warning("playback_dvd: skipping a recording whose metadata is unreadable: %s", error)
            return None

    def _list_entries(self, prefix: str) -> Iterator[tuple[IndexEntry, str]]:
        """Index entries under *prefix*, in key order, one ListObjectsV2 page (1,000 keys) at a time."""
        params: dict[str, Any] = {"Prefix": prefix, "MaxKeys": 1000}
        while True:
            page = self._call("ListObjectsV2", prefix, **params)
            for item in page.get("Contents", ()):
                entry = self.layout.parse_index_key(item["Key"])
                if entry is not None:
                    yield entry, item["Key"]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return
            params["ContinuationToken"] = token

    def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = keys[start : start + _DELETE_BATCH]
            response = self._call(
                "DeleteObjects", batch[0], Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
            )
            for failure in response.get("Errors", ()):
                raise S3Error(
                    bucket=self.bucket,
                    key=str(failure.get("Key", "")),
                    operation="DeleteObjects",
                    code=str(failure.get("Code", "")),
                    message=str(failure.get("Message", "")),
                )

    def _call(self, operation: str, key: str, **params: Any) -> Any:
        method = getattr(self.client, _snake(operation))
        try:
            if operation in _KEYED_OPERATIONS:
                params["Key"] = key
            return method(Bucket=self.bucket, **params)
        except (ClientError, BotoCoreError) as error:
            raise error_from(error, bucket=self.bucket, key=key, operation=operation) from error

    def _check_writable(self, operation: str) -> None:
        if self.read_only:
            raise ReadOnlyCassetteError(self.location, operation)

    def _keep(self, document: DVDDocument, parts: RecordingIdParts, size: int) -> bool:
        assert self.sampling_calculator is not None
        calculator = self.sampling_calculator
        category = document.category or parts.category
        try:
            ratio = calculator(category, size, document)
        except Exception as error:
            raise ConfigurationError(f"sampling_calculator {calculator!r} raised {error!r}") from error
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or math.isnan(ratio):
            raise ConfigurationError(
                f"sampling_calculator {calculator!r} returned {ratio!r}; it must return a number in [0, 1]"
            )
        if ratio >= 1 or (ratio > 0 and self._random.random() < ratio):
            return True
        with self._lock:
            self.dropped_by_sampling += 1
        return False

    def _next_stamp(self) -> int:
        with self._lock:
            self._last_stamp = max(time.time_ns(), self._last_stamp + 1)
            return self._last_stamp

    def _remember(self, key: str) -> None:
        if self.transient:
            with self._lock:
                self._written.append(key)


def _in_range(name: str, first: date | None, last: date | None, layout: str) -> bool:
    """Whether the year (or year/month) *name* overlaps [first, last]."""
    if not name.replace("/", "").isdigit():
        return False
    if first is not None and name < first.strftime(layout):
        return False
    return not (last is not None and name > last.strftime(layout))


def _snake(operation: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in operation).lstrip("_")
