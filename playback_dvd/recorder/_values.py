"""The converter for intercepted values: Python objects to the plain data a DVD stores, and back.

Rules (`make_value_converter` builds a cattrs converter that follows them):

- JSON-able data (None, bools, ints, floats, strings, lists, dicts with string keys) is stored as is.
- attrs classes and dataclasses become dicts; enums their value; tuples and sets (frozensets) lists.
- ``bytes`` become ``{"__bytes__": base64}``; datetimes, dates and times their ISO 8601 text.
- Anything else is refused with an `UnstorableValueError` naming the intercepted alias: register a hook on
  ``recorder.converter`` or pass a ``data_handler``.

On replay a value is structured back with the intercepted function's return annotation when it has one
(``-> Order`` gives an ``Order`` again); without one the plain data is returned.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import typing
from collections.abc import Callable
from typing import Any

import attrs
import cattrs

from .._errors import UnstorableValueError
from .._models import ExceptionInfo

_SCALARS = (str, int, float, bool, type(None))
_BYTES_KEY = "__bytes__"


def make_value_converter() -> cattrs.Converter:
    """Build the converter that turns intercepted values into plain data (see the module rules)."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(bytes, _bytes_to)
    converter.register_unstructure_hook(bytearray, _bytes_to)
    converter.register_structure_hook(bytes, lambda data, _: _bytes_from(data))
    for kind in (_dt.datetime, _dt.date, _dt.time):
        converter.register_unstructure_hook(kind, lambda value: value.isoformat())
    converter.register_structure_hook(_dt.datetime, lambda data, _: _iso(_dt.datetime, data))
    converter.register_structure_hook(_dt.date, lambda data, _: _iso(_dt.date, data))
    converter.register_structure_hook(_dt.time, lambda data, _: _iso(_dt.time, data))
    converter.register_unstructure_hook_func(
        lambda kind: isinstance(kind, type) and issubclass(kind, tuple),
        lambda value: [converter.unstructure(item) for item in value],
    )
    # Sets have no order; sorting (when the items allow it) keeps equal sets equal once stored.
    converter.register_unstructure_hook_func(
        lambda kind: isinstance(kind, type) and issubclass(kind, (set, frozenset)),
        lambda value: _sorted_list([converter.unstructure(item) for item in value]),
    )
    converter.register_unstructure_hook_func(
        lambda kind: isinstance(kind, type) and dataclasses.is_dataclass(kind) and not attrs.has(kind),
        lambda value: {
            field.name: converter.unstructure(getattr(value, field.name))
            for field in dataclasses.fields(value)
        },
    )
    return converter


def _bytes_to(value: bytes | bytearray) -> dict[str, str]:
    return {_BYTES_KEY: base64.b64encode(value).decode("ascii")}


def _bytes_from(data: Any) -> bytes:
    if isinstance(data, dict) and _BYTES_KEY in data:
        return base64.b64decode(data[_BYTES_KEY], validate=True)
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    raise TypeError(f"expected recorded bytes ({{{_BYTES_KEY!r}: base64}}), got {type(data).__name__}")


def _iso(kind: Any, data: Any) -> Any:
    if isinstance(data, kind):
        return data
    return kind.fromisoformat(data)


def _sorted_list(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:
        return items


def to_plain(converter: cattrs.Converter, value: Any, alias: str) -> Any:
    """*value* as plain data (checked), through *converter*.

    Raises:
        UnstorableValueError: Some part of the value is not plain data after conversion.
    """
    if is_plain(value):  # the common case (JSON-like data) skips cattrs entirely
        return value
    try:
        plain = converter.unstructure(value)
    except Exception as error:  # a user hook that raised, or cattrs refusing a type
        raise UnstorableValueError(alias, "$", f"{type(value).__name__} ({error!r})") from error
    check_plain(plain, alias)
    return plain


def is_plain(value: Any) -> bool:
    """Whether *value* is already plain data: scalars, lists and string-keyed dicts of plain data."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return True
    if kind is list:
        return all(is_plain(item) for item in value)
    if kind is dict:
        return all(type(key) is str and is_plain(item) for key, item in value.items())
    return False


def check_plain(value: Any, alias: str, path: str = "$") -> None:
    """Raise `UnstorableValueError` unless *value* is plain data (nested lists and string-keyed dicts)."""
    if isinstance(value, _SCALARS):
        return
    if isinstance(value, list):
        for number, item in enumerate(value):
            check_plain(item, alias, f"{path}[{number}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnstorableValueError(alias, f"{path} (key {key!r})", type(key).__name__)
            check_plain(item, alias, f"{path}.{key}")
        return
    raise UnstorableValueError(alias, path, type(value).__name__)


def return_type(function: Callable[..., Any]) -> Any:
    """The return annotation of *function* (the awaited type for ``async def``), or None when it has none."""
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # annotations naming things that are not importable here: replay plain data
        return None
    hint = hints.get("return")
    if hint is None or hint is type(None) or hint is Any:
        return None
    return hint


def from_plain(converter: cattrs.Converter, value: Any, kind: Any) -> Any:
    """Structure recorded plain data back into *kind* (the plain data itself when *kind* is None)."""
    if kind is None or value is None:
        return value
    return converter.structure(value, kind)


def exception_value(info: ExceptionInfo) -> dict[str, Any]:
    """How an exception appears among outputs: ``{"exception": {"type": ..., "message": ...}}``."""
    return {"exception": {"type": info.type_name, "message": info.message}}
