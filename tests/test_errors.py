"""One exceptions module: every error playback_dvd raises on purpose is defined, drawn and exported once."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest

import playback_dvd
from playback_dvd import ConfigurationError, LocalCassette, PlaybackDVDError, Recorder, use_dvd
from playback_dvd import _errors as errors

#: Exceptions that never reach users, defined next to the only code that raises and catches them.
INTERNAL = {
    # Raised by SIGALRM inside a replay worker and caught by the same module, a BaseException on purpose.
    "playback_dvd.compare._execution.ReplayTimeout",
    # A field check's failure inside the loaders, always turned into DVDFormatError naming the file.
    "playback_dvd.formats._validation.InvalidField",
}


def _errors_module_classes() -> list[type[BaseException]]:
    return [
        value
        for value in vars(errors).values()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == errors.__name__
    ]


def test_every_public_exception_class_lives_in_the_errors_module() -> None:
    elsewhere = []
    for module_info in pkgutil.walk_packages(playback_dvd.__path__, "playback_dvd."):
        if module_info.name.endswith(".__main__"):  # importing it runs the command line
            continue
        if module_info.name.startswith("playback_dvd.compat."):  # another library's module paths, on purpose
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and f"{module.__name__}.{name}" not in INTERNAL
                and module is not errors
            ):
                elsewhere.append(f"{module.__name__}.{name}")
    assert elsewhere == []


def test_every_error_is_exported_drawn_in_the_hierarchy_and_under_the_base_class() -> None:
    docstring = errors.__doc__ or ""
    for error in _errors_module_classes():
        assert getattr(playback_dvd, error.__name__) is error
        assert issubclass(error, PlaybackDVDError)
        assert f" {error.__name__}" in docstring, f"{error.__name__} is missing from the drawn hierarchy"


def test_a_configuration_error_is_caught_as_the_type_error_or_value_error_raised_before() -> None:
    assert issubclass(ConfigurationError, TypeError)
    assert issubclass(ConfigurationError, ValueError)


@pytest.mark.parametrize(
    "mistake",
    [
        lambda cassette: use_dvd("x.dvd.json", record_mode="sometimes"),
        lambda cassette: Recorder(cassette, sampling_rate=2.0),
        lambda cassette: Recorder(cassette).operation()(42),
        lambda cassette: list(cassette.iter_recording_ids("c", limit=-1)),
        lambda cassette: playback_dvd.StructuralComparator(ignore_paths=["items"]),
    ],
    ids=["record_mode", "sampling_rate", "decorating-a-non-function", "negative-limit", "path-pattern"],
)
def test_a_bad_option_is_a_configuration_error_wherever_it_is_given(
    mistake: Callable[[LocalCassette], object], tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError):
        mistake(LocalCassette(tmp_path))
