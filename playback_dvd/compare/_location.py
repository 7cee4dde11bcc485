"""Replay from a location string (a directory or ``s3://bucket/prefix``), one Recorder per location."""

from __future__ import annotations

import functools
import os

from .._models import Playback
from ..cassettes._open import open_cassette
from ..recorder._recorder import Recorder
from ._execution import resolved_callable
from ._studio import replay


@functools.lru_cache(maxsize=8)
def recorder_for(location: str) -> Recorder:
    """One `Recorder` per location and process (workers reuse theirs across replays)."""
    return Recorder(open_cassette(location))


# A worker forked from the process that listed the recordings inherits its cassettes, and with them an S3
# client's open connections: two processes on one socket read each other's answers. Each child opens its
# own, once (the imports and the player's module are still inherited: that is what fork saves).
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=recorder_for.cache_clear)


def play_from_location(location: str, playback_function: str, recording_id: str) -> Playback:
    """``Recorder(open_cassette(location)).play(recording_id, <playback_function imported>)`` (``aplay`` on
    a fresh event loop when the function is ``async def``).

    A picklable player for worker processes: bind the first two arguments with ``functools.partial``.
    *playback_function* is a ``"module:function"`` reference the user gave (never text from a recording).
    """
    return replay(recorder_for(location), recording_id, resolved_callable(playback_function))
