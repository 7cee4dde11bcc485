"""The one decorator engine behind ``operation``, ``intercept_input`` and ``intercept_output``.

It picks the sync or async wrapper from the decorated function, unwraps ``classmethod`` and
``staticmethod`` objects (decorating them keeps them what they were), and keeps the user's signature for
type checkers through ``ParamSpec``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


class CallHandler(Protocol):
    """Runs one call of a decorated function: pass it through, record it, or replay it."""

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run a call of a sync function."""

    async def acall(
        self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Run a call of an ``async def`` function."""


#: Builds the handler of a function: (the plain function, whether it was a classmethod) -> handler.
HandlerFactory = Callable[[Callable[..., Any], bool], CallHandler]


def decorate(target: Any, make_handler: HandlerFactory, what: str) -> Any:
    """Wrap *target* (a function, ``classmethod`` or ``staticmethod``) so its calls go through a handler.

    Raises:
        TypeError: *target* is not callable, or is a generator function (*what* names the decorator).
    """
    if isinstance(target, classmethod):
        return classmethod(_wrap(target.__func__, make_handler(target.__func__, True), what))
    if isinstance(target, staticmethod):
        return staticmethod(_wrap(target.__func__, make_handler(target.__func__, False), what))
    if not callable(target):
        raise TypeError(f"{what} decorates functions and methods, not {type(target).__name__}")
    return _wrap(target, make_handler(target, False), what)


def _wrap(function: Callable[..., Any], handler: CallHandler, what: str) -> Callable[..., Any]:
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        # A generator's body runs between the caller's steps, outside any session we could open around the
        # call; recording it would capture the caller's own work. Decorate a function returning a list.
        raise TypeError(
            f"{what} cannot decorate the generator function {function.__qualname__}: decorate a function "
            "that returns the items (a list) instead"
        )
    if inspect.iscoroutinefunction(function):
        acall = handler.acall

        @functools.wraps(function)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await acall(function, args, kwargs)

        return async_wrapper

    call = handler.call

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return call(function, args, kwargs)

    return wrapper


def typed(decorator: Callable[[Any], Any]) -> Callable[[F], F]:
    """Declare that *decorator* keeps the decorated function's type (its signature and return type)."""
    return cast(Callable[[F], F], decorator)
