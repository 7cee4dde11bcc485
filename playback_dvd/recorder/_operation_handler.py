"""How one call of an operation runs: pass through, record into a new DVD, or replay; never failing the call.

The fast path (recording disabled, not sampled) is the first thing `_OperationHandler.call` checks: a
ContextVar read, a few attribute reads and one ``random()``.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from contextvars import Token
from datetime import datetime, timezone
from random import random
from typing import TYPE_CHECKING, Any

import attrs

from .._models import Output, OutputRecord, exception_info
from ..cassettes import new_recording_id
from ..dvd._dvd import DVD, RecordMode
from ..http._activation import HttpActivation
from ..http._handler import DVDHttpHandler
from ._decorate import stepped
from ._operation import OPERATION_OUTPUT, OperationSession, current_operation, inside_operation
from ._saving import save_now
from ._values import exception_value, to_plain

if TYPE_CHECKING:
    from ._recorder import Recorder

logger = logging.getLogger("playback_dvd")


@attrs.define
class _Recording:
    """One operation being recorded: what `OperationHandler` needs between its start and its end."""

    session: OperationSession
    handler: DVDHttpHandler
    operation_token: Token[OperationSession | None]
    http: HttpActivation
    started: float


class OperationHandler:
    """Runs the calls of one decorated operation for its `Recorder`."""

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
        # Resolved once: a Recorder's sampling rate is set in its __init__ and never changes.
        self.sampling_rate = recorder.sampling_rate if sampling_rate is None else sampling_rate
        self.qualname = function.__qualname__
        first = next(iter(inspect.signature(function).parameters), "")
        self.owner = "class" if is_classmethod or first == "cls" else ("instance" if first == "self" else "")

    # -- the fast path: recording disabled, not sampled, or nested in another operation ---------------

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        session = current_operation.get()
        if session is None:
            rate = self.sampling_rate
            if not self.recorder._enabled or (rate < 1.0 and random() >= rate):
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
            rate = self.sampling_rate
            if not self.recorder._enabled or (rate < 1.0 and random() >= rate):
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
            rate = self.sampling_rate
            if not self.recorder._enabled or (rate < 1.0 and random() >= rate):
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
            handler = DVDHttpHandler.from_options(dvd, options)
            session = OperationSession(dvd, playback=False)
        except Exception:
            recorder._counters.add(failed=1)
            logger.exception("playback_dvd: could not start recording %s", self.qualname)
            return None
        operation_token = current_operation.set(session)
        http = HttpActivation(handler)
        http.start()
        return _Recording(session, handler, operation_token, http, time.perf_counter())

    def _finish(self, recording: _Recording, result: Any, error: BaseException | None) -> None:
        duration = time.perf_counter() - recording.started
        recorder = self.recorder
        try:
            try:
                recording.http.stop()
            finally:
                current_operation.reset(recording.operation_token)
        except ValueError:  # reset from another context: never let that reach the operation's caller
            logger.exception("playback_dvd: could not end the recording session of %s", self.qualname)
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
