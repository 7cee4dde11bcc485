"""`Recorder.play`: replay one recording on today's code and collect what it produced into a `Playback`.

During the replay the session (in the ContextVar) serves HTTP and inputs from the recording: the DVD is in
record mode ``none``, so no request reaches the network and a request the recording lacks raises
`UnmatchedRequestError`. Outputs are captured, not executed.
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx

from .._errors import ConfigurationError, UnmatchedRequestError
from .._models import ExceptionInfo, Output, Playback, Request, exception_info
from ..dvd._dvd import DVD, RecordMode
from ..http._activation import HttpActivation
from ..http._handler import DVDHttpHandler
from ._operation import (
    OPERATION_OUTPUT,
    OperationSession,
    current_operation,
    inside_interception,
    inside_operation,
)
from ._values import exception_value

if TYPE_CHECKING:
    from ._recorder import Recorder


class _ReplayHandler(DVDHttpHandler):
    """A replay-only handler that also remembers the requests the recording could not answer."""

    unmatched: list[Request]

    def _prepare(self, request: httpx.Request, body: bytes) -> tuple[Request | None, httpx.Response | None]:
        try:
            return super()._prepare(request, body)
        except UnmatchedRequestError as error:
            self.unmatched.append(error.request)
            raise


class _Replay:
    """The state of one `play` call: the DVD, the session, and what came out."""

    def __init__(self, recorder: Recorder, recording_id: str) -> None:
        options = recorder._options
        document = options.filters.restore(recorder.cassette.get_recording(recording_id))
        self.recording_id = recording_id
        self.dvd = DVD.from_document(
            document,
            record_mode=RecordMode.NONE,
            match_on=options.match_on,
            allow_playback_repeats=options.allow_playback_repeats,
        )
        self.handler = _ReplayHandler.from_options(self.dvd, options)
        self.handler.unmatched = []
        self.session = OperationSession(self.dvd, playback=True)
        self.error: ExceptionInfo | None = None
        self.started = 0.0
        self.duration = 0.0

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        http = HttpActivation(self.handler)
        http.start()
        tokens = (
            current_operation.set(self.session),
            # A replay started from inside an intercepted call or an operation is a fresh start.
            inside_interception.set(False),
            inside_operation.set(False),
        )
        self.started = time.perf_counter()
        try:
            yield
        except Exception as error:  # the operation's own, or ours (a missing input): reported, not raised
            self.error = exception_info(error)
        finally:
            self.duration = time.perf_counter() - self.started
            inside_operation.reset(tokens[2])
            inside_interception.reset(tokens[1])
            current_operation.reset(tokens[0])
            http.stop()
            self.handler.finish()

    def result(self) -> Playback:
        recorded: list[Output] = []
        operation: Output | None = None
        recorded_error: ExceptionInfo | None = None
        for record in self.dvd.outputs:
            if record.key != OPERATION_OUTPUT:
                recorded.append(Output(record.key, record.arguments))
                continue
            if record.exception is not None:
                recorded_error = record.exception
                value: Any = exception_value(record.exception)
            else:
                value = record.result
            operation = Output(OPERATION_OUTPUT, value)
        if operation is not None:
            recorded.append(operation)
        return Playback(
            recording_id=self.recording_id,
            recorded_outputs=recorded,
            playback_outputs=list(self.session.playback_outputs),
            recorded_duration=float(self.dvd.metadata.get("duration", 0.0)),
            playback_duration=self.duration,
            original_recording=self.dvd,
            recorded_error=recorded_error,
            playback_error=self.error,
            unplayed_requests=tuple(interaction.request for interaction in self.dvd.unplayed_interactions),
            unmatched_requests=tuple(self.handler.unmatched),
        )


def play(recorder: Recorder, recording_id: str, playback_function: Callable[[DVD], Any]) -> Playback:
    """Replay *recording_id* by running *playback_function(dvd)*; see `Recorder.play`."""
    replay = _Replay(recorder, recording_id)
    outcome: Any = None
    with replay.active():
        outcome = playback_function(replay.dvd)
        if inspect.iscoroutine(outcome):
            outcome.close()  # never awaited: close it rather than leak a warning
    if inspect.isawaitable(outcome):
        raise ConfigurationError(
            "the playback function returned an awaitable: replay async operations with "
            "'await recorder.aplay(recording_id, playback_function)'"
        )
    return replay.result()


async def aplay(
    recorder: Recorder, recording_id: str, playback_function: Callable[[DVD], Awaitable[Any]]
) -> Playback:
    """Replay *recording_id* by awaiting *playback_function(dvd)*; see `Recorder.aplay`."""
    replay = _Replay(recorder, recording_id)
    with replay.active():
        await playback_function(replay.dvd)
    return replay.result()
