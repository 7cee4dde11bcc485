"""Open a cassette from a location string: a directory (`LocalCassette`) or ``s3://bucket/prefix``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError
from ._protocol import Cassette

# Backends by name, imported only when a location needs them (boto3 is optional).
_BACKENDS = {"S3Cassette": "._s3", "LocalCassette": "._local"}


def _public(name: str, needed_for: str) -> Any:
    try:
        return getattr(importlib.import_module(_BACKENDS[name], __package__), name)
    except ImportError as error:  # the S3 backend without boto3: its message says which extra to install
        raise ConfigurationError(f"{needed_for}: {error}") from error


def open_cassette(location: str) -> Cassette:
    """The cassette at *location*: a directory (`LocalCassette`) or ``s3://bucket/prefix`` (`S3Cassette`).

    Raises:
        ConfigurationError: The directory does not exist, the S3 location has no bucket, or the backend
            (or boto3, for S3) is not installed.
    """
    if location.startswith("s3://"):
        bucket, _, prefix = location[len("s3://") :].partition("/")
        if not bucket:
            raise ConfigurationError(f"{location}: an S3 location looks like s3://bucket/prefix")
        s3_cassette = _public("S3Cassette", f"the S3 location {location}")
        try:
            # Read-only: listing, showing and comparing never write. The endpoint and credentials come from
            # boto3's usual sources (AWS_ENDPOINT_URL, AWS_PROFILE...).
            return s3_cassette(bucket, prefix.strip("/"), read_only=True)  # type: ignore[no-any-return]
        except ImportError as error:
            raise ConfigurationError(
                f"{location}: S3 needs boto3 (pip install 'playback-dvd[s3]'): {error}"
            ) from error
    if not Path(location).is_dir():
        raise ConfigurationError(f"{location}: no such directory")
    # Opening a location only reads until something is saved: a mistyped path must not become a directory.
    return _public("LocalCassette", f"the directory {location}")(location, create=False)  # type: ignore[no-any-return]
