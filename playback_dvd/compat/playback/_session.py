"""playback's recording and replay sessions: playback_dvd `OperationSession` objects, in its ContextVar.

As in the main engine, record or replay is chosen once, when the session is made:
`TapeRecorder.start_recording` makes a `PlaybackRecordingSession`, `TapeRecorder.play` a
`PlaybackReplaySession`, and the decorated functions ask the session in charge what a call does
(``input_call`` / ``output_call`` / ``operation_call``, run by playback_dvd's call runners). What these
sessions add is playback's recording shape: a `Recording` of data keys (``input: {alias} {arguments}``
holding ``{'value': v}`` or ``{'exception': e}``, ``output: {alias} #{n}.output`` and ``.result``),
written as values arrive.

playback kept the active recording on the `TapeRecorder` instance, so a second thread's operation failed
with an AssertionError and intercepted calls of other threads landed in whichever recording was active.
Here each thread and asyncio task sees only its own session.
"""

from __future__ import annotations

import inspect
import logging
from collections import namedtuple
from typing import TYPE_CHECKING, Any

from ..._errors import _closest_first as closest_first
from ...dvd._dvd import DVD
from ...http._activation import HttpActivation
from ...http._handler import DVDHttpHandler
from ...recorder._intercepts import UNSET
from ...recorder._session import PASS_THROUGH, Answered, InterceptedCall, OperationSession
from ._intercepts import PlaybackInput, PlaybackOutput
from .exceptions import (
    InputInterceptionKeyCreationError,
    OperationExceptionDuringPlayback,
    RecordingKeyError,
    TapeRecorderException,
)
from .recording import Recording

if TYPE_CHECKING:
    import cattrs

    from ...recorder._intercepts import InputIntercept, OutputIntercept
    from .tape_recorder import TapeRecorder

logger = logging.getLogger("playback_dvd")

#: An operation's output: its key and value (playback's ``Output``).
Output = namedtuple("Output", "key value")

#: The output alias of the operation's own result (``TapeRecorder.OPERATION_OUTPUT_ALIAS``).
OPERATION_OUTPUT_ALIAS = "_tape_recorder_operation"
_OPERATION_OUTPUT_KEY = f"output: {OPERATION_OUTPUT_ALIAS} #1.output"


#: What `PlaybackSession.output_arguments` returns when the output's data handler failed.
FAILED: Any = object()


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


def is_unresolved_async(value: Any) -> bool:
    """Whether *value* is a coroutine or async generator (which cannot be recorded as a value)."""
    return inspect.iscoroutine(value) or inspect.isasyncgen(value)


class PlaybackSession(OperationSession):
    """What both playback sessions hold: the `Recording`, the recorder, and the HTTP routing of the context.

    Args:
        recorder: The `TapeRecorder` that started the session (its tape cassette, its ``pickle_copy``).
        recording: The recording written to (or read from).
        dvd: Where the httpx traffic of the operation is recorded (or replayed from).
        parameters: The operation class's recording parameters.
    """

    def __init__(
        self, recorder: TapeRecorder, recording: Recording, dvd: DVD, parameters: RecordingParameters
    ) -> None:
        super().__init__(dvd)
        self.recorder = recorder
        self.recording = recording
        self.parameters = parameters
        self._http: HttpActivation | None = None
        self._handler: DVDHttpHandler | None = None

    def discard(self) -> None:
        """Drop the recording being made (nothing to drop in a replay)."""

    def output_arguments(
        self, intercept: PlaybackOutput, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """What is kept of an output call's arguments; `FAILED` if its data handler failed (logged, and
        the recording is discarded)."""
        try:
            return intercept.playback_arguments(key, args, kwargs)
        except Exception:
            logger.warning(
                "playback_dvd: the output data handler failed for %r; the recording is discarded",
                key,
                exc_info=True,
            )
            self.discard()
            return FAILED

    def next_output(self, alias: str) -> str:
        """``output: {alias} #{n}``: the prefix of the keys of the next call of output *alias*."""
        return f"output: {self.next_output_key(alias)}"

    def start_http(self, handler: DVDHttpHandler) -> None:
        """Route this context's httpx traffic to *handler* (recorded into, or replayed from, its DVD)."""
        self._handler = handler
        self._http = HttpActivation(handler)
        self._http.start()

    def stop_http(self) -> None:
        """Stop routing httpx traffic; commit what was read of streams never closed."""
        if self._http is not None:
            self._http.stop()
        if self._handler is not None:
            self._handler.finish()


class PlaybackRecordingSession(PlaybackSession):
    """A recording being made: intercepted values are written into its `Recording` as they arrive.

    Nothing here fails the operation: a value that cannot be stored, or a data handler that fails, discards
    the recording (logged), never the call.
    """

    def __init__(
        self, recorder: TapeRecorder, recording: Recording, dvd: DVD, parameters: RecordingParameters
    ) -> None:
        super().__init__(recorder, recording, dvd, parameters)
        self.discarded = False
        self.force_sample = False

    def discard(self) -> None:
        """Drop the recording: nothing of it is saved (the tape cassette is told)."""
        if self.discarded:
            return
        logger.info("playback_dvd: recording %s was discarded", self.recording.id)
        self.discarded = True
        self.recorder.tape_cassette.abort_recording(self.recording)

    def record(self, key: str, value: Any) -> bool:
        """Store *value* under *key*; a value that is not data discards the recording (logged).

        Returns:
            Whether it was stored (False in a discarded recording).
        """
        if self.discarded:
            return False
        try:
            self.recording.set_data(key, value)
        except Exception:
            logger.warning(
                "playback_dvd: cannot record %r, the recording %s is discarded",
                key,
                self.recording.id,
                exc_info=True,
            )
            self.discard()
            return False
        return True

    # -- what the calls inside the operation do -------------------------------------------------------

    def input_call(
        self, intercept: InputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """Run the input and record its result (or exception) under its playback key."""
        if self.discarded or not isinstance(intercept, PlaybackInput):
            return PASS_THROUGH
        try:
            key = intercept.playback_keys(args, kwargs)[0]
        except Exception as error:
            logger.warning(
                "playback_dvd: input interception key creation error for alias %r - %r; the recording is "
                "discarded",
                intercept.alias,
                error,
            )
            self.discard()
            return PASS_THROUGH
        return _RecordedResult(self, key, args, kwargs, intercept.data_handler)

    def output_call(
        self, intercept: OutputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """Record the call's arguments now, then run it and record its result (or exception)."""
        if self.discarded or not isinstance(intercept, PlaybackOutput):
            return PASS_THROUGH
        key = self.next_output(intercept.alias)
        arguments = self.output_arguments(intercept, f"{key}.output", args, kwargs)
        if arguments is FAILED or not self.record(f"{key}.output", arguments):
            return PASS_THROUGH  # the recording is discarded: the call just runs
        return _RecordedResult(self, f"{key}.result", args, kwargs, None)

    def operation_call(
        self, converter: cattrs.Converter, operation: str = "", code_version: str | None = None
    ) -> InterceptedCall:
        """An operation nested in the recorded one is part of it: it just runs."""
        return PASS_THROUGH

    def operation_result(self) -> InterceptedCall:
        """The recorded operation's own call: its result (or exception) is the operation output."""
        return _RecordedOperation(self)


class PlaybackReplaySession(PlaybackSession):
    """A recording being replayed: inputs and output results come from it, outputs are collected."""

    def __init__(
        self, recorder: TapeRecorder, recording: Recording, dvd: DVD, parameters: RecordingParameters
    ) -> None:
        super().__init__(recorder, recording, dvd, parameters)
        self.outputs: list[Output] = []

    def add_output(self, output: Output) -> None:
        """Keep an output produced by the replay, in call order."""
        with self._lock:
            self.outputs.append(output)

    # -- what the calls inside the replay do ----------------------------------------------------------

    def input_call(
        self, intercept: InputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """The recorded value (or recorded exception); else run the input, or its value when missing.

        Raises:
            InputInterceptionKeyCreationError: The key could not be built from the arguments.
            RecordingKeyError: The recording has no value for the call, and no fallback applies.
        """
        if not isinstance(intercept, PlaybackInput):
            return PASS_THROUGH
        try:
            keys = intercept.playback_keys(args, kwargs)
        except Exception as error:
            raise InputInterceptionKeyCreationError(
                f"input interception key creation error for alias {intercept.alias!r} - {error!r}"
            ) from error
        try:
            return Answered(self._replayed(keys, args, kwargs, intercept.data_handler))
        except RecordingKeyError:
            if intercept.run_intercepted_when_missing:
                return PASS_THROUGH
            missing = intercept.value_when_missing
            if missing is not UNSET:  # playback's None; falsy values count (playback ignored them)
                return Answered(missing(*args, **kwargs) if callable(missing) else missing)
            raise

    def output_call(
        self, intercept: OutputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """Collect the call's arguments as an output; answer with the recorded result (it does not run).

        Raises:
            RecordingKeyError: The call was not recorded and the intercept requires it.
        """
        if not isinstance(intercept, PlaybackOutput):
            return PASS_THROUGH
        key = self.next_output(intercept.alias)
        arguments = self.output_arguments(intercept, f"{key}.output", args, kwargs)
        if arguments is not FAILED:
            self.add_output(Output(f"{key}.output", arguments))
        try:
            return Answered(self._replayed([f"{key}.result"], args, kwargs, None))
        except RecordingKeyError:
            if intercept.fail_on_no_recorded_result:
                raise
            return Answered(intercept.default_result_when_not_recorded)

    def operation_call(
        self, converter: cattrs.Converter, operation: str = "", code_version: str | None = None
    ) -> InterceptedCall:
        """The replayed operation runs; its result (or exception) is collected as the operation output."""
        return _ReplayedOperation(self)

    def _replayed(
        self, keys: list[str], args: tuple[Any, ...], kwargs: dict[str, Any], data_handler: Any
    ) -> Any:
        recording = self.recording
        recorded_keys = recording.get_all_keys()
        present = set(recorded_keys)
        key = next((candidate for candidate in keys if candidate in present), None)
        if key is None:
            wanted = keys[0] if keys else ""
            closest = ", ".join(repr(k) for k in closest_first(wanted, recorded_keys)[:3]) or "(none)"
            raise RecordingKeyError(
                f"none of the keys {keys} is in recording {recording.id}; closest recorded: {closest}"
            )
        recorded = recording.get_data(key)
        if isinstance(recorded, dict) and "exception" in recorded:
            raise recorded["exception"]
        value = recorded["value"] if isinstance(recorded, dict) and "value" in recorded else recorded
        if data_handler is not None:
            value = data_handler.restore_input_from_recording(value, args, kwargs)
        return value


class _RecordedResult(InterceptedCall):
    """An intercepted call being recorded: its result (``{'value': v}``) or exception under *key*."""

    __slots__ = ("args", "data_handler", "key", "kwargs", "session")

    def __init__(
        self,
        session: PlaybackRecordingSession,
        key: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        data_handler: Any,
    ) -> None:
        self.session = session
        self.key = key
        self.args = args
        self.kwargs = kwargs
        self.data_handler = data_handler

    def returned(self, value: Any) -> None:
        session = self.session
        if session.discarded:
            return
        if is_unresolved_async(value):
            logger.warning(
                "playback_dvd: %r returned %s, which cannot be recorded: declare the intercepted function "
                "with 'async def'",
                self.key,
                type(value).__name__,
            )
            session.discard()
            return
        recorded, handler = value, self.data_handler
        if handler is not None:
            try:
                recorded = handler.prepare_input_for_recording(self.key, value, self.args, self.kwargs)
            except Exception:
                logger.warning(
                    "playback_dvd: the input data handler failed for %r; the recording is discarded",
                    self.key,
                    exc_info=True,
                )
                session.discard()
                return
        if session.parameters.copy_data_on_intercepion:
            try:
                recorded = session.recorder._copy(recorded)
            except Exception as error:
                logger.warning("playback_dvd: recorded data could not be copied (%r)", error)
        session.record(self.key, {"value": recorded})

    def raised(self, error: BaseException) -> None:
        self.session.record(self.key, {"exception": error})


class _OperationOutput(InterceptedCall):
    """The operation's own call: its result, or exception, is the output ``_tape_recorder_operation``."""

    __slots__ = ("session",)

    def __init__(self, session: PlaybackSession) -> None:
        self.session = session

    def keep(self, value: Any) -> None:
        raise NotImplementedError

    def returned(self, value: Any) -> None:
        if is_unresolved_async(value):
            logger.warning(
                "playback_dvd: operation returned %s, which cannot be recorded: an operation must resolve "
                "its coroutines before it returns",
                type(value).__name__,
            )
            self.session.discard()
            return
        self.keep({"args": [value], "kwargs": {}})

    def raised(self, error: BaseException) -> None:
        if _raised_by_the_operation(error):
            self.keep({"args": [error], "kwargs": {}})


class _RecordedOperation(_OperationOutput):
    __slots__ = ()

    session: PlaybackRecordingSession

    def keep(self, value: Any) -> None:
        self.session.record(_OPERATION_OUTPUT_KEY, value)


class _ReplayedOperation(_OperationOutput):
    __slots__ = ()

    session: PlaybackReplaySession

    def keep(self, value: Any) -> None:
        self.session.add_output(Output(_OPERATION_OUTPUT_KEY, value))

    def raised(self, error: BaseException) -> None:
        if _raised_by_the_operation(error):
            super().raised(error)
            # The replayed operation's exception is one of its outputs, not a failed replay: `play` swallows
            # this one.
            raise OperationExceptionDuringPlayback() from error


def _raised_by_the_operation(error: BaseException) -> bool:
    """Whether *error* is the operation's outcome: not one of playback's own errors (a missing input...),
    nor an interpreter exit."""
    return isinstance(error, Exception) and not isinstance(error, TapeRecorderException)
