"""Canonical keys of intercepted calls: ``f(1)`` and ``f(n=1)`` are one key, ``self`` never counts.

A key is the alias, a space, then the call's arguments bound to the function's signature (defaults
applied; ``self``/``cls`` left out), converted to plain data and written as JSON with sorted keys. Unlike
playback's jsonpickle text, it does not change with argument order, keyword style or library versions.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from typing import Any

import cattrs

from .._errors import ConfigurationError
from ._values import to_plain

_SELF_NAMES = ("self", "cls")


class CallShape:
    """What a decorated function's signature says about building keys and argument records.

    Args:
        function: The undecorated function.
        capture_args: Names of the arguments that make the key (objects with a ``.name``, such as
            playback's ``CapturedArg``, are accepted); None means all of them, ``[]`` (or False) none.
    """

    def __init__(
        self, function: Callable[..., Any], capture_args: Sequence[Any] | bool | None = None
    ) -> None:
        if capture_args is False:  # playback's spelling of "no argument makes the key"
            capture_args = ()
        if capture_args is True:
            raise TypeError("capture_args takes None (all arguments), [] or False (none), or names")
        self.signature = inspect.signature(function)
        parameters = list(self.signature.parameters)
        self.skips_first = bool(parameters) and parameters[0] in _SELF_NAMES
        # Binding by hand is ~5x cheaper than Signature.bind; used when the signature is simple (no
        # *args, **kwargs nor positional-only), with Signature.bind as the fallback that also explains errors.
        kinds = {parameter.kind for parameter in self.signature.parameters.values()}
        self._simple = kinds <= {inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY}
        self._positional = tuple(
            name
            for name, parameter in self.signature.parameters.items()
            if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        self._names = frozenset(parameters)
        self._defaults = tuple(
            (name, parameter.default)
            for name, parameter in self.signature.parameters.items()
            if parameter.default is not inspect.Parameter.empty
        )
        self._first = parameters[0] if parameters else ""
        self.capture = (
            None
            if capture_args is None
            else tuple(arg if isinstance(arg, str) else str(arg.name) for arg in capture_args)
        )
        if self.capture is not None:
            unknown = [name for name in self.capture if name not in parameters]
            if unknown:
                raise ConfigurationError(
                    f"capture_args names {unknown} are not parameters of {function.__qualname__}"
                    f"{self.signature}"
                )

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's arguments by parameter name, defaults applied, ``self``/``cls`` left out."""
        if self._simple and len(args) <= len(self._positional):
            arguments = dict(zip(self._positional, args, strict=False))  # fewer args than names: fine
            names = self._names
            for name, value in kwargs.items():
                if name not in names or name in arguments:
                    break
                arguments[name] = value
            else:
                for name, default in self._defaults:
                    if name not in arguments:
                        arguments[name] = default
                if len(arguments) == len(names):
                    if self.skips_first:
                        del arguments[self._first]
                    return arguments
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        if self.skips_first:
            arguments.pop(next(iter(self.signature.parameters)), None)
        return arguments

    def plain_arguments(
        self, converter: cattrs.Converter, alias: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """The captured arguments of this call as plain data: what its key is made of.

        Raises:
            TypeError: The arguments do not fit the signature.
            UnstorableValueError: An argument cannot be converted to plain data.
        """
        arguments = self.arguments(args, kwargs)
        if self.capture is not None:
            arguments = {name: arguments[name] for name in self.capture if name in arguments}
        return to_plain(converter, arguments, alias)

    def key(
        self, converter: cattrs.Converter, alias: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> str:
        """The canonical key of this call under *alias*.

        Raises:
            TypeError: The arguments do not fit the signature.
            UnstorableValueError: An argument cannot be converted to plain data.
        """
        return key_for(alias, self.plain_arguments(converter, alias, args, kwargs))


def key_for(alias: str, plain_arguments: dict[str, Any]) -> str:
    """The key text of *alias* called with *plain_arguments* (already plain data)."""
    return f"{alias} {_ENCODER.encode(plain_arguments)}"


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
