"""`CachedS3Cassette`: a read-only, read-through local cache of an `S3Cassette`, for developers and CI."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError, DVDFormatError, ReadOnlyCassetteError
from .._models import DVDDocument
from ..formats._files import atomic_write, read_bytes_or_none
from ..formats._limits import DEFAULT_LIMITS, LoadLimits
from ..formats._metadata import loads_metadata
from ..formats._serialization import loads
from ..formats._suffixes import BINARY_SUFFIX
from ._closing import ClosedOnExit
from ._s3 import S3Cassette

logger = logging.getLogger("playback_dvd.cassettes")

_SUFFIXES = (BINARY_SUFFIX, ".meta.json")


def default_cache_directory() -> Path:
    """``$XDG_CACHE_HOME/playback_dvd/s3``, else ``~/.cache/playback_dvd/s3``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "playback_dvd" / "s3"


def _digest(*parts: str) -> str:
    # Hashing the whole bucket/prefix/id (NUL-separated, so no two different triples meet) keeps every path
    # safe and distinct, whatever the names hold: no substring rules decide where a file goes.
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class CachedS3Cassette(ClosedOnExit):
    """Read recordings from S3 through a local cache directory: each DVD is downloaded once.

    Read-only: recordings are immutable once saved (a new recording gets a new id), so a cached copy never
    goes stale. Files are written atomically; a corrupt cached file is detected on load and replaced from
    S3. With *max_size_bytes*, the least recently used files are evicted to stay under the cap. Searches go
    to S3, and their results are reused for *listing_ttl_seconds*.

    Args:
        source: An `S3Cassette` to read through (not closed by `close`), or a bucket name: then a read-only
            `S3Cassette` is made with *key_prefix*, *client*, *endpoint_url* and *region*.
        key_prefix: See `S3Cassette` (only with a bucket name).
        client: See `S3Cassette` (only with a bucket name).
        endpoint_url: See `S3Cassette` (only with a bucket name).
        region: See `S3Cassette` (only with a bucket name).
        load_limits: See `S3Cassette` (only with a bucket name; a given cassette's limits apply to what
            is read through it, the cached files included).
        local_path: The cache directory (default: `default_cache_directory`). Several cassettes may share
            it: each bucket and prefix has its own subdirectory.
        max_size_bytes: Keep the cache of this bucket and prefix under this size (None: no cap). A
            recording larger than the cap is served but not kept.
        listing_ttl_seconds: How long the ids found by a search are reused (0: never).
        bucket: The bucket name, by keyword (playback's spelling): the same as a name given as *source*.
        read_only: Must be True (the cache never writes to S3); accepted for playback's callers.
        use_cache: False to bypass the cache: read from S3, keep nothing (e.g. to refresh a stale copy).

    Raises:
        ConfigurationError: Options for a new S3Cassette given with a ready one, no bucket,
            ``read_only=False``, or a negative size or TTL.
    """

    def __init__(
        self,
        source: S3Cassette | str | None = None,
        key_prefix: str = "",
        *,
        bucket: str | None = None,
        client: Any = None,
        endpoint_url: str | None = None,
        region: str | None = None,
        load_limits: LoadLimits | None = None,
        local_path: str | os.PathLike[str] | None = None,
        max_size_bytes: int | None = None,
        listing_ttl_seconds: float = 30.0,
        read_only: bool = True,
        use_cache: bool = True,
    ) -> None:
        if bucket is not None:
            if source is not None:
                raise ConfigurationError("give the bucket either as source or as bucket=, not both")
            source = bucket
        if source is None:
            raise ConfigurationError("CachedS3Cassette needs a bucket name (or an S3Cassette) to read from")
        if not read_only:
            raise ConfigurationError(
                "CachedS3Cassette only reads (read_only=False is refused, as in playback): save with an "
                "S3Cassette, and read through this cache"
            )
        self.use_cache = use_cache
        """False: every read goes to S3 and nothing is cached (playback's ``use_cache=False``)."""
        if isinstance(source, S3Cassette):
            if key_prefix or client is not None or endpoint_url or region or load_limits is not None:
                raise ConfigurationError(
                    "key_prefix, client, endpoint_url, region and load_limits go with a bucket name, "
                    "not a cassette"
                )
            self.s3, self._owns_s3 = source, False
        else:
            self.s3 = S3Cassette(
                source,
                key_prefix,
                client=client,
                endpoint_url=endpoint_url,
                region=region,
                read_only=True,
                load_limits=load_limits or DEFAULT_LIMITS,
            )
            self._owns_s3 = True
        if max_size_bytes is not None and max_size_bytes < 0:
            raise ConfigurationError(f"max_size_bytes must be positive, not {max_size_bytes}")
        if listing_ttl_seconds < 0:
            raise ConfigurationError(f"listing_ttl_seconds must be positive, not {listing_ttl_seconds}")
        root = Path(local_path) if local_path is not None else default_cache_directory()
        self.directory = root / _digest(self.s3.bucket, self.s3.layout.prefix)[:32]
        """Where this bucket and prefix are cached."""
        self.max_size_bytes = max_size_bytes
        self.listing_ttl_seconds = listing_ttl_seconds
        self._listings: dict[str, tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CachedS3Cassette({self.s3.location!r}, local_path={str(self.directory)!r})"

    # -- reading -------------------------------------------------------------------------------------------

    def get_recording(self, recording_id: str) -> DVDDocument:
        """The recording, from the cache when it holds a readable copy, else from S3 (then cached).

        Raises:
            RecordingNotFound: No such recording in S3.
            DVDFormatError: The object in S3 is not a readable DVD.
            S3Error: S3 refused.
        """
        path = self._path(recording_id, BINARY_SUFFIX)
        payload = self._read(path)
        if payload is not None:
            try:
                document = loads(payload, str(path), limits=self.s3.load_limits)
            except DVDFormatError as error:
                logger.warning("playback_dvd: corrupt cache file replaced from S3: %s", error)
            else:
                return document
        payload = self.s3.get_recording_bytes(recording_id)
        # Checked before it is kept.
        document = loads(payload, f"{self.s3.location} {recording_id}", limits=self.s3.load_limits)
        self._keep(path, payload)
        return document

    def get_recording_metadata(self, recording_id: str) -> Mapping[str, Any]:
        """The metadata of a recording, from the cache, else from S3's index (then cached).

        Raises:
            RecordingNotFound: No such recording in S3.
            S3Error: S3 refused.
        """
        path = self._path(recording_id, ".meta.json")
        payload = self._read(path)
        if payload is not None:
            try:
                return loads_metadata(payload, str(path), limits=self.s3.load_limits)
            except DVDFormatError as error:
                logger.warning("playback_dvd: corrupt cache file replaced from S3: %s", error)
        metadata = dict(self.s3.get_recording_metadata(recording_id))
        self._keep(path, json.dumps(metadata, sort_keys=True).encode("utf-8"))
        return metadata

    def iter_categories(self) -> Iterator[str]:
        """The categories under the prefix, asked of S3 (see `S3Cassette.iter_categories`)."""
        return self.s3.iter_categories()

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        """The ids an `S3Cassette` search finds; the same search within the listing TTL reuses them.

        Raises:
            S3Error: S3 refused.
        """
        search = json.dumps(
            _tagged([category, start_date, end_date, metadata, limit]), sort_keys=True, default=_search_value
        )
        now = time.monotonic()
        with self._lock:
            cached = self._listings.get(search)
        if cached is not None and cached[0] > now:
            return iter(cached[1])
        found = list(self.s3.iter_recording_ids(category, start_date, end_date, metadata, limit))
        if self.listing_ttl_seconds > 0:
            with self._lock:
                self._listings = {key: entry for key, entry in self._listings.items() if entry[0] > now}
                self._listings[search] = (now + self.listing_ttl_seconds, found)
        return iter(found)

    # -- refused writes, and the rest ----------------------------------------------------------------------

    def save_recording(self, document: DVDDocument) -> None:
        """Refused: the cache is read-only.

        Raises:
            ReadOnlyCassetteError: Always.
        """
        raise ReadOnlyCassetteError(
            self.s3.location, "save_recording", "CachedS3Cassette only reads; save to an S3Cassette"
        )

    def delete_recording(self, recording_id: str) -> None:
        """Refused: the cache is read-only.

        Raises:
            ReadOnlyCassetteError: Always.
        """
        raise ReadOnlyCassetteError(self.s3.location, "delete_recording", "CachedS3Cassette only reads")

    def clear(self) -> None:
        """Forget the cached searches and delete the cached files of this bucket and prefix."""
        with self._lock:
            self._listings.clear()
        for path, _, _ in self._cached_files():
            with contextlib.suppress(OSError):
                path.unlink()

    def close(self) -> None:
        """Close the `S3Cassette` this cache made (a given one is left open); the files stay."""
        if self._owns_s3:
            self.s3.close()

    # -- the files -----------------------------------------------------------------------------------------

    def _path(self, recording_id: str, suffix: str) -> Path:
        digest = _digest(recording_id)
        return self.directory / digest[:2] / f"{digest}{suffix}"

    def _read(self, path: Path) -> bytes | None:
        if not self.use_cache:
            return None
        try:
            payload = read_bytes_or_none(path, self.s3.load_limits)
        except DVDFormatError:  # unreadable, or grown past the limit: S3 answers
            return None
        if payload is None:  # not cached
            return None
        # Reading marks it recently used: eviction goes by access time, set here explicitly because many
        # file systems are mounted noatime/relatime.
        with contextlib.suppress(OSError):
            os.utime(path)
        return payload

    def _keep(self, path: Path, payload: bytes) -> None:
        if not self.use_cache:
            return
        if self.max_size_bytes is not None and len(payload) > self.max_size_bytes:
            return
        try:
            atomic_write(path, payload)
        except OSError as error:  # a full or read-only disk costs speed, never the answer
            logger.warning("playback_dvd: cannot write the S3 cache file %s: %s", path, error)
            return
        if self.max_size_bytes is not None:
            self._evict(self.max_size_bytes, keep=path)

    def _cached_files(self) -> list[tuple[Path, int, float]]:
        files = []
        for folder, _, names in os.walk(self.directory):
            for name in names:
                if name.endswith(_SUFFIXES) and not name.startswith("."):
                    path = Path(folder) / name
                    with contextlib.suppress(OSError):
                        status = path.stat()
                        files.append((path, status.st_size, status.st_atime))
        return files

    def _evict(self, cap: int, keep: Path) -> None:
        """Delete the least recently used files until under *cap*, except *keep* (just written)."""
        with self._lock:
            files = self._cached_files()
            total = sum(size for _, size, _ in files)
            for path, size, _ in sorted(files, key=lambda file: file[2]):
                if total <= cap:
                    return
                if path == keep:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                total -= size


def _tagged(value: Any) -> Any:
    """*value* with its tuples marked: JSON writes a tuple as a list, but a list filter means "any of" and
    a tuple does not, so the two searches must not share a cached listing."""
    if isinstance(value, tuple):
        return {"__tuple__": [_tagged(item) for item in value]}
    if isinstance(value, list):
        return [_tagged(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _tagged(item) for key, item in value.items()}
    return value


def _search_value(value: Any) -> str:
    if isinstance(value, (date, datetime)):  # date bounds mean midnight UTC, as in every cassette
        return f"{type(value).__name__}:{value.isoformat()}"
    raise ConfigurationError(f"a metadata filter value must be plain data, not {type(value).__name__}")
