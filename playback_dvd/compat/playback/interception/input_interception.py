"""playback's ``InputInterceptionDataHandler``: turn an input's value into data and back."""

from __future__ import annotations

import abc
from typing import Any


class InputInterceptionDataHandler(abc.ABC):
    """Prepares an intercepted input's value for the recording, and restores it on replay."""

    @abc.abstractmethod
    def prepare_input_for_recording(
        self, interception_key: str, result: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """What to record of *result* (plain data: dicts, lists, strings, numbers, bytes)."""

    @abc.abstractmethod
    def restore_input_from_recording(
        self, recorded_data: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """The value to return on replay, from what `prepare_input_for_recording` recorded."""
