"""playback's exceptions (``playback.exceptions``), with messages as text rather than bytes."""

from __future__ import annotations

from ...cassettes import RecordingNotFound


class TapeRecorderException(Exception):
    """The base of playback's own errors."""


class InputInterceptionKeyCreationError(TapeRecorderException):
    """The key of an intercepted input could not be built from its arguments (during playback)."""


class RecordingKeyError(TapeRecorderException, LookupError):
    """A replayed call asked for data the recording does not have."""


class OperationExceptionDuringPlayback(TapeRecorderException):
    """The replayed operation raised: its exception is an output; `TapeRecorder.play` swallows this."""


class NoSuchRecording(TapeRecorderException, RecordingNotFound):
    """No recording has this id (also a playback_dvd `RecordingNotFound`)."""

    def __init__(self, recording_id: str, where: str = "") -> None:
        RecordingNotFound.__init__(self, recording_id, where)
