"""playback's ``OutputInterceptionDataHandler``: choose what is recorded of an output call's arguments."""

from __future__ import annotations

import abc
from typing import Any


class OutputInterceptionDataHandler(abc.ABC):
    """Prepares an output call's arguments for the recording (``self`` is not among *args*)."""

    @abc.abstractmethod
    def prepare_output_for_recording(
        self, interception_key: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """What to record of the call (plain data); replays compare it with what the replay produced."""

    def restore_output_from_recording(self, recorded_data: Any) -> Any:
        """For your result extractors: the value back from the recorded one (the framework never calls it)."""
        return recorded_data
