"""playback_dvd: record what a service operation does (HTTP, inputs, outputs) and replay it anywhere."""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from ._errors import (
        ConfigurationError,
        DVDFormatError,
        MissingDependencyError,
        NetworkBlockedError,
        OperationMismatchError,
        PlaybackDVDError,
        ReadOnlyCassetteError,
        RecordingKeyError,
        RecordingNotFound,
        ReplayedException,
        S3AccessDenied,
        S3BucketNotFound,
        S3Error,
        S3Throttled,
        S3Unreachable,
        UnmatchedRequestError,
        UnstorableValueError,
        UnsupportedSchemaVersion,
    )
    from ._models import (
        DVDDocument,
        ExceptionInfo,
        InputRecord,
        Interaction,
        Output,
        OutputRecord,
        Playback,
        Request,
        Response,
    )
    from .cassettes import Cassette, LocalCassette, MemoryCassette
    from .cassettes._cached_s3 import CachedS3Cassette
    from .cassettes._s3 import S3Cassette
    from .compare import (
        ComparatorResult,
        CompareExecutionConfig,
        Comparison,
        ComparisonReport,
        EqualityStatus,
        Equalizer,
        EqualizerTuner,
        EqualizerTuning,
        PlaybackStudio,
        RecordingLookupProperties,
        StructuralComparator,
    )
    from .dvd._dvd import DVD, RecordMode
    from .dvd._matching import DEFAULT_MATCH_ON, VCRPY_MATCH_ON, register_matcher, unregister_matcher
    from .formats._limits import LoadLimits
    from .http._use_dvd import use_dvd
    from .recorder._recorder import Recorder, TapeRecorder
    from .recorder._saving import RecorderStats

    __version__: str

# Public names are imported on first use (PEP 562): pytest imports this package in every run of every
# project that installs it (the pytest11 entry point lives here), and a run that uses no DVD must not pay
# ~100 ms for httpx, attrs and cattrs. The block above is what type checkers and IDEs read; keep both in step
# (tests/test_exported_members.py checks every name in __all__ resolves).
_WHERE: dict[str, str] = {
    "CachedS3Cassette": ".cassettes._cached_s3",
    "Cassette": ".cassettes",
    "ComparatorResult": ".compare",
    "CompareExecutionConfig": ".compare",
    "Comparison": ".compare",
    "ComparisonReport": ".compare",
    "ConfigurationError": "._errors",
    "DEFAULT_MATCH_ON": ".dvd._matching",
    "DVD": ".dvd._dvd",
    "DVDDocument": "._models",
    "DVDFormatError": "._errors",
    "EqualityStatus": ".compare",
    "Equalizer": ".compare",
    "EqualizerTuner": ".compare",
    "EqualizerTuning": ".compare",
    "ExceptionInfo": "._models",
    "InputRecord": "._models",
    "Interaction": "._models",
    "LoadLimits": ".formats._limits",
    "LocalCassette": ".cassettes",
    "MemoryCassette": ".cassettes",
    "MissingDependencyError": "._errors",
    "NetworkBlockedError": "._errors",
    "OperationMismatchError": "._errors",
    "Output": "._models",
    "OutputRecord": "._models",
    "Playback": "._models",
    "PlaybackDVDError": "._errors",
    "PlaybackStudio": ".compare",
    "ReadOnlyCassetteError": "._errors",
    "RecordMode": ".dvd._dvd",
    "Recorder": ".recorder._recorder",
    "RecorderStats": ".recorder._saving",
    "RecordingKeyError": "._errors",
    "RecordingLookupProperties": ".compare",
    "RecordingNotFound": "._errors",
    "ReplayedException": "._errors",
    "Request": "._models",
    "Response": "._models",
    "S3AccessDenied": "._errors",
    "S3BucketNotFound": "._errors",
    "S3Cassette": ".cassettes._s3",
    "S3Error": "._errors",
    "S3Throttled": "._errors",
    "S3Unreachable": "._errors",
    "StructuralComparator": ".compare",
    "TapeRecorder": ".recorder._recorder",
    "UnmatchedRequestError": "._errors",
    "UnstorableValueError": "._errors",
    "UnsupportedSchemaVersion": "._errors",
    "VCRPY_MATCH_ON": ".dvd._matching",
    "register_matcher": ".dvd._matching",
    "unregister_matcher": ".dvd._matching",
    "use_dvd": ".http._use_dvd",
}


def __getattr__(name: str) -> _Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: _Any = version("playback-dvd")
        except PackageNotFoundError:  # pragma: no cover  # a source tree that was never installed
            value = "0.0.0"
    elif name in _WHERE:
        value = getattr(_importlib.import_module(_WHERE[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "CachedS3Cassette",
    "Cassette",
    "ComparatorResult",
    "CompareExecutionConfig",
    "Comparison",
    "ComparisonReport",
    "ConfigurationError",
    "DEFAULT_MATCH_ON",
    "DVD",
    "DVDDocument",
    "DVDFormatError",
    "EqualityStatus",
    "Equalizer",
    "EqualizerTuner",
    "EqualizerTuning",
    "ExceptionInfo",
    "InputRecord",
    "Interaction",
    "LoadLimits",
    "LocalCassette",
    "MemoryCassette",
    "MissingDependencyError",
    "NetworkBlockedError",
    "OperationMismatchError",
    "Output",
    "OutputRecord",
    "Playback",
    "PlaybackDVDError",
    "PlaybackStudio",
    "ReadOnlyCassetteError",
    "RecordMode",
    "Recorder",
    "RecorderStats",
    "RecordingKeyError",
    "RecordingLookupProperties",
    "RecordingNotFound",
    "ReplayedException",
    "Request",
    "Response",
    "S3AccessDenied",
    "S3BucketNotFound",
    "S3Cassette",
    "S3Error",
    "S3Throttled",
    "S3Unreachable",
    "StructuralComparator",
    "TapeRecorder",
    "UnmatchedRequestError",
    "UnstorableValueError",
    "UnsupportedSchemaVersion",
    "VCRPY_MATCH_ON",
    "register_matcher",
    "unregister_matcher",
    "use_dvd",
]
