"""`ReplaySession` and `Recorder.play`: replay one recording on today's code, collect a `Playback`.

During the replay the session (in the ContextVar) serves HTTP and inputs from the recording: the DVD is in
record mode ``none``, so no request reaches the network and a request the recording lacks raises
`UnmatchedRequestError`. Outputs are captured, not executed. The replay is hermetic by default: any other
connection from its thread or task (urllib, raw sockets, a database driver) is refused with
`NetworkBlockedError` unless its host is allowed. A recording that cannot be read (`DVDFormatError`) is
not replayed: the `Playback` reports the error in ``playback_error``.
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import (
    ConfigurationError,
    DVDFormatError,
    OperationMismatchError,
    RecordingKeyError,
    ReplayedException,
)
from .._models import DVDDocument, ExceptionInfo, Output, Playback, exception_info
from .._tracebacks import user_traceback
from ..dvd._dvd import DVD, RecordMode
from ..http._activation import HttpActivation
from ..http._guard import Bypass, ConnectionPolicy
from ..http._handler import DVDHttpHandler
from ._input_keys import key_for
from ._intercepts import UNSET
from ._session import (
    OPERATION_OUTPUT,
    PASS_THROUGH,
    Answered,
    InterceptedCall,
    OperationSession,
    current_session,
    inside_interception,
    inside_operation,
    same_operation,
    same_operation_required,
)
from ._values import exception_value, to_plain

if TYPE_CHECKING:
    import cattrs

    from ._core import RecorderCore
    from ._intercepts import InputIntercept, OutputIntercept


class NetworkRule:
    """What a replay lets through besides the recording: every host (*allow_network*) or a few."""

    __slots__ = ("allow_network", "allowed_hosts")

    def __init__(self, allow_network: bool = False, allowed_hosts: Sequence[str] = ()) -> None:
        self.allow_network = allow_network
        self.allowed_hosts = (allowed_hosts,) if isinstance(allowed_hosts, str) else tuple(allowed_hosts)


class ReplaySession(OperationSession):
    """One recording being replayed: its DVD in record mode ``none``, and what the replay produced.

    It is made by `Recorder.play` and is what every call inside the replay asks: httpx requests are
    answered by its HTTP handler (never the network), intercepted inputs from the recording, intercepted
    outputs are captured instead of run, and the replayed operation's result is captured.

    Args:
        core: The replaying recorder's options and cassette.
        recording_id: The recording to replay.
        network: What may still connect outside httpx/httpx2 (by default nothing: the replay is hermetic).

    A recording that cannot be read (`DVDFormatError`) makes an empty session whose ``load_error`` says
    why: the playback function is then not run, and the error is the playback's ``playback_error``.

    Raises:
        RecordingNotFound: The cassette has no such recording.
    """

    def __init__(self, core: RecorderCore, recording_id: str, network: NetworkRule | None = None) -> None:
        options = core.options
        #: Why the recording could not be loaded; the playback function is then not run.
        self.load_error: DVDFormatError | None = None
        try:
            document = core.load(recording_id)
        except DVDFormatError as error:
            self.load_error = error
            document = DVDDocument(id=recording_id)
        super().__init__(
            DVD.from_document(
                document,
                record_mode=RecordMode.NONE,
                match_on=options.match_on,
                allow_playback_repeats=options.allow_playback_repeats,
            )
        )
        self.recording_id = recording_id
        self.http_handler = DVDHttpHandler.from_options(self.dvd, options)
        network = network or NetworkRule()
        self.blocked: list[str] = []
        self.connections = (
            None
            if network.allow_network
            else ConnectionPolicy(
                block=True,
                allowed_hosts=(*options.allowed_hosts, *network.allowed_hosts),
                allow_hint="recorder.play(..., allowed_hosts=['{host}']) or allow_network=True",
                on_bypass=self._note_blocked,
            )
        )
        self.playback_outputs: list[Output] = []
        self._recorded_outputs = {record.key: record for record in self.dvd.outputs}
        self.error: ExceptionInfo | None = (
            None if self.load_error is None else exception_info(self.load_error)
        )
        self.traceback: str | None = None
        self.replayed_code_version: str | None = None  # the replaying operation's recorder's, when entered
        self.duration = 0.0

    # -- what the calls inside the replay do ----------------------------------------------------------

    def input_call(
        self, intercept: InputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """The recorded value (or the recorded exception raised); run the real input when allowed."""
        # Kept for the fallback aliases' keys; redacted as the recorded keys were.
        plain = intercept.plain_arguments(args, kwargs, self.http_handler.secret_values)
        key = key_for(intercept.alias, plain)
        inputs = self.dvd.inputs
        record = inputs.get(key)
        if record is None and intercept.fallback_aliases is not None:
            # Only when the key is missing: a fallback callable runs (and may fail) only when needed.
            aliases = intercept.fallback_aliases
            if callable(aliases):
                aliases = aliases(*args, **kwargs)
            for alias in aliases or ():
                record = inputs.get(key_for(alias, plain))
                if record is not None:
                    break
        if record is None:
            if intercept.run_intercepted_when_missing:
                return PASS_THROUGH
            if intercept.value_when_missing is not UNSET:  # falsy values count (playback ignored them: a bug)
                missing = intercept.value_when_missing
                return Answered(missing(*args, **kwargs) if callable(missing) else missing)
            raise RecordingKeyError("input", key, inputs, self.dvd.id)
        if record.exception is not None:
            raise ReplayedException(record.exception.type_name, record.exception.message)
        return Answered(intercept.restored_input(record.value, args, kwargs))

    def output_call(
        self, intercept: OutputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """Capture the call's arguments; answer with the recorded result (or raise the recorded exception)."""
        key = self.next_output_key(intercept.alias)
        arguments = intercept.arguments(key, args, kwargs, self.http_handler.secret_values)
        self.add_playback_output(Output(key, arguments))
        record = self._recorded_outputs.get(key)
        if record is None:
            if intercept.fail_on_no_recorded_result:
                raise RecordingKeyError("output", key, self._recorded_outputs, self.dvd.id)
            return Answered(None)
        if record.exception is not None:
            raise ReplayedException(record.exception.type_name, record.exception.message)
        return Answered(intercept.restored(record.result))

    def operation_call(
        self, converter: cattrs.Converter, operation: str = "", code_version: str | None = None
    ) -> InterceptedCall:
        """The replayed operation runs and its result is captured; operations nested in it just run.

        Raises:
            OperationMismatchError: In a comparison (`same_operation_required`), the recording is of
                another operation: refused before the operation's body runs.
        """
        if inside_operation.get():
            return PASS_THROUGH
        self.replayed_code_version = code_version
        recorded = self.dvd.metadata.get("operation")
        if (
            operation
            and isinstance(recorded, str)
            and same_operation_required.get()
            and not same_operation(recorded, operation)
        ):
            raise OperationMismatchError(recorded, operation)
        return _ReplayedOperation(self, converter)

    def add_playback_output(self, output: Output) -> None:
        """Keep what the replay produced, in call order."""
        with self._lock:
            self.playback_outputs.append(output)

    # -- the replay -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Put this session in charge of the block; an exception in it is kept in `error`, not raised."""
        http = HttpActivation(self.http_handler, self.connections)
        http.start()
        tokens = (
            current_session.set(self),
            # A replay started from inside an intercepted call or an operation is a fresh start.
            inside_interception.set(False),
            inside_operation.set(False),
        )
        started = time.perf_counter()
        try:
            yield
        except Exception as error:  # the operation's own, or ours (a missing input): reported, not raised
            self.error = exception_info(error)
            self.traceback = user_traceback(error)
        finally:
            self.duration = time.perf_counter() - started
            inside_operation.reset(tokens[2])
            inside_interception.reset(tokens[1])
            current_session.reset(tokens[0])
            http.stop()
            self.http_handler.finish()

    def result(self) -> Playback:
        """The recorded and the replayed outputs side by side, with durations and request differences."""
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
            playback_outputs=list(self.playback_outputs),
            recorded_duration=float(self.dvd.metadata.get("duration", 0.0)),
            playback_duration=self.duration,
            original_recording=self.dvd,
            recorded_error=recorded_error,
            playback_error=self.error,
            unplayed_requests=tuple(interaction.request for interaction in self.dvd.unplayed_interactions),
            unmatched_requests=tuple(error.request for error in self.http_handler.misses),
            blocked_connections=tuple(self.blocked),
            playback_traceback=self.traceback,
            playback_code_version=self.replayed_code_version,
        )

    def _note_blocked(self, bypass: Bypass) -> None:
        self.blocked.append(str(bypass))


class _ReplayedOperation(InterceptedCall):
    """The replayed operation's call: its result (or exception) becomes the playback output ``operation``."""

    __slots__ = ("converter", "session")

    def __init__(self, session: ReplaySession, converter: cattrs.Converter) -> None:
        self.session = session
        self.converter = converter

    def returned(self, value: Any) -> None:
        session = self.session
        try:
            # Redacted as the recorded result was, so a comparison sees the same placeholders.
            plain = session.http_handler.filters.redact_value(
                to_plain(self.converter, value, OPERATION_OUTPUT), session.http_handler.secret_values
            )
        except Exception:  # compare what we can: the live value
            plain = value
        self.session.add_playback_output(Output(OPERATION_OUTPUT, plain))

    def raised(self, error: BaseException) -> None:
        self.session.add_playback_output(Output(OPERATION_OUTPUT, exception_value(exception_info(error))))


def replay(
    core: RecorderCore,
    recording_id: str,
    playback_function: Callable[[DVD], Any],
    network: NetworkRule | None = None,
) -> Playback:
    """Replay *recording_id* by running *playback_function(dvd)*; see `Recorder.play`."""
    session = ReplaySession(core, recording_id, network)
    if session.load_error is not None:
        return session.result()
    outcome: Any = None
    with session.active():
        outcome = playback_function(session.dvd)
        if inspect.iscoroutine(outcome):
            outcome.close()  # never awaited: close it rather than leak a warning
    if inspect.isawaitable(outcome):
        raise ConfigurationError(
            "the playback function returned an awaitable: replay async operations with "
            "'await recorder.aplay(recording_id, playback_function)'"
        )
    return session.result()


async def areplay(
    core: RecorderCore,
    recording_id: str,
    playback_function: Callable[[DVD], Awaitable[Any]],
    network: NetworkRule | None = None,
) -> Playback:
    """Replay *recording_id* by awaiting *playback_function(dvd)*; see `Recorder.aplay`."""
    session = ReplaySession(core, recording_id, network)
    if session.load_error is not None:
        return session.result()
    with session.active():
        await playback_function(session.dvd)
    return session.result()
