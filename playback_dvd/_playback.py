"""`Playback`: what replaying one recording on today's code produced, next to what was recorded."""

from __future__ import annotations

import attrs

from ._dvd import DVD
from ._models import ExceptionInfo, Output, Request


@attrs.frozen
class Playback:
    """The result of `Recorder.play`: recorded and replayed outputs side by side.

    Attributes:
        recording_id: The recording that was replayed.
        recorded_outputs: The outputs of the recorded run, in order: intercepted outputs (key
            ``"{alias} #{n}"``, value = the call's arguments) then the operation's result (key
            ``"operation"``).
        playback_outputs: The same, produced by the replay.
        recorded_duration: Seconds the recorded operation took.
        playback_duration: Seconds the replay took.
        original_recording: The replayed DVD (``.id``, ``.category``, ``.metadata``...).
        recorded_error: The exception the recorded operation raised, if any.
        playback_error: The exception the replayed operation raised, if any.
        unplayed_requests: Recorded HTTP requests the replay never made.
        unmatched_requests: HTTP requests the replay made that the recording lacks.
    """

    recording_id: str
    recorded_outputs: list[Output]
    playback_outputs: list[Output]
    recorded_duration: float
    playback_duration: float
    original_recording: DVD
    recorded_error: ExceptionInfo | None = None
    playback_error: ExceptionInfo | None = None
    unplayed_requests: tuple[Request, ...] = ()
    unmatched_requests: tuple[Request, ...] = ()
