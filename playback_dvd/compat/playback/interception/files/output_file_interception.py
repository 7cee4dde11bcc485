"""playback's ``OutputInterceptionFileDataHandler``: an output that writes a file records the file's bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..output_interception import OutputInterceptionDataHandler
from .file_interception import FileInterception, write_file


class InterceptedOutputFileHolder:
    """A recorded output file: its content and the path it was written to."""

    def __init__(self, file_content: bytes, output_file_path: str) -> None:
        self.file_content = file_content
        self.output_file_path = output_file_path

    def to_file(self, path: str) -> None:
        """Write the recorded content to *path*."""
        write_file(path, self.file_content)


class OutputInterceptionFileDataHandler(FileInterception, OutputInterceptionDataHandler):
    """Records the content of the file at the call's path argument, for comparisons."""

    def prepare_output_for_recording(
        self, interception_key: str, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> Any:
        """``{'file_path', 'file_content'}`` of the file the call wrote."""
        return self.read(self.file_path(args, kwargs))

    def restore_output_from_recording(self, recorded_data: Any) -> InterceptedOutputFileHolder:
        """The recorded file, to compare or write out."""
        return InterceptedOutputFileHolder(recorded_data["file_content"], recorded_data["file_path"])
