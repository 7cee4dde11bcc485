"""`Recorder`: record service operations (HTTP, intercepted inputs and outputs) into a cassette, replay them.

Per-operation state lives in a ContextVar (`_operation`), never on the recorder, so one recorder serves any
number of threads and asyncio tasks at once. Recording never breaks the operation: every failure while
capturing or saving is logged (logger ``"playback_dvd"``) and counted in `Recorder.stats`.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from contextvars import Token
from datetime import datetime, timezone
from random import random
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import attrs
import cattrs

from ._decorate import decorate, stepped
from ._dvd import DVD, RecordMode
from ._errors import ConfigurationError
from ._intercepts import UNSET, InputDataHandler, InputHandler, OutputDataHandler, OutputHandler
from ._models import Output, OutputRecord
from ._operation import OperationSession, SessionMode, current_operation, inside_operation
from ._options import DVDOptions, resolve_options
from ._playback import Playback
from ._replay import aplay, play
from ._saving import BackgroundSaver, Counters, RecorderStats, save_now
from ._session import HttpHandler, current_http_handler
from ._values import exception_info, exception_value, make_value_converter, to_plain
from .cassettes import Cassette, new_recording_id
from .http import _patching
from .http._handler import DVDHttpHandler

if TYPE_CHECKING:
    from typing_extensions import Unpack

P = ParamSpec("P")
T = TypeVar("T")

logger = logging.getLogger("playback_dvd")

#: The output key of an operation's own result.
OPERATION_OUTPUT = "operation"


@attrs.define
class _Recording:
    """One operation being recorded: what `_OperationHandler` needs between its start and its end."""

    session: OperationSession
    handler: DVDHttpHandler
    tokens: tuple[Token[OperationSession | None], Token[HttpHandler | None]]
    started: float


class _OperationHandler:
    def __init__(
        self,
        recorder: Recorder,
        function: Callable[..., Any],
        is_classmethod: bool,
        metadata_extractor: Callable[..., Mapping[str, Any]] | None,
        category: str | None,
        sampling_rate: float | None,
    ) -> None:
        self.recorder = recorder
        self.metadata_extractor = metadata_extractor
        self.category = category
        self.sampling_rate = sampling_rate
        self.qualname = function.__qualname__
        first = next(iter(inspect.signature(function).parameters), "")
        self.owner = "class" if is_classmethod or first == "cls" else ("instance" if first == "self" else "")

    # -- the fast path: recording disabled, not sampled, or nested in another operation ---------------

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        session = current_operation.get()
        if session is None:
            recorder = self.recorder
            rate = recorder._sampling_rate if self.sampling_rate is None else self.sampling_rate
            if not recorder._enabled or (rate < 1.0 and random() >= rate):
                return function(*args, **kwargs)
            recording = self._start(args, kwargs)
            if recording is None:
                return function(*args, **kwargs)
            try:
                result = function(*args, **kwargs)
            except BaseException as error:
                self._finish(recording, None, error)
                raise
            self._finish(recording, result, None)
            return result
        if session.playback and not inside_operation.get():
            return self._replay(session, function, args, kwargs)
        return function(*args, **kwargs)

    async def acall(
        self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        session = current_operation.get()
        if session is None:
            recorder = self.recorder
            rate = recorder._sampling_rate if self.sampling_rate is None else self.sampling_rate
            if not recorder._enabled or (rate < 1.0 and random() >= rate):
                return await function(*args, **kwargs)
            recording = self._start(args, kwargs)
            if recording is None:
                return await function(*args, **kwargs)
            try:
                result = await function(*args, **kwargs)
            except BaseException as error:
                self._finish(recording, None, error)
                raise
            self._finish(recording, result, None)
            return result
        if session.playback and not inside_operation.get():
            token = inside_operation.set(True)
            try:
                result = await function(*args, **kwargs)
            except BaseException as error:
                self._replayed_output(session, None, error)
                raise
            finally:
                inside_operation.reset(token)
            self._replayed_output(session, result, None)
            return result
        return await function(*args, **kwargs)

    def iterate(
        self, function: Callable[..., Generator[Any, Any, Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Generator[Any, Any, Any]:
        """A generator operation: its body runs in a context of its own; the yielded items are its result."""
        session = current_operation.get()
        if session is None:
            recorder = self.recorder
            rate = recorder._sampling_rate if self.sampling_rate is None else self.sampling_rate
            if not recorder._enabled or (rate < 1.0 and random() >= rate):
                return (yield from function(*args, **kwargs))
            context = contextvars.copy_context()
            recording = context.run(self._start, args, kwargs)
            if recording is None:
                return (yield from function(*args, **kwargs))
            items: list[Any] = []
            try:
                returned = yield from stepped(context, function(*args, **kwargs), items)
            except GeneratorExit:  # the consumer stopped early: what it took is the result
                context.run(self._finish, recording, items, None)
                raise
            except BaseException as error:
                context.run(self._finish, recording, None, error)
                raise
            context.run(self._finish, recording, items, None)
            return returned
        if session.playback and not inside_operation.get():
            context = contextvars.copy_context()
            context.run(inside_operation.set, True)
            replayed: list[Any] = []
            try:
                returned = yield from stepped(context, function(*args, **kwargs), replayed)
            except GeneratorExit:
                self._replayed_output(session, replayed, None)
                raise
            except BaseException as error:
                self._replayed_output(session, None, error)
                raise
            self._replayed_output(session, replayed, None)
            return returned
        return (yield from function(*args, **kwargs))

    # -- recording ------------------------------------------------------------------------------------

    def _category_of(self, args: tuple[Any, ...]) -> str:
        if self.category is not None:
            return self.category
        if args and self.owner == "class" and isinstance(args[0], type):
            return args[0].__name__
        if args and self.owner == "instance":
            return type(args[0]).__name__
        return self.qualname

    def _metadata(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.metadata_extractor is None:
            return {}
        try:
            extracted = self.metadata_extractor(*args, **kwargs)
            if not isinstance(extracted, Mapping):
                raise TypeError(f"it returned {type(extracted).__name__}, not a dict")
            plain = to_plain(self.recorder.converter, dict(extracted), "metadata_extractor")
            assert isinstance(plain, dict)
            return plain
        except Exception:
            logger.warning(
                "playback_dvd: metadata_extractor of %s failed; recording without its metadata",
                self.qualname,
                exc_info=True,
            )
            return {}

    def _start(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Recording | None:
        recorder = self.recorder
        try:
            recorded_at = datetime.now(timezone.utc)
            category = self._category_of(args)
            metadata = self._metadata(args, kwargs)
            metadata["recorded_at"] = recorded_at.isoformat()
            options = recorder._options
            dvd = DVD(
                record_mode=RecordMode.ALL,
                match_on=options.match_on,
                id=new_recording_id(category, recorded_at),
                category=category,
                metadata=metadata,
            )
            handler = DVDHttpHandler(
                dvd,
                filters=options.filters,
                max_body_bytes=options.max_body_bytes,
                allow_ignored=options.allow_ignored_on_replay,
            )
            session = OperationSession(SessionMode.RECORD, dvd)
        except Exception:
            recorder._counters.add(failed=1)
            logger.exception("playback_dvd: could not start recording %s", self.qualname)
            return None
        _patching.install()
        tokens = (current_operation.set(session), current_http_handler.set(handler))
        return _Recording(session, handler, tokens, time.perf_counter())

    def _finish(self, recording: _Recording, result: Any, error: BaseException | None) -> None:
        duration = time.perf_counter() - recording.started
        recorder = self.recorder
        try:
            current_http_handler.reset(recording.tokens[1])
            current_operation.reset(recording.tokens[0])
        except ValueError:  # reset from another context: never let that reach the operation's caller
            logger.exception("playback_dvd: could not end the recording session of %s", self.qualname)
        finally:
            _patching.uninstall()
        session = recording.session
        try:
            recording.handler.finish()
            dvd = session.dvd
            if error is None:
                try:
                    plain = to_plain(recorder.converter, result, OPERATION_OUTPUT)
                except Exception as unstorable:
                    session.fail(OPERATION_OUTPUT, unstorable)
                    plain = None
                session.record_output(OutputRecord(OPERATION_OUTPUT, None, plain))
            else:
                session.record_output(OutputRecord(OPERATION_OUTPUT, None, None, exception_info(error)))
            if session.failure is not None:
                recorder._counters.add(failed=1)
                failure = session.failure
                logger.warning("playback_dvd: recording %s dropped: %s", dvd.id, failure, exc_info=failure)
                return
            dvd.metadata.update(duration=duration, raised=error is not None)
            if recorder.code_version is not None:
                dvd.metadata["code_version"] = recorder.code_version
            document = recorder._options.filters.conceal(dvd.to_document())
        except Exception:
            recorder._counters.add(failed=1)
            logger.exception("playback_dvd: could not finish recording of %s", self.qualname)
            return
        if recorder._saver is not None:
            recorder._saver.submit(document)
        else:
            save_now(recorder.cassette, document, recorder._counters)

    # -- replay ---------------------------------------------------------------------------------------

    def _replay(
        self,
        session: OperationSession,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        token = inside_operation.set(True)
        try:
            result = function(*args, **kwargs)
        except BaseException as error:
            self._replayed_output(session, None, error)
            raise
        finally:
            inside_operation.reset(token)
        self._replayed_output(session, result, None)
        return result

    def _replayed_output(self, session: OperationSession, result: Any, error: BaseException | None) -> None:
        if error is not None:
            value: Any = exception_value(exception_info(error))
        else:
            try:
                value = to_plain(self.recorder.converter, result, OPERATION_OUTPUT)
            except Exception:  # compare what we can: the live value
                value = result
        session.add_playback_output(Output(OPERATION_OUTPUT, value))


class Recorder:
    """Records service operations into a cassette, and replays recordings on today's code.

    Args:
        cassette: Where recordings are saved (`MemoryCassette`, `LocalCassette`, `S3Cassette`...).
        recording_enabled: Record at all (see `enable_recording` / `disable_recording`).
        sampling_rate: The share of operation calls recorded, from 0.0 to 1.0; decided before any work.
        code_version: Stored in every recording's metadata (e.g. a git sha), to tell recordings apart.
        background_saving: Save recordings from a background thread (bounded queue; a full queue drops
            and counts) instead of at the end of each operation. Flushed at exit and by `flush`.
        max_queued: The background queue's size.
        options: The HTTP options of `use_dvd` (``match_on``, filters, ``max_body_bytes``...). Secret
            headers are redacted by default (production capture). ``record_mode`` does not apply.

    Raises:
        ConfigurationError: A bad option or sampling rate.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        cassette: Cassette,
        *,
        recording_enabled: bool = True,
        sampling_rate: float = 1.0,
        code_version: str | None = None,
        background_saving: bool = False,
        max_queued: int = 1000,
        **options: Unpack[DVDOptions],
    ) -> None:
        if "record_mode" in options:
            raise ConfigurationError(
                "Recorder takes no record_mode: operations are always recorded in full, and replayed "
                "(Recorder.play) without network"
            )
        _check_rate(sampling_rate)
        self.cassette = cassette
        self.code_version = code_version
        self._enabled = recording_enabled
        self._sampling_rate = float(sampling_rate)
        self._options = resolve_options(options, redact_secrets=True)
        self._counters = Counters()
        self._saver = BackgroundSaver(cassette, self._counters, max_queued) if background_saving else None
        #: The cattrs converter for intercepted values: register hooks for your own types on it.
        self.converter: cattrs.Converter = make_value_converter()

    # -- switches -------------------------------------------------------------------------------------

    @property
    def recording_enabled(self) -> bool:
        """Whether operations are recorded (replay works either way)."""
        return self._enabled

    @recording_enabled.setter
    def recording_enabled(self, enabled: bool) -> None:
        self._enabled = bool(enabled)

    def enable_recording(self) -> None:
        """Record operations again."""
        self._enabled = True

    def disable_recording(self) -> None:
        """Stop recording operations: decorated functions just run (replay still works)."""
        self._enabled = False

    @property
    def sampling_rate(self) -> float:
        """The share of operation calls recorded."""
        return self._sampling_rate

    @property
    def current_recording_id(self) -> str | None:
        """The id of the recording this thread or task is making (or replaying); None outside operations."""
        session = current_operation.get()
        return None if session is None else session.dvd.id

    @property
    def stats(self) -> RecorderStats:
        """How many recordings were saved, dropped (queue full) and lost to failures."""
        return self._counters.snapshot()

    def flush(self) -> None:
        """Wait until every recording finished so far is saved (background saving only; else no-op)."""
        if self._saver is not None:
            self._saver.flush()

    def close(self) -> None:
        """Flush and stop the background writer (the cassette stays open: it is the caller's)."""
        if self._saver is not None:
            self._saver.close()

    # -- decorators -----------------------------------------------------------------------------------

    def operation(
        self,
        metadata_extractor: Callable[..., Mapping[str, Any]] | None = None,
        category: str | None = None,
        sampling_rate: float | None = None,
    ) -> Callable[[Callable[P, T]], Callable[P, T]]:
        """Record every (sampled) call of the decorated function as one recording.

        Works on functions, methods, classmethods and ``async def``. Everything the call does goes into
        the recording: httpx traffic, intercepted inputs and outputs, and its result (or exception) as
        output ``"operation"``. Recording failures are logged and counted, never raised.

        Args:
            metadata_extractor: ``callable(*args, **kwargs) -> dict`` (``self`` included) whose keys go
                into the recording's metadata, beside ``recorded_at``, ``duration``, ``raised`` and
                ``code_version``; searchable with ``cassette.iter_recording_ids(metadata=...)``.
            category: The recording's category; default the owner class's name for methods and
                classmethods, else the function's qualified name.
            sampling_rate: This operation's share of calls recorded, instead of the recorder's.

        Raises:
            ConfigurationError: A sampling rate outside 0.0-1.0.
        """
        _check_rate(sampling_rate)

        def decorator(function: Any) -> Any:
            return decorate(
                function,
                lambda plain, is_classmethod: _OperationHandler(
                    self, plain, is_classmethod, metadata_extractor, category, sampling_rate
                ),
                "operation",
            )

        return decorator

    def intercept_input(
        self,
        alias: str,
        capture_args: Sequence[Any] | None = None,
        run_intercepted_when_missing: bool = False,
        value_when_missing: Any = UNSET,
        fallback_aliases: Sequence[str] | Callable[..., Sequence[str]] | None = None,
        data_handler: InputDataHandler | None = None,
    ) -> Callable[[Callable[P, T]], Callable[P, T]]:
        """Record what the decorated function returns (or raises) inside an operation; replay it from there.

        The key is *alias* plus the call's arguments bound to the signature (defaults applied, ``self``
        and ``cls`` left out): ``f(1)`` and ``f(n=1)`` are one key.

        Args:
            alias: The name of this input in recordings (keep it stable across code changes).
            capture_args: Names of the arguments that make the key (None: all; ``[]``: none).
            run_intercepted_when_missing: On replay, run the real function when the key was not recorded.
            value_when_missing: On replay, return this (or call it with the arguments, when callable) when
                the key was not recorded; any value counts, None and falsy ones included.
            fallback_aliases: Aliases (or ``callable(*args, **kwargs)`` returning them) whose recorded
                values are tried in order when *alias*'s is missing, e.g. after a rename.
            data_handler: An object with ``prepare_input_for_recording(key, value, args, kwargs)`` and
                ``restore_input_from_recording(value, args, kwargs)``, for values the converter cannot store.

        Raises:
            RecordingKeyError: (on replay) the recording has no value for the call, and no fallback applies.
            ReplayedException: (on replay) the recorded call raised.
        """
        if not isinstance(alias, str) or not alias:
            raise ConfigurationError(f"intercept_input needs a non-empty alias string, not {alias!r}")

        def decorator(function: Any) -> Any:
            return decorate(
                function,
                lambda plain, _: InputHandler(
                    self,
                    plain,
                    alias,
                    capture_args=capture_args,
                    run_intercepted_when_missing=run_intercepted_when_missing,
                    value_when_missing=value_when_missing,
                    fallback_aliases=fallback_aliases,
                    data_handler=data_handler,
                ),
                "intercept_input",
            )

        return decorator

    def intercept_output(
        self,
        alias: str,
        fail_on_no_recorded_result: bool = True,
        data_handler: OutputDataHandler | None = None,
    ) -> Callable[[Callable[P, T]], Callable[P, T]]:
        """Record the arguments and result of the decorated function; on replay capture, don't run it.

        Calls are keyed ``"{alias} #{n}"`` (n counts the calls of *alias* in the operation). On replay the
        arguments become a playback output and the recorded result is returned.

        Args:
            alias: The name of this output in recordings.
            fail_on_no_recorded_result: On replay, raise when the call was not recorded (else return None).
            data_handler: An object with ``prepare_output_for_recording(key, args, kwargs)`` returning
                what to record of the arguments.

        Raises:
            RecordingKeyError: (on replay) the call was not recorded and *fail_on_no_recorded_result*.
            ReplayedException: (on replay) the recorded call raised.
        """
        if not isinstance(alias, str) or not alias:
            raise ConfigurationError(f"intercept_output needs a non-empty alias string, not {alias!r}")

        def decorator(function: Any) -> Any:
            return decorate(
                function,
                lambda plain, _: OutputHandler(
                    self,
                    plain,
                    alias,
                    fail_on_no_recorded_result=fail_on_no_recorded_result,
                    data_handler=data_handler,
                ),
                "intercept_output",
            )

        return decorator

    # -- replay ---------------------------------------------------------------------------------------

    def play(self, recording_id: str, playback_function: Callable[[DVD], Any]) -> Playback:
        """Replay a recording: run *playback_function(dvd)* with HTTP and inputs served from the recording.

        Outputs are captured, not executed. Exceptions of the replayed operation (and playback_dvd's own,
        such as a missing input) are reported in ``Playback.playback_error``, not raised.

        Args:
            recording_id: The recording to replay (from ``cassette.iter_recording_ids``).
            playback_function: Reruns the operation, e.g. ``lambda dvd: Checkout().run(dvd.metadata["id"])``.

        Returns:
            The recorded and replayed outputs side by side, with durations and unmatched requests.

        Raises:
            RecordingNotFound: The cassette has no such recording.
        """
        self.flush()
        return play(self, recording_id, playback_function)

    async def aplay(self, recording_id: str, playback_function: Callable[[DVD], Awaitable[Any]]) -> Playback:
        """`play` for an async operation: *playback_function(dvd)* returns an awaitable."""
        self.flush()
        return await aplay(self, recording_id, playback_function)


def _check_rate(rate: float | None) -> None:
    if rate is not None and not (isinstance(rate, (int, float)) and 0.0 <= rate <= 1.0):
        raise ConfigurationError(f"sampling_rate must be between 0.0 and 1.0, not {rate!r}")


#: The name playback-studio users know.
TapeRecorder = Recorder
