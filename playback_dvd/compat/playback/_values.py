"""What playback stored with jsonpickle, stored as data instead: values, exceptions and classes.

playback pickled every intercepted value (jsonpickle), so decoding a recording could call anything. Here
values go through playback_dvd's value converter (plain data, ``bytes`` as base64) plus two rules:

- An exception becomes ``{"__exception__": {"type": name, "message": str(error), "args": [...]}}``. It is
  read back as the same class when that is one of Python's built-in exceptions (``ValueError``,
  ``KeyError``...: a fixed table, so ``except ValueError`` still catches a replayed one), else as a
  `ReplayedException` whose ``str()`` is the original message. Nothing named by the data is imported.
- A class (``OPERATION_CLASS`` metadata, a ``type(obj)`` in a metadata extractor) becomes
  ``{"py/type": "module.QualName"}``, which is what playback's jsonpickle left for classes it could not
  import. It is read back as an `OperationClass`: that dict, callable to instantiate the class when it is
  an operation class of this process (never imported by name from the data).
"""

from __future__ import annotations

import base64
import builtins
import sys
import threading
from typing import Any

import cattrs

from ..._errors import ReplayedException
from ...recorder._values import make_value_converter, to_plain

_BYTES = "__bytes__"
_EXCEPTION = "__exception__"
_TYPE = "py/type"

_lock = threading.Lock()
_operation_classes: dict[str, type] = {}  # "module.QualName" -> class, learned when an operation runs
_operation_owners: set[str] = set()  # "module.QualName" of classes that declare an @operation method


def class_name(cls: type) -> str:
    """The name a class is stored under: ``module.QualName``."""
    return f"{cls.__module__}.{cls.__qualname__}"


def remember_operation_owner(function: Any) -> None:
    """Note the class that declares *function* (an ``@operation`` method), by name, at decoration time."""
    owner, _, _ = function.__qualname__.rpartition(".")
    if owner:
        with _lock:
            _operation_owners.add(f"{function.__module__}.{owner}")


def remember_operation_class(cls: type) -> None:
    """Note *cls* as an operation class of this process (when one of its operations runs)."""
    with _lock:
        _operation_classes[class_name(cls)] = cls


def _operation_class(name: str) -> type | None:
    with _lock:
        known = _operation_classes.get(name)
        declared = name in _operation_owners
    if known is not None or not declared or "<locals>" in name:
        return known
    # A class declaring an @operation in a module this process already imported: found by walking that
    # module's attributes, never by importing. Data can only name classes the code itself decorated.
    module_name, found = "", None
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        module = sys.modules.get(module_name)
        if module is not None:
            found = module
            for attribute in parts[cut:]:
                found = getattr(found, attribute, None)
            break
    return found if isinstance(found, type) else None


class OperationClass(dict[str, str]):
    """A recorded class reference ``{"py/type": "module.QualName"}``; calling it instantiates the class.

    It equals the plain dict playback's jsonpickle gave for classes it could not import, and it is
    callable like the class playback gave when it could: ``recording.get_metadata()[OPERATION_CLASS]()``.
    """

    @property
    def name(self) -> str:
        """The class's ``module.QualName``."""
        return self[_TYPE]

    def resolve(self) -> type:
        """The class itself.

        Raises:
            LookupError: It is not an operation class of this process (playback_dvd never imports a
                class named by a recording): import its module first, or map names to classes yourself.
        """
        cls = _operation_class(self.name)
        if cls is None:
            raise LookupError(
                f"the recorded class {self.name} is not an operation class known to this process: "
                "playback_dvd never imports classes named by a recording. Import the module that defines "
                "it (its @operation methods register it), or map recording.get_metadata()"
                "[OPERATION_CLASS].name to the class yourself"
            )
        return cls

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Instantiate the class (see `resolve`)."""
        return self.resolve()(*args, **kwargs)


#: Python's own exception classes, by name: the only classes a recorded exception is rebuilt as.
BUILTIN_EXCEPTIONS: dict[str, type[Exception]] = {
    name: value
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception) and not name.startswith("_")
}


def _exception_to_data(error: BaseException) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if all(isinstance(arg, (str, int, float, bool, type(None))) for arg in error.args):
        data["args"] = list(error.args)
    return {_EXCEPTION: data}


def _exception_from_data(data: dict[str, Any]) -> Exception:
    type_name, message = str(data.get("type", "")), str(data.get("message", ""))
    cls = BUILTIN_EXCEPTIONS.get(type_name)
    args = data.get("args")
    if cls is not None:
        try:
            return cls(*args) if isinstance(args, list) else cls(message)
        except Exception:  # a signature that wants other arguments (UnicodeDecodeError...)
            pass
    return ReplayedException(type_name, message)


def make_compat_converter() -> cattrs.Converter:
    """playback_dvd's value converter, plus exceptions and classes as data (see the module rules)."""
    converter = make_value_converter()
    converter.register_unstructure_hook_func(
        lambda kind: isinstance(kind, type) and issubclass(kind, BaseException),
        _exception_to_data,
    )
    converter.register_unstructure_hook_func(
        lambda kind: isinstance(kind, type) and issubclass(kind, type),
        lambda cls: {_TYPE: class_name(cls)},
    )
    return converter


CONVERTER = make_compat_converter()


def store(value: Any, what: str) -> Any:
    """*value* as plain data (raises `UnstorableValueError` naming *what* when it cannot be stored)."""
    return to_plain(CONVERTER, value, what)


def restore(plain: Any) -> Any:
    """Stored plain data back to values: a fresh copy on every call (playback's ``get_data`` contract)."""
    if isinstance(plain, list):
        return [restore(item) for item in plain]
    if isinstance(plain, dict):
        if len(plain) == 1:
            ((key, inner),) = plain.items()
            if key == _BYTES and isinstance(inner, str):
                return base64.b64decode(inner)
            if key == _EXCEPTION and isinstance(inner, dict):
                return _exception_from_data(inner)
            if key == _TYPE and isinstance(inner, str):
                return OperationClass({_TYPE: inner})
        return {key: restore(item) for key, item in plain.items()}
    return plain


def pickle_copy(value: Any) -> Any:
    """A deep copy of *value* through the stored form (playback's ``pickle_copy``, without pickle)."""
    return restore(store(value, "copy"))
