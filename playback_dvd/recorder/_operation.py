"""The per-operation session (recording or replaying one operation), kept in a ContextVar.

The session is never stored on a `Recorder`: each thread and each asyncio task sees only the operation it
runs, so 20 threads and 200 tasks can record at once on one recorder. A thread started inside an
operation joins it only when started through ``contextvars.copy_context().run`` (asyncio tasks and
``asyncio.to_thread`` copy the context by themselves).
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable
from contextvars import ContextVar

from .._errors import PlaybackDVDError
from .._models import InputRecord, Output, OutputRecord
from ..dvd._dvd import DVD

#: The output key of an operation's own result.
OPERATION_OUTPUT = "operation"


class RecordingKeyError(PlaybackDVDError, LookupError):
    """A replayed call asked for a recorded value the recording does not have.

    Attributes:
        key: The key that was asked for (an input key, or an output key ``"{alias} #{n}"``).
        recorded_keys: The keys the recording has, closest to *key* first.
        recording_id: The replayed recording.
    """

    def __init__(self, kind: str, key: str, recorded_keys: Iterable[str], recording_id: str | None) -> None:
        self.key = key
        self.recording_id = recording_id
        self.recorded_keys = closest_first(key, recorded_keys)
        shown = "\n".join(f"  {recorded}" for recorded in self.recorded_keys[:5]) or "  (none)"
        more = len(self.recorded_keys) - 5
        super().__init__(
            f"recording {recording_id} has no {kind} {key!r}.\nRecorded {kind}s, closest first:\n{shown}"
            + (f"\n  ... and {more} more" if more > 0 else "")
        )

    def __str__(self) -> str:  # KeyError-style quoting would hide the newlines
        return str(self.args[0])


def closest_first(key: str, keys: Iterable[str]) -> list[str]:
    """*keys* sorted by similarity to *key*, most similar first (same alias first of all)."""
    alias = key.split(" ", 1)[0]

    def score(candidate: str) -> tuple[bool, float]:
        same_alias = candidate.split(" ", 1)[0] == alias
        return (not same_alias, -difflib.SequenceMatcher(None, key, candidate, autojunk=False).ratio())

    return sorted(keys, key=score)


class OperationSession:
    """One operation being recorded, or one recording being replayed.

    Args:
        dvd: Where HTTP interactions, inputs and outputs go (or come from).
        playback: True to replay the recording in *dvd*, False to record a live operation into it.
    """

    def __init__(self, dvd: DVD, *, playback: bool) -> None:
        self.playback = playback
        self.dvd = dvd
        self.failure: BaseException | None = None
        self.failure_alias = ""
        self.playback_outputs: list[Output] = []
        self._invocations: dict[str, int] = {}
        self._lock = threading.Lock()  # threads joined through copy_context share the session
        self._recorded_outputs = {record.key: record for record in dvd.outputs} if self.playback else {}

    def next_output_key(self, alias: str) -> str:
        """The key of the next call of output *alias*: ``"{alias} #{n}"``, n counting from 1."""
        with self._lock:
            number = self._invocations.get(alias, 0) + 1
            self._invocations[alias] = number
        return f"{alias} #{number}"

    def fail(self, alias: str, error: BaseException) -> None:
        """Mark the recording as unsavable (the first failure is the one reported)."""
        with self._lock:
            if self.failure is None:
                self.failure, self.failure_alias = error, alias

    def record_input(self, key: str, record: InputRecord) -> None:
        """Keep the first recorded result of *key*: a replay answers every same-key call with it."""
        with self._lock:
            self.dvd.inputs.setdefault(key, record)

    def record_output(self, record: OutputRecord) -> None:
        """Append an intercepted output (or the operation's result) to the recording."""
        with self._lock:
            self.dvd.outputs.append(record)

    def add_playback_output(self, output: Output) -> None:
        """Keep what the replay produced, in call order."""
        with self._lock:
            self.playback_outputs.append(output)

    def recorded_output(self, key: str) -> OutputRecord | None:
        """The recorded output of *key*, if the recording has it."""
        return self._recorded_outputs.get(key)

    def missing_input(self, key: str) -> RecordingKeyError:
        """The error for an input key the replayed recording lacks."""
        return RecordingKeyError("input", key, self.dvd.inputs, self.dvd.id)

    def missing_output(self, key: str) -> RecordingKeyError:
        """The error for an output key the replayed recording lacks."""
        return RecordingKeyError("output", key, self._recorded_outputs, self.dvd.id)


#: The session of the operation this thread or task runs, if any.
current_operation: ContextVar[OperationSession | None] = ContextVar("playback_dvd_operation", default=None)

#: True inside an intercepted call (nested intercepts pass through) or inside a replayed operation.
inside_interception: ContextVar[bool] = ContextVar("playback_dvd_inside_interception", default=False)
inside_operation: ContextVar[bool] = ContextVar("playback_dvd_inside_operation", default=False)
