"""playback_dvd: record what a service operation does (HTTP, inputs, outputs) and replay it anywhere."""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

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

try:
    __version__ = _version("playback-dvd")
except _PackageNotFoundError:  # pragma: no cover  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Cassette",
    "ComparatorResult",
    "CompareExecutionConfig",
    "Comparison",
    "ComparisonReport",
    "ConfigurationError",
    "DEFAULT_MATCH_ON",
    "DVD",
    "DVDFormatError",
    "EqualityStatus",
    "Equalizer",
    "EqualizerTuner",
    "EqualizerTuning",
    "ExceptionInfo",
    "Interaction",
    "LocalCassette",
    "MemoryCassette",
    "Output",
    "Playback",
    "PlaybackDVDError",
    "PlaybackStudio",
    "RecordMode",
    "RecordingLookupProperties",
    "RecordingNotFound",
    "ReplayedException",
    "Request",
    "Response",
    "StructuralComparator",
    "UnmatchedRequestError",
    "UnsupportedSchemaVersion",
    "register_matcher",
    "unregister_matcher",
    "use_dvd",
]
