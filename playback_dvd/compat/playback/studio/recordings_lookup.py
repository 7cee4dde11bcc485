"""playback's ``find_matching_recording_ids(tape_recorder, category, lookup_properties)``."""

from __future__ import annotations

import random
from typing import Any

from ....compare import RecordingLookupProperties
from ..tape_recorder import TapeRecorder

__all__ = ["RecordingLookupProperties", "find_matching_recording_ids"]


def find_matching_recording_ids(
    tape_recorder: TapeRecorder, category: str, lookup_properties: RecordingLookupProperties
) -> list[str]:
    """The ids of *category*'s recordings that *lookup_properties* select, in the recorder's cassette.

    Incomplete recordings are left out unless ``skip_incomplete=False`` (the caller's metadata dict is not
    changed, unlike playback). With ``random_sample`` the ids come in random order, *limit* of them.
    """
    metadata: dict[str, Any] = dict(lookup_properties.metadata or {})
    if lookup_properties.skip_incomplete:
        metadata.setdefault(TapeRecorder.INCOMPLETE_RECORDING, [False, None])
    ids = list(
        tape_recorder.tape_cassette.iter_recording_ids(
            category,
            start_date=lookup_properties.start_date,
            end_date=lookup_properties.end_date,
            metadata=metadata or None,
            limit=None if lookup_properties.random_sample else lookup_properties.limit,
            random_results=lookup_properties.random_sample,
        )
    )
    if lookup_properties.random_sample and lookup_properties.limit is not None:
        ids = random.sample(ids, min(lookup_properties.limit, len(ids)))
    return ids
