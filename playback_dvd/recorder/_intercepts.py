"""``intercept_input`` and ``intercept_output``: record an operation's reads and writes, replay them.

Inside an intercepted call, nested intercepts pass through and httpx traffic is not recorded: the
intercepted call's value stands for all of it, and a replay never runs the call (inputs) or its effects
(outputs), so recording what happens inside would only leave requests the replay never makes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .._errors import ReplayedException
from .._models import InputRecord, Output, OutputRecord, exception_info
from ..http._active import current_http_handler
from ._input_keys import CallShape, key_for
from ._operation import OperationSession, current_operation, inside_interception
from ._values import from_plain, return_type, to_plain

if TYPE_CHECKING:
    from ._recorder import Recorder

logger = logging.getLogger("playback_dvd")


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


#: The default of ``value_when_missing``: no fallback value (any other value, even None or 0, is one).
UNSET: Any = _Unset()
_RUN = _Unset()  # a replay lookup's answer meaning: run the real function


class InputDataHandler(Protocol):
    """Turns an input's value into storable data and back (playback's ``InputInterceptionDataHandler``)."""

    def prepare_input_for_recording(
        self, key: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any: ...

    def restore_input_from_recording(
        self, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any: ...


class OutputDataHandler(Protocol):
    """Chooses what is recorded of an output call's arguments (as playback's output data handler)."""

    def prepare_output_for_recording(
        self, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any: ...


class _intercepting:  # noqa: N801  # used like a function; a class is cheaper than @contextmanager
    """Inside an intercepted call: nested intercepts pass through, and httpx traffic is not recorded."""

    __slots__ = ("_http", "_inside")

    def __enter__(self) -> None:
        self._inside = inside_interception.set(True)
        self._http = current_http_handler.set(None)

    def __exit__(self, *exc_info: object) -> None:
        current_http_handler.reset(self._http)
        inside_interception.reset(self._inside)


class _Intercept:
    def __init__(
        self, recorder: Recorder, function: Callable[..., Any], alias: str, capture_args: Any
    ) -> None:
        self.recorder = recorder
        self.alias = alias
        self.function = function
        self.shape = CallShape(function, capture_args)
        self._returns: Any = UNSET

    @property
    def returns(self) -> Any:
        # Resolved on first replay, not at decoration: annotations may name classes defined later.
        if self._returns is UNSET:
            self._returns = return_type(self.function)
        return self._returns

    def _fail(self, session: OperationSession, error: BaseException) -> None:
        logger.warning("playback_dvd: %s; the recording will be dropped", error)
        session.fail(self.alias, error)


class InputHandler(_Intercept):
    """Records an input's result under its canonical key; replays it from there."""

    def __init__(
        self,
        recorder: Recorder,
        function: Callable[..., Any],
        alias: str,
        *,
        capture_args: Sequence[Any] | None,
        run_intercepted_when_missing: bool,
        value_when_missing: Any,
        fallback_aliases: Sequence[str] | Callable[..., Sequence[str]] | None,
        data_handler: InputDataHandler | None,
    ) -> None:
        super().__init__(recorder, function, alias, capture_args)
        self.run_intercepted_when_missing = run_intercepted_when_missing
        self.value_when_missing = value_when_missing
        self.fallback_aliases = fallback_aliases
        self.data_handler = data_handler

    # -- recording ------------------------------------------------------------------------------------

    def _key(self, session: OperationSession, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        try:
            return self.shape.key(self.recorder.converter, self.alias, args, kwargs)
        except Exception as error:
            self._fail(session, error)
            return None

    def _keep(
        self,
        session: OperationSession,
        key: str,
        value: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        try:
            if self.data_handler is not None:
                value = self.data_handler.prepare_input_for_recording(key, value, args, kwargs)
            session.record_input(key, InputRecord(value=to_plain(self.recorder.converter, value, self.alias)))
        except Exception as error:
            self._fail(session, error)

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        session = current_operation.get()
        if session is None or inside_interception.get():
            return function(*args, **kwargs)
        if session.playback:
            found = self._replayed(session, args, kwargs)
            if found is _RUN:
                with _intercepting():
                    return function(*args, **kwargs)
            return found
        key = self._key(session, args, kwargs)
        with _intercepting():
            try:
                value = function(*args, **kwargs)
            except Exception as error:
                if key is not None:
                    session.record_input(key, InputRecord(exception=exception_info(error)))
                raise
        if key is not None:
            self._keep(session, key, value, args, kwargs)
        return value

    async def acall(
        self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        session = current_operation.get()
        if session is None or inside_interception.get():
            return await function(*args, **kwargs)
        if session.playback:
            found = self._replayed(session, args, kwargs)
            if found is _RUN:
                with _intercepting():
                    return await function(*args, **kwargs)
            return found
        key = self._key(session, args, kwargs)
        with _intercepting():
            try:
                value = await function(*args, **kwargs)
            except Exception as error:
                if key is not None:
                    session.record_input(key, InputRecord(exception=exception_info(error)))
                raise
        if key is not None:
            self._keep(session, key, value, args, kwargs)
        return value

    # -- replay ---------------------------------------------------------------------------------------

    def _replayed(self, session: OperationSession, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The recorded value (or raise the recorded exception); `_RUN` when the real call should run."""
        converter = self.recorder.converter
        plain = self.shape.plain_arguments(converter, self.alias, args, kwargs)  # kept for fallback aliases
        key = key_for(self.alias, plain)
        record = session.dvd.inputs.get(key)
        if record is None and self.fallback_aliases is not None:
            # Only when the key is missing: a fallback callable runs (and may fail) only when needed.
            aliases = self.fallback_aliases
            if callable(aliases):
                aliases = aliases(*args, **kwargs)
            for alias in aliases or ():
                record = session.dvd.inputs.get(key_for(alias, plain))
                if record is not None:
                    break
        if record is None:
            if self.run_intercepted_when_missing:
                return _RUN
            if self.value_when_missing is not UNSET:  # falsy values count (playback ignored them: a bug)
                missing = self.value_when_missing
                return missing(*args, **kwargs) if callable(missing) else missing
            raise session.missing_input(key)
        if record.exception is not None:
            raise ReplayedException(record.exception.type_name, record.exception.message)
        if self.data_handler is not None:
            return self.data_handler.restore_input_from_recording(record.value, args, kwargs)
        return from_plain(converter, record.value, self.returns)


class OutputHandler(_Intercept):
    """Records an output call's arguments and result; on replay captures the arguments, runs nothing."""

    def __init__(
        self,
        recorder: Recorder,
        function: Callable[..., Any],
        alias: str,
        *,
        fail_on_no_recorded_result: bool,
        data_handler: OutputDataHandler | None,
    ) -> None:
        super().__init__(recorder, function, alias, None)
        self.fail_on_no_recorded_result = fail_on_no_recorded_result
        self.data_handler = data_handler

    def _arguments(self, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.data_handler is not None:
            arguments = self.data_handler.prepare_output_for_recording(key, args, kwargs)
        else:
            arguments = self.shape.arguments(args, kwargs)
        return to_plain(self.recorder.converter, arguments, self.alias)

    def _before(
        self, session: OperationSession, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[str, Any]:
        key = session.next_output_key(self.alias)
        try:
            return key, self._arguments(key, args, kwargs)
        except Exception as error:
            self._fail(session, error)
            return key, None

    def _after(self, session: OperationSession, key: str, arguments: Any, result: Any) -> None:
        try:
            plain = to_plain(self.recorder.converter, result, self.alias)
        except Exception as error:
            self._fail(session, error)
            return
        session.record_output(OutputRecord(key, arguments, plain))

    def _replayed(self, session: OperationSession, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        key = session.next_output_key(self.alias)
        session.add_playback_output(Output(key, self._arguments(key, args, kwargs)))
        record = session.recorded_output(key)
        if record is None:
            if self.fail_on_no_recorded_result:
                raise session.missing_output(key)
            return None
        if record.exception is not None:
            raise ReplayedException(record.exception.type_name, record.exception.message)
        return from_plain(self.recorder.converter, record.result, self.returns)

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        session = current_operation.get()
        if session is None or inside_interception.get():
            return function(*args, **kwargs)
        if session.playback:
            return self._replayed(session, args, kwargs)
        key, arguments = self._before(session, args, kwargs)
        with _intercepting():
            try:
                result = function(*args, **kwargs)
            except Exception as error:
                session.record_output(OutputRecord(key, arguments, exception=exception_info(error)))
                raise
        self._after(session, key, arguments, result)
        return result

    async def acall(
        self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        session = current_operation.get()
        if session is None or inside_interception.get():
            return await function(*args, **kwargs)
        if session.playback:
            return self._replayed(session, args, kwargs)
        key, arguments = self._before(session, args, kwargs)
        with _intercepting():
            try:
                result = await function(*args, **kwargs)
            except Exception as error:
                session.record_output(OutputRecord(key, arguments, exception=exception_info(error)))
                raise
        self._after(session, key, arguments, result)
        return result
