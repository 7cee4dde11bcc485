"""Open a cassette from a location string (a directory or ``s3://bucket/prefix``) and replay from it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError
from .._playback import Playback
from .._recorder import Recorder
from ..cassettes import Cassette
from ._execution import resolved_callable
from ._studio import replay


def _public(name: str, needed_for: str) -> Any:
    import playback_dvd  # the front door, so every backend is found where users find it

    found = getattr(playback_dvd, name, None)
    if found is None:
        raise ConfigurationError(f"{needed_for} needs playback_dvd.{name}, which this installation lacks")
    return found


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
    return _public("LocalCassette", f"the directory {location}")(location)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=8)
def recorder_for(location: str) -> Recorder:
    """One `Recorder` per location and process (workers reuse theirs across replays)."""
    return Recorder(open_cassette(location))


def play_from_location(location: str, playback_function: str, recording_id: str) -> Playback:
    """``Recorder(open_cassette(location)).play(recording_id, <playback_function imported>)`` (``aplay`` on
    a fresh event loop when the function is ``async def``).

    A picklable player for worker processes: bind the first two arguments with ``functools.partial``.
    *playback_function* is a ``"module:function"`` reference the user gave (never text from a recording).
    """
    return replay(recorder_for(location), recording_id, resolved_callable(playback_function))
