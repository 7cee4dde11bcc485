"""playback's ``CachedReadOnlyS3TapeCassette``: over a playback_dvd `CachedS3Cassette`."""

from __future__ import annotations

import os
from typing import Any

from .....cassettes._cached_s3 import CachedS3Cassette
from ...tape_cassette import TapeCassette


class CachedReadOnlyS3TapeCassette(TapeCassette):
    """Reads recordings from S3 through a local cache directory (read-only, as in playback).

    Args:
        bucket: The bucket.
        key_prefix: A prefix for every key.
        region: The AWS region.
        transient: Accepted for compatibility (a read-only cassette deletes nothing).
        read_only: Must be True (ValueError otherwise, as in playback).
        infrequent_access_kb_threshold: Accepted for compatibility (nothing is written).
        sampling_calculator: Accepted for compatibility (nothing is written).
        local_path: The cache directory (default: playback_dvd's per-user cache directory).
        use_cache: False to read everything from S3 and cache nothing.
        client: A boto3 S3 client to use (default: a new one).
    """

    def __init__(
        self,
        bucket: str,
        key_prefix: str = "",
        region: str | None = None,
        transient: bool = False,
        read_only: bool = True,
        infrequent_access_kb_threshold: float | None = None,
        sampling_calculator: Any = None,
        local_path: str | os.PathLike[str] | None = None,
        use_cache: bool = True,
        client: Any = None,
    ) -> None:
        super().__init__(
            CachedS3Cassette(
                bucket=bucket,
                key_prefix=key_prefix,
                region=region,
                client=client,
                local_path=local_path,
                read_only=read_only,
                use_cache=use_cache,
            )
        )
