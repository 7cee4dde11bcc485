"""playback's input and output interceptions: playback_dvd's intercepts, with playback's arguments and keys.

The decorators are playback_dvd's (`recorder._decorate.decorate`: sync and ``async def``, above or below
``@property``) and so are the call runners (`recorder._intercepts`): a call asks the session in charge
what it does, and the playback sessions (`._session`) answer in playback's recording shape. What is
playback's here is only what the intercept knows of a call: its keys ``input: {alias} {arguments as
canonical JSON}`` (the `CallShape` of playback_dvd: arguments bound to the signature, defaults applied,
``self`` left out; the alias filled by *alias_params_resolver*; then the fallback aliases' keys) and what
is kept of an output's arguments (``{'args': [...], 'kwargs': {...}}``, or its data handler's answer).

A playback-decorated function called inside an operation of playback_dvd's own `Recorder` is recorded and
replayed by that recorder's sessions, in its shape; a `Recorder`'s intercepts inside a playback operation
just run.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ...recorder._decorate import decorate
from ...recorder._input_keys import key_for
from ...recorder._intercepts import UNSET, InputIntercept, OutputIntercept

if TYPE_CHECKING:
    from ...recorder._core import RecorderCore

#: ``(*args, **kwargs) -> dict`` of an alias's ``{name}`` fields.
AliasParamsResolver = Callable[..., dict[str, Any]]


class PlaybackInput(InputIntercept):
    """An ``intercept_input`` of a `TapeRecorder`: playback_dvd's input intercept, with playback's keys.

    *value_when_missing* None means none (playback's convention; playback_dvd's is `UNSET`).
    """

    def __init__(
        self,
        core: RecorderCore,
        function: Callable[..., Any],
        alias: str,
        *,
        alias_params_resolver: AliasParamsResolver | None,
        capture_args: Sequence[Any] | bool | None,
        run_intercepted_when_missing: bool,
        value_when_missing: Any,
        fallback_aliases: Sequence[str] | Callable[..., Sequence[str]] | None,
        data_handler: Any,
    ) -> None:
        super().__init__(
            core,
            function,
            alias,
            capture_args=capture_args,
            run_intercepted_when_missing=run_intercepted_when_missing,
            value_when_missing=UNSET if value_when_missing is None else value_when_missing,
            fallback_aliases=fallback_aliases,
            data_handler=data_handler,
        )
        self.alias_params_resolver = alias_params_resolver

    def playback_keys(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
        """The key a call is recorded under, then the fallback aliases' keys (tried in order on replay)."""
        alias = self.alias
        if self.alias_params_resolver is not None:
            alias = alias.format(**self.alias_params_resolver(*args, **kwargs))
        plain = self.shape.plain_arguments(self.converter, self.alias, args, kwargs)
        aliases = self.fallback_aliases
        if callable(aliases):
            aliases = aliases(*args, **kwargs)
        return [f"input: {key_for(name, plain)}" for name in [alias, *(aliases or ())]]


class PlaybackOutput(OutputIntercept):
    """An ``intercept_output`` of a `TapeRecorder`: playback_dvd's output intercept, with playback's value
    shape and its default result.

    Args:
        static_function: The function has no ``self`` (playback's ``static_intercept_output``); a
            method's first argument is left out of what is recorded.
    """

    def __init__(
        self,
        core: RecorderCore,
        function: Callable[..., Any],
        alias: str,
        *,
        static_function: bool,
        fail_on_no_recorded_result: bool,
        default_result_when_not_recorded: Any,
        data_handler: Any,
    ) -> None:
        super().__init__(
            core,
            function,
            alias,
            fail_on_no_recorded_result=fail_on_no_recorded_result,
            data_handler=data_handler,
        )
        self.static_function = static_function
        self.default_result_when_not_recorded = default_result_when_not_recorded

    def playback_arguments(self, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """What is kept of a call's arguments: ``{'args': [...], 'kwargs': {...}}`` or the data handler's."""
        arguments = list(args if self.static_function else args[1:])
        if self.data_handler is not None:
            return self.data_handler.prepare_output_for_recording(key, tuple(arguments), kwargs)
        return {"args": arguments, "kwargs": kwargs}


def intercepted(target: Any, make_intercept: Callable[[Callable[..., Any]], Any], what: str) -> Any:
    """*target* decorated with the intercept *make_intercept(function)* builds (playback_dvd's decorator).

    playback also accepted generator functions (a stream is not a value: the recording is discarded when
    one is called); playback_dvd's decorator refuses them, so they get a plain wrapper here.
    """
    if inspect.isgeneratorfunction(target) or inspect.isasyncgenfunction(target):
        intercept = make_intercept(target)

        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return intercept.call(target, args, kwargs)

        return wrapper
    return decorate(target, lambda function, _: make_intercept(function), what)


class Interceptions:
    """The interception decorators of `TapeRecorder` (a mixin: the recorder holds the core)."""

    _core: RecorderCore

    def intercept_input(
        self,
        alias: str,
        alias_params_resolver: AliasParamsResolver | None = None,
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

        def decorator(target: Any) -> Any:
            return intercepted(
                target,
                lambda function: PlaybackInput(
                    self._core,
                    function,
                    alias,
                    alias_params_resolver=alias_params_resolver,
                    capture_args=capture_args,
                    run_intercepted_when_missing=run_intercepted_when_missing,
                    value_when_missing=value_when_missing,
                    fallback_aliases=fallback_aliases,
                    data_handler=data_handler,
                ),
                "intercept_input",
            )

        return decorator

    #: playback's decorator for static methods and plain functions. Keys here never count ``self`` (a
    #: signature's ``self``/``cls`` is left out by name), so the static and the method forms are one.
    static_intercept_input = intercept_input

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
            return intercepted(
                target,
                lambda function: PlaybackOutput(
                    self._core,
                    function,
                    alias,
                    static_function=static_function,
                    fail_on_no_recorded_result=fail,
                    default_result_when_not_recorded=default,
                    data_handler=data_handler,
                ),
                "intercept_output",
            )

        return decorator
