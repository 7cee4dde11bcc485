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

from ._values import to_plain

_SELF_NAMES = ("self", "cls")


class CallShape:
    """What a decorated function's signature says about building keys and argument records.

    Args:
        function: The undecorated function.
        capture_args: Names of the arguments that make the key (objects with a ``.name``, such as
            playback's ``CapturedArg``, are accepted); None means all of them, ``[]`` none.
    """

    def __init__(self, function: Callable[..., Any], capture_args: Sequence[Any] | None = None) -> None:
        self.signature = inspect.signature(function)
        parameters = list(self.signature.parameters)
        self.skips_first = bool(parameters) and parameters[0] in _SELF_NAMES
        self.capture = (
            None
            if capture_args is None
            else tuple(arg if isinstance(arg, str) else str(arg.name) for arg in capture_args)
        )
        if self.capture is not None:
            unknown = [name for name in self.capture if name not in parameters]
            if unknown:
                raise TypeError(
                    f"capture_args names {unknown} are not parameters of {function.__qualname__}"
                    f"{self.signature}"
                )

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's arguments by parameter name, defaults applied, ``self``/``cls`` left out."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        if self.skips_first:
            arguments.pop(next(iter(self.signature.parameters)), None)
        return arguments

    def key(
        self, converter: cattrs.Converter, alias: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> str:
        """The canonical key of this call under *alias*.

        Raises:
            TypeError: The arguments do not fit the signature.
            UnstorableValueError: An argument cannot be converted to plain data.
        """
        arguments = self.arguments(args, kwargs)
        if self.capture is not None:
            arguments = {name: arguments[name] for name in self.capture if name in arguments}
        plain = to_plain(converter, arguments, alias)
        return key_for(alias, plain)


def key_for(alias: str, plain_arguments: dict[str, Any]) -> str:
    """The key text of *alias* called with *plain_arguments* (already plain data)."""
    return f"{alias} {json.dumps(plain_arguments, sort_keys=True, separators=(',', ':'), ensure_ascii=False)}"
