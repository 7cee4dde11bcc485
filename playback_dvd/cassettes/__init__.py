"""Storage backends for recordings: the `Cassette` protocol, its implementations, and what a new one needs.

A new backend implements `Cassette` and follows the rules its docstring lists with the helpers below: ids
are checked before storage is touched (`check_document_for_saving`, `recording_id_parts_or_not_found`,
`parse_recording_id`), searches filter and order as every built-in cassette does (`metadata_matches`,
`in_window`, `recorded_at_of`, `day_overlaps_window`, `day_inside_window`, `check_limit`), and recordings
are encoded with `playback_dvd.formats.dumps` / `loads`.
"""

from .._errors import RecordingNotFound
from ._ids import (
    RecordingIdParts,
    check_document_for_saving,
    check_recording_id,
    new_recording_id,
    parse_recording_id,
    recording_id_parts_or_not_found,
    safe_category,
)
from ._local import LocalCassette
from ._memory import MemoryCassette
from ._protocol import Cassette
from ._search import (
    check_limit,
    day_inside_window,
    day_overlaps_window,
    in_window,
    metadata_matches,
    recorded_at_of,
)

__all__ = [
    "Cassette",
    "LocalCassette",
    "MemoryCassette",
    "RecordingIdParts",
    "RecordingNotFound",
    "check_document_for_saving",
    "check_limit",
    "check_recording_id",
    "day_inside_window",
    "day_overlaps_window",
    "in_window",
    "metadata_matches",
    "new_recording_id",
    "parse_recording_id",
    "recorded_at_of",
    "recording_id_parts_or_not_found",
    "safe_category",
]
