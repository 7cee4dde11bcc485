"""How one call of an operation runs: start a recording session, or do what the session in charge says.

Outside any session a sampled call starts a `RecordingSession`; inside one, the session decides
(`OperationSession.operation_call`): a replay captures the replayed operation's result, anything else just
runs. The fast path (recording disabled, not sampled) is the first thing `OperationRunner.call` checks: a
ContextVar read, a few attribute reads and one ``random()``. Recording never fails the call.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
from collections.abc import Awaitable, Callable, Generator, Mapping
from datetime import datetime, timezone
from random import random
from typing import TYPE_CHECKING, Any

from ._decorate import stepped
from ._recording import RecordingSession
from ._session import PASS_THROUGH, InterceptedCall, current_session, inside_operation, operation_name
from ._values import to_plain

if TYPE_CHECKING:
    from ._core import RecorderCore

logger = logging.getLogger("playback_dvd")


def run_operation_call(
    call: InterceptedCall, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Run an operation's call as the session in charge decided: *call* hears how it ended.

    Also the runner of playback's operations (``compat.playback``), whose sessions answer the same way.
    """
    if call is PASS_THROUGH:
        return function(*args, **kwargs)
    token = inside_operation.set(True)
    try:
        result = function(*args, **kwargs)
    except BaseException as error:
        call.raised(error)
        raise
    finally:
        inside_operation.reset(token)
    call.returned(result)
    return result


class OperationRunner:
    """Runs the calls of one decorated operation for its recorder."""

    def __init__(
        self,
        core: RecorderCore,
        function: Callable[..., Any],
        is_classmethod: bool,
        metadata_extractor: Callable[..., Mapping[str, Any]] | None,
        category: str | None,
        sampling_rate: float | None,
    ) -> None:
        self.core = core
        self.metadata_extractor = metadata_extractor
        self.category = category
        # Resolved once: a Recorder's sampling rate is set in its __init__ and never changes.
        self.sampling_rate = core.sampling_rate if sampling_rate is None else sampling_rate
        self.qualname = function.__qualname__
        #: What a recording stores as its ``operation`` metadata, and a comparison's replay checks.
        self.operation_name = operation_name(function)
        first = next(iter(inspect.signature(function).parameters), "")
        self.owner = "class" if is_classmethod or first == "cls" else ("instance" if first == "self" else "")

    # -- the fast path: recording disabled, not sampled, or nested in another operation ---------------

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        session = current_session.get()
        if session is None:
            rate = self.sampling_rate
            if not self.core.enabled or (rate < 1.0 and random() >= rate):
                return function(*args, **kwargs)
            recording = self._start(args, kwargs)
            if recording is None:
                return function(*args, **kwargs)
            try:
                result = function(*args, **kwargs)
            except BaseException as error:
                recording.finish(None, error)
                raise
            recording.finish(result, None)
            return result
        call = session.operation_call(self.core.converter, self.operation_name, self.core.code_version)
        return run_operation_call(call, function, args, kwargs)

    async def acall(
        self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        session = current_session.get()
        if session is None:
            rate = self.sampling_rate
            if not self.core.enabled or (rate < 1.0 and random() >= rate):
                return await function(*args, **kwargs)
            recording = self._start(args, kwargs)
            if recording is None:
                return await function(*args, **kwargs)
            try:
                result = await function(*args, **kwargs)
            except BaseException as error:
                recording.finish(None, error)
                raise
            recording.finish(result, None)
            return result
        call = session.operation_call(self.core.converter, self.operation_name, self.core.code_version)
        if call is PASS_THROUGH:
            return await function(*args, **kwargs)
        token = inside_operation.set(True)
        try:
            result = await function(*args, **kwargs)
        except BaseException as error:
            call.raised(error)
            raise
        finally:
            inside_operation.reset(token)
        call.returned(result)
        return result

    def iterate(
        self, function: Callable[..., Generator[Any, Any, Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Generator[Any, Any, Any]:
        """A generator operation: its body runs in a context of its own; the yielded items are its result."""
        session = current_session.get()
        if session is None:
            rate = self.sampling_rate
            if not self.core.enabled or (rate < 1.0 and random() >= rate):
                return (yield from function(*args, **kwargs))
            context = contextvars.copy_context()
            recording = context.run(self._start, args, kwargs)
            if recording is None:
                return (yield from function(*args, **kwargs))
            items: list[Any] = []
            try:
                returned = yield from stepped(context, function(*args, **kwargs), items)
            except GeneratorExit:  # the consumer stopped early: what it took is the result
                context.run(recording.finish, items, None)
                raise
            except BaseException as error:
                context.run(recording.finish, None, error)
                raise
            context.run(recording.finish, items, None)
            return returned
        call = session.operation_call(self.core.converter, self.operation_name, self.core.code_version)
        if call is PASS_THROUGH:
            return (yield from function(*args, **kwargs))
        context = contextvars.copy_context()
        context.run(inside_operation.set, True)
        yielded: list[Any] = []
        try:
            returned = yield from stepped(context, function(*args, **kwargs), yielded)
        except GeneratorExit:
            call.returned(yielded)
            raise
        except BaseException as error:
            call.raised(error)
            raise
        call.returned(yielded)
        return returned

    # -- starting a recording -------------------------------------------------------------------------

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
            plain = to_plain(self.core.converter, dict(extracted), "metadata_extractor")
            assert isinstance(plain, dict)
            return plain
        except Exception:
            logger.warning(
                "playback_dvd: metadata_extractor of %s failed; recording without its metadata",
                self.qualname,
                exc_info=True,
            )
            return {}

    def _start(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> RecordingSession | None:
        try:
            recorded_at = datetime.now(timezone.utc)
            metadata = self._metadata(args, kwargs)
            metadata["recorded_at"] = recorded_at.isoformat()
            metadata["operation"] = self.operation_name
            recording = RecordingSession(
                self.core,
                name=self.qualname,
                category=self._category_of(args),
                metadata=metadata,
                recorded_at=recorded_at,
            )
        except Exception:
            self.core.count_failure()
            logger.exception("playback_dvd: could not start recording %s", self.qualname)
            return None
        recording.start()
        return recording
