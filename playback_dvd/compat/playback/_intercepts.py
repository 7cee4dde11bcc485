"""playback's input and output interceptions (sync and ``async def``), on playback_dvd's key builder.

Keys: ``input: {alias} {arguments as canonical JSON}`` (playback_dvd's `CallShape`: arguments bound to the
signature, defaults applied, ``self`` left out) and ``output: {alias} #{n}``. Inside an intercepted call,
nested interceptions pass through and httpx traffic is not recorded (the intercepted value stands for it).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from ..._errors import _closest_first as closest_first
from ...recorder._input_keys import CallShape, key_for
from ...recorder._intercepts import _intercepting
from ._session import Output, Session, is_unresolved_async
from ._values import CONVERTER
from .exceptions import InputInterceptionKeyCreationError, RecordingKeyError

logger = logging.getLogger("playback_dvd")

_OPERATION_OUTPUT_ALIAS = "_tape_recorder_operation"


class _InputSpec:
    """How one input interception builds its keys and what it does when the recording lacks them."""

    def __init__(
        self,
        function: Callable[..., Any],
        alias: str,
        alias_params_resolver: Callable[..., Mapping_] | None,
        data_handler: Any,
        capture_args: Sequence[Any] | bool | None,
        run_intercepted_when_missing: bool,
        value_when_missing: Any,
        fallback_aliases: Sequence[str] | Callable[..., Sequence[str]] | None,
    ) -> None:
        self.shape = CallShape(function, capture_args)
        self.alias = alias
        self.alias_params_resolver = alias_params_resolver
        self.data_handler = data_handler
        self.run_intercepted_when_missing = run_intercepted_when_missing
        self.value_when_missing = value_when_missing
        self.fallback_aliases = fallback_aliases

    def keys(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
        """The key to record under, then the fallback aliases' keys."""
        alias = self.alias
        if self.alias_params_resolver is not None:
            alias = alias.format(**self.alias_params_resolver(*args, **kwargs))
        plain = self.shape.plain_arguments(CONVERTER, alias, args, kwargs)
        aliases = self.fallback_aliases
        if callable(aliases):
            aliases = aliases(*args, **kwargs)
        return [f"input: {key_for(name, plain)}" for name in [alias, *(aliases or ())]]


Mapping_ = dict[str, Any]


class Interceptions:
    """The interception decorators of `TapeRecorder` (a mixin: the recorder holds the session state)."""

    OPERATION_OUTPUT_ALIAS = _OPERATION_OUTPUT_ALIAS
    _state: ContextVar[Session | None]

    def _should_intercept(self) -> bool:
        raise NotImplementedError

    def discard_recording(self) -> None:
        raise NotImplementedError

    def _record_data(self, key: str, value: Any) -> None:
        raise NotImplementedError

    def _copy(self, value: Any) -> Any:
        raise NotImplementedError

    # -- inputs ---------------------------------------------------------------------------------------

    def intercept_input(
        self,
        alias: str,
        alias_params_resolver: Callable[..., Mapping_] | None = None,
        data_handler: Any = None,
        capture_args: Sequence[Any] | bool | None = None,
        run_intercepted_when_missing: bool = False,
        value_when_missing: Any = None,
        fallback_aliases: Sequence[str] | Callable[..., Sequence[str]] | None = None,
    ) -> Callable[[Any], Any]:
        """Record what the decorated method (or ``property``) returns or raises; replay it from there.

        Args:
            alias: The input's name in recordings (``{name}`` fields are filled by *alias_params_resolver*).
            alias_params_resolver: ``(*args, **kwargs) -> dict`` of the alias's fields.
            data_handler: An `InputInterceptionDataHandler`, for values that are not plain data.
            capture_args: The arguments that make the key: None all, ``[]`` or False none, or a list of
                `CapturedArg` (matched by name).
            run_intercepted_when_missing: On replay, run the real method when the key was not recorded.
            value_when_missing: On replay, return this (or call it with the arguments) when the key was
                not recorded; any value but None counts (playback ignored falsy ones).
            fallback_aliases: Aliases (or a function returning them) tried when *alias* was not recorded.
        """
        return self._intercept_input(
            functools.partial(
                _InputSpec,
                alias=alias,
                alias_params_resolver=alias_params_resolver,
                data_handler=data_handler,
                capture_args=capture_args,
                run_intercepted_when_missing=run_intercepted_when_missing,
                value_when_missing=value_when_missing,
                fallback_aliases=fallback_aliases,
            )
        )

    #: playback's decorator for static methods and plain functions. Keys here never count ``self`` (a
    #: signature's ``self``/``cls`` is left out by name), so the static and the method forms are one.
    static_intercept_input = intercept_input

    def _intercept_input(self, make_spec: Callable[[Callable[..., Any]], _InputSpec]) -> Callable[[Any], Any]:
        def decorator(target: Any) -> Any:
            if isinstance(target, property):  # @intercept_input above @property
                assert target.fget is not None
                return property(decorator(target.fget), target.fset, target.fdel, target.__doc__)
            spec = make_spec(target)
            if inspect.iscoroutinefunction(target):

                @functools.wraps(target)
                async def async_decorated(*args: Any, **kwargs: Any) -> Any:
                    if not self._should_intercept():
                        return await target(*args, **kwargs)
                    keys = self._input_keys(spec, args, kwargs)
                    session = self._state.get()
                    assert session is not None
                    if session.playback:
                        found = self._replayed_input(session, spec, keys, args, kwargs)
                        if found is not _RUN:
                            return found
                        with _intercepting():
                            return await target(*args, **kwargs)
                    key = keys[0] if keys else None
                    with _intercepting():
                        try:
                            result = await target(*args, **kwargs)
                        except Exception as error:
                            self._record_exception(key, error)
                            raise
                    return self._recorded_result(key, result, args, kwargs, spec.data_handler)

                return async_decorated

            @functools.wraps(target)
            def decorated(*args: Any, **kwargs: Any) -> Any:
                if not self._should_intercept():
                    return target(*args, **kwargs)
                keys = self._input_keys(spec, args, kwargs)
                session = self._state.get()
                assert session is not None
                if session.playback:
                    found = self._replayed_input(session, spec, keys, args, kwargs)
                    if found is not _RUN:
                        return found
                    with _intercepting():
                        return target(*args, **kwargs)
                return self._run_and_record(
                    target, keys[0] if keys else None, args, kwargs, spec.data_handler
                )

            return decorated

        return decorator

    def _input_keys(self, spec: _InputSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
        try:
            return spec.keys(args, kwargs)
        except Exception as error:
            message = f"input interception key creation error for alias {spec.alias!r} - {error!r}"
            session = self._state.get()
            if session is not None and session.playback:
                raise InputInterceptionKeyCreationError(message) from error
            logger.warning("playback_dvd: %s; the recording is discarded", message)
            self.discard_recording()
            return []

    def _replayed_input(
        self,
        session: Session,
        spec: _InputSpec,
        keys: list[str],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        try:
            return self._replayed(session, keys, args, kwargs, spec.data_handler)
        except RecordingKeyError:
            if spec.run_intercepted_when_missing:
                return _RUN
            missing = spec.value_when_missing
            if missing is not None:
                return missing(*args, **kwargs) if callable(missing) else missing
            raise

    # -- outputs --------------------------------------------------------------------------------------

    def intercept_output(
        self,
        alias: str,
        data_handler: Any = None,
        fail_on_no_recorded_result: bool = True,
        default_result_when_not_recorded: Any = None,
    ) -> Callable[[Any], Any]:
        """Record the decorated method's arguments (``{'args': [...], 'kwargs': {...}}``) and result.

        On replay the method does not run: its arguments become a playback output and the recorded result
        is returned.

        Args:
            alias: The output's name in recordings.
            data_handler: An `OutputInterceptionDataHandler`: what to record of the arguments (it gets
                them without ``self``).
            fail_on_no_recorded_result: On replay, raise `RecordingKeyError` when the call was not recorded.
            default_result_when_not_recorded: Otherwise, return this.
        """
        return self._intercept_output(
            alias, data_handler, fail_on_no_recorded_result, default_result_when_not_recorded, False
        )

    def static_intercept_output(
        self,
        alias: str,
        data_handler: Any = None,
        fail_on_no_recorded_result: bool = True,
        default_result_when_not_recorded: Any = None,
    ) -> Callable[[Any], Any]:
        """`intercept_output` for a static method or a plain function."""
        return self._intercept_output(
            alias, data_handler, fail_on_no_recorded_result, default_result_when_not_recorded, True
        )

    def _intercept_output(
        self, alias: str, data_handler: Any, fail: bool, default: Any, static_function: bool
    ) -> Callable[[Any], Any]:
        def decorator(target: Any) -> Any:
            if inspect.iscoroutinefunction(target):

                @functools.wraps(target)
                async def async_decorated(*args: Any, **kwargs: Any) -> Any:
                    if not self._should_intercept():
                        return await target(*args, **kwargs)
                    key = self._output_call(alias, data_handler, static_function, args, kwargs)
                    if key is None:
                        return await target(*args, **kwargs)
                    session = self._state.get()
                    if session is not None and session.playback:
                        return self._replayed_output(session, key, args, kwargs, fail, default)
                    with _intercepting():
                        try:
                            result = await target(*args, **kwargs)
                        except Exception as error:
                            self._record_exception(key, error)
                            raise
                    return self._recorded_result(key, result, args, kwargs, None)

                return async_decorated

            @functools.wraps(target)
            def decorated(*args: Any, **kwargs: Any) -> Any:
                if not self._should_intercept():
                    return target(*args, **kwargs)
                key = self._output_call(alias, data_handler, static_function, args, kwargs)
                if key is None:
                    return target(*args, **kwargs)
                session = self._state.get()
                if session is not None and session.playback:
                    return self._replayed_output(session, key, args, kwargs, fail, default)
                return self._run_and_record(target, key, args, kwargs, None)

            return decorated

        return decorator

    def _replayed_output(
        self,
        session: Session,
        key: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        fail: bool,
        default: Any,
    ) -> Any:
        try:
            return self._replayed(session, [key], args, kwargs, None)
        except RecordingKeyError:
            if fail:
                raise
            return default

    def _output_call(
        self,
        alias: str,
        data_handler: Any,
        static_function: bool,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> str | None:
        """Record (or, replaying, capture) the call's arguments; the key of its result, None if discarded."""
        session = self._state.get()
        assert session is not None
        number = session.next_invocation(alias)
        self._record_output(alias, number, list(args if static_function else args[1:]), kwargs, data_handler)
        if not self._should_intercept():
            return None
        return f"output: {alias} #{number}.result"

    def _record_output(
        self, alias: str, number: int, args: list[Any], kwargs: dict[str, Any], data_handler: Any = None
    ) -> None:
        key = f"output: {alias} #{number}.output"
        if data_handler is not None:
            try:
                value = data_handler.prepare_output_for_recording(key, tuple(args), kwargs)
            except Exception:
                logger.warning(
                    "playback_dvd: the output data handler failed for %r; the recording is discarded",
                    key,
                    exc_info=True,
                )
                self.discard_recording()
                return
        else:
            value = {"args": args, "kwargs": kwargs}
        session = self._state.get()
        if session is None:
            return
        if session.playback:
            session.add_output(Output(key, value))
            return
        self._record_data(key, value)

    # -- shared by inputs and outputs ----------------------------------------------------------------

    def _replayed(
        self,
        session: Session,
        keys: list[str],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        data_handler: Any,
    ) -> Any:
        recorded_keys = session.recording.get_all_keys()
        present = set(recorded_keys)
        key = next((candidate for candidate in keys if candidate in present), None)
        if key is None:
            wanted = keys[0] if keys else ""
            closest = ", ".join(repr(k) for k in closest_first(wanted, recorded_keys)[:3]) or "(none)"
            raise RecordingKeyError(
                f"none of the keys {keys} is in recording {session.recording.id}; closest recorded: {closest}"
            )
        recorded = session.recording.get_data(key)
        if isinstance(recorded, dict) and "exception" in recorded:
            raise recorded["exception"]
        value = recorded["value"] if isinstance(recorded, dict) and "value" in recorded else recorded
        if data_handler is not None:
            value = data_handler.restore_input_from_recording(value, args, kwargs)
        return value

    def _run_and_record(
        self,
        function: Callable[..., Any],
        key: str | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        data_handler: Any,
    ) -> Any:
        with _intercepting():
            try:
                result = function(*args, **kwargs)
            except Exception as error:
                self._record_exception(key, error)
                raise
        return self._recorded_result(key, result, args, kwargs, data_handler)

    def _record_exception(self, key: str | None, error: Exception) -> None:
        if key is not None:
            self._record_data(key, {"exception": error})

    def _recorded_result(
        self, key: str | None, result: Any, args: tuple[Any, ...], kwargs: dict[str, Any], data_handler: Any
    ) -> Any:
        session = self._state.get()
        if key is None or session is None or session.discarded:
            return result
        if is_unresolved_async(result):
            logger.warning(
                "playback_dvd: %r returned %s, which cannot be recorded: declare the intercepted function "
                "with 'async def'",
                key,
                type(result).__name__,
            )
            self.discard_recording()
            return result
        recorded = result
        if data_handler is not None:
            try:
                recorded = data_handler.prepare_input_for_recording(key, result, args, kwargs)
            except Exception:
                logger.warning(
                    "playback_dvd: the input data handler failed for %r; the recording is discarded",
                    key,
                    exc_info=True,
                )
                self.discard_recording()
                return result
        if session.parameters.copy_data_on_intercepion:
            try:
                recorded = self._copy(recorded)
            except Exception as error:
                logger.warning("playback_dvd: recorded data could not be copied (%r)", error)
        self._record_data(key, {"value": recorded})
        return result


_RUN: Any = object()  # a replay's answer meaning: run the real function
