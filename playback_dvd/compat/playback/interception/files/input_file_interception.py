"""playback's ``InputInterceptionFileDataHandler``: an input that reads a file records the file's bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..input_interception import InputInterceptionDataHandler
from .file_interception import FileInterception, write_file


class InputInterceptionFileDataHandler(FileInterception, InputInterceptionDataHandler):
    """Records the content of the file at the call's path argument; on replay writes it back to that path."""

    def prepare_input_for_recording(
        self, interception_key: str, result: Any, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> Any:
        """``{'file_path', 'file_content'}`` of the file the call read."""
        return self.read(self.file_path(args, kwargs))

    def restore_input_from_recording(
        self, recorded_data: Any, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Write the recorded content to the replayed call's path (the file the code will read)."""
        write_file(self.file_path(args, kwargs), recorded_data["file_content"])
        return None
