"""The state of one playback-style recording or replay, kept in a ContextVar (never on the recorder).

playback kept the active recording on the `TapeRecorder` instance, so a second thread's operation failed
with an AssertionError and intercepted calls of other threads landed in whichever recording was active.
Here each thread and asyncio task sees only its own session.
"""

from __future__ import annotations

import threading
from collections import Counter, namedtuple
from typing import Any

from ...dvd._dvd import DVD
from ...http._activation import HttpActivation
from ...http._handler import DVDHttpHandler
from .recording import Recording

#: An operation's output: its key and value (playback's ``Output``).
Output = namedtuple("Output", "key value")


class RecordingParameters:
    """How the operations of one class are recorded (playback's ``RecordingParameters``).

    Args:
        sampling_rate: The share of operations kept, from 0 to 1.
        ignore_enforced_sampling: Ignore `TapeRecorder.force_sample_recording`.
        skipped: Never record this class's operations.
        copy_data_on_intercepion: playback copied intercepted values to guard against later mutation
            (the typo is playback's). Values are always stored as a copy here; the flag is honoured for
            compatibility (``pickle_copy`` is called).
    """

    def __init__(
        self,
        sampling_rate: float = 1.0,
        ignore_enforced_sampling: bool = False,
        skipped: bool = False,
        copy_data_on_intercepion: bool = False,
    ) -> None:
        self.sampling_rate = sampling_rate
        self.ignore_enforced_sampling = ignore_enforced_sampling
        self.skipped = skipped
        self.copy_data_on_intercepion = copy_data_on_intercepion

    def __repr__(self) -> str:
        return (
            f"RecordingParameters(sampling_rate={self.sampling_rate!r}, ignore_enforced_sampling="
            f"{self.ignore_enforced_sampling!r}, skipped={self.skipped!r}, copy_data_on_intercepion="
            f"{self.copy_data_on_intercepion!r})"
        )


class Session:
    """One recording being made, or one being replayed, in this thread or task.

    Args:
        recording: The recording written to (or read from).
        playback: True while replaying.
        parameters: The operation class's recording parameters.
    """

    def __init__(self, recording: Recording, *, playback: bool, parameters: RecordingParameters) -> None:
        self.recording = recording
        self.playback = playback
        self.parameters = parameters
        self.discarded = False
        self.force_sample = False
        self.outputs: list[Output] = []
        self.http: HttpActivation | None = None
        self.handler: DVDHttpHandler | None = None
        self.dvd: DVD | None = None
        self._invocations: Counter[str] = Counter()
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        """Whether intercepted calls go into (or come from) this session."""
        return self.playback or not self.discarded

    def next_invocation(self, alias: str) -> int:
        """The number of this call of output *alias* in the session, from 1."""
        with self._lock:
            self._invocations[alias] += 1
            return self._invocations[alias]

    def add_output(self, output: Output) -> None:
        """Keep an output produced by the replay, in call order."""
        with self._lock:
            self.outputs.append(output)

    def start_http(self, handler: DVDHttpHandler) -> None:
        """Route this context's httpx traffic to *handler* (recorded into, or replayed from, its DVD)."""
        self.handler = handler
        self.dvd = handler.dvd
        self.http = HttpActivation(handler)
        self.http.start()

    def stop_http(self) -> None:
        """Stop routing httpx traffic; commit what was read of streams never closed."""
        if self.http is not None:
            self.http.stop()
        if self.handler is not None:
            self.handler.finish()


def is_unresolved_async(value: Any) -> bool:
    """Whether *value* is a coroutine or async generator (which an operation must not return)."""
    import inspect

    return inspect.iscoroutine(value) or inspect.isasyncgen(value)
