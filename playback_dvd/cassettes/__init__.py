"""Storage backends for recordings: the `Cassette` protocol and its implementations."""

from .._errors import RecordingNotFound
from ._ids import check_recording_id, new_recording_id, parse_recording_id, safe_category
from ._local import LocalCassette
from ._memory import MemoryCassette
from ._protocol import Cassette

__all__ = [
    "Cassette",
    "LocalCassette",
    "MemoryCassette",
    "RecordingNotFound",
    "check_recording_id",
    "new_recording_id",
    "parse_recording_id",
    "safe_category",
]
