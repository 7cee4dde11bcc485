"""The one decorator engine behind ``operation``, ``intercept_input`` and ``intercept_output``.

It picks the sync or async wrapper from the decorated function, unwraps ``classmethod`` and
``staticmethod`` objects (decorating them keeps them what they were), and keeps the user's signature for
type checkers through ``ParamSpec``.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable, Generator
from typing import Any, Protocol

from .._errors import ConfigurationError


class CallRunner(Protocol):
    """Runs one call of a decorated function: pass it through, record it, or replay it.

    A runner may also have ``iterate(function, args, kwargs) -> Generator`` to support generator functions.
    """

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run a call of a sync function."""

    async def acall(
        self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Run a call of an ``async def`` function."""


#: Builds the runner of a function: (the plain function, whether it was a classmethod) -> runner.
RunnerFactory = Callable[[Callable[..., Any], bool], CallRunner]


def decorate(target: Any, make_runner: RunnerFactory, what: str) -> Any:
    """Wrap *target* (function, classmethod, staticmethod or property) so calls go through a runner.

    Raises:
        ConfigurationError: *target* is not callable, or is a generator function (*what* names the decorator).
    """
    if isinstance(target, classmethod):
        return classmethod(_wrap(target.__func__, make_runner(target.__func__, True), what))
    if isinstance(target, staticmethod):
        return staticmethod(_wrap(target.__func__, make_runner(target.__func__, False), what))
    if isinstance(target, property) and target.fget is not None:
        # Above @property: the getter is what runs (and is recorded); the property stays a property.
        getter = _wrap(target.fget, make_runner(target.fget, False), what)
        return property(getter, target.fset, target.fdel, target.__doc__)
    if not callable(target):
        raise ConfigurationError(f"{what} decorates functions and methods, not {type(target).__name__}")
    return _wrap(target, make_runner(target, False), what)


def _wrap(function: Callable[..., Any], runner: CallRunner, what: str) -> Callable[..., Any]:
    iterate = getattr(runner, "iterate", None)
    if inspect.isgeneratorfunction(function) and iterate is not None:

        @functools.wraps(function)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            return (yield from iterate(function, args, kwargs))

        return generator_wrapper
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        # Intercepts stand for one value, not a stream; and an async generator's steps run in the
        # consumer's context, where no session of its own can be kept. Decorate a function returning a list.
        raise ConfigurationError(
            f"{what} cannot decorate the generator function {function.__qualname__}: decorate a function "
            "that returns the items (a list) instead"
        )
    if inspect.iscoroutinefunction(function):
        acall = runner.acall

        @functools.wraps(function)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await acall(function, args, kwargs)

        return async_wrapper

    call = runner.call

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return call(function, args, kwargs)

    return wrapper


def stepped(context: contextvars.Context, generator: Generator[Any, Any, Any], items: list[Any]) -> Any:
    """Run *generator* one step at a time inside *context*, collecting what it yields into *items*.

    The consumer runs between the steps in its own context, so a session kept in *context* covers the
    generator's body and nothing else. ``send``, ``throw`` and ``close`` reach the generator.
    """
    method: Callable[[Any], Any] = generator.send
    argument: Any = None
    while True:
        try:
            item = context.run(method, argument)
        except StopIteration as stop:
            return stop.value
        items.append(item)
        try:
            argument = yield item
            method = generator.send
        except GeneratorExit:
            context.run(generator.close)
            raise
        except BaseException as error:
            method, argument = generator.throw, error
