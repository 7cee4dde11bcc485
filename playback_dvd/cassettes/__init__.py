"""Storage backends for recordings: the `Cassette` protocol and its implementations."""

from ._ids import new_recording_id, parse_recording_id, safe_category
from ._local import LocalCassette
from ._memory import MemoryCassette
from ._protocol import Cassette, RecordingNotFound

__all__ = [
    "Cassette",
    "LocalCassette",
    "MemoryCassette",
    "RecordingNotFound",
    "new_recording_id",
    "parse_recording_id",
    "safe_category",
]
