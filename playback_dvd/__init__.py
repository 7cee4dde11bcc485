"""playback_dvd: record what a service operation does (HTTP, inputs, outputs) and replay it anywhere."""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._dvd import DVD, RecordMode
from ._errors import (
    ConfigurationError,
    DVDFormatError,
    PlaybackDVDError,
    ReplayedException,
    UnmatchedRequestError,
    UnsupportedSchemaVersion,
)
from ._matching import DEFAULT_MATCH_ON, register_matcher, unregister_matcher
from ._models import ExceptionInfo, Interaction, Output, Request, Response
from ._playback import Playback
from ._use_dvd import use_dvd
from .cassettes import Cassette, LocalCassette, MemoryCassette, RecordingNotFound
from .cassettes._s3_errors import (
    MissingDependencyError,
    ReadOnlyCassetteError,
    S3AccessDenied,
    S3BucketNotFound,
    S3Error,
    S3Throttled,
)

if _TYPE_CHECKING:
    from .cassettes._cached_s3 import CachedS3Cassette
    from .cassettes._s3 import S3Cassette

try:
    __version__ = _version("playback-dvd")
except _PackageNotFoundError:  # pragma: no cover  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "CachedS3Cassette",
    "Cassette",
    "ConfigurationError",
    "DEFAULT_MATCH_ON",
    "DVD",
    "DVDFormatError",
    "ExceptionInfo",
    "Interaction",
    "LocalCassette",
    "MemoryCassette",
    "MissingDependencyError",
    "Output",
    "Playback",
    "PlaybackDVDError",
    "ReadOnlyCassetteError",
    "RecordMode",
    "RecordingNotFound",
    "ReplayedException",
    "Request",
    "Response",
    "S3AccessDenied",
    "S3BucketNotFound",
    "S3Cassette",
    "S3Error",
    "S3Throttled",
    "UnmatchedRequestError",
    "UnsupportedSchemaVersion",
    "register_matcher",
    "unregister_matcher",
    "use_dvd",
]


# The S3 cassettes import boto3 (the "s3" extra): load them on first use, so `import playback_dvd` stays light
# and works without boto3. A missing boto3 is then a MissingDependencyError that says what to install.
_LAZY = {"S3Cassette": "._s3", "CachedS3Cassette": "._cached_s3"}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], "playback_dvd.cassettes"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'playback_dvd' has no attribute {name!r}")
