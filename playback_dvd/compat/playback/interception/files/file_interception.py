"""playback's file interception: record a file an intercepted call reads or writes, by its path argument."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

#: The size limit (MB) of intercepted files, unless the handler is given one.
SIZE_LIMIT_VARIABLE = "PLAYBACK_INTERCEPTED_FILE_SIZE_LIMIT"
_DEFAULT_LIMIT_MB = 500.0


class FileInterception:
    """Finds the file path among a call's arguments and reads the file (up to a size limit).

    Args:
        file_path_arg_index: The path's position among the arguments given to the handler.
        file_path_arg_name: Its name, when passed by keyword.
        intercepted_size_limit: Files above this many MB are recorded as `ABOVE_LIMIT_CONTENT` (default:
            ``$PLAYBACK_INTERCEPTED_FILE_SIZE_LIMIT``, else 500).
    """

    ABOVE_LIMIT_CONTENT = b"above interception limit"

    def __init__(
        self, file_path_arg_index: int, file_path_arg_name: str, intercepted_size_limit: float | None = None
    ) -> None:
        self.file_path_arg_index = file_path_arg_index
        self.file_path_arg_name = file_path_arg_name
        if intercepted_size_limit is None:
            intercepted_size_limit = float(os.environ.get(SIZE_LIMIT_VARIABLE, _DEFAULT_LIMIT_MB))
        self.intercepted_size_limit = intercepted_size_limit

    def file_path(self, args: Sequence[Any], kwargs: dict[str, Any]) -> str:
        """The path argument of this call."""
        if self.file_path_arg_name in kwargs:
            return str(kwargs[self.file_path_arg_name])
        return str(args[self.file_path_arg_index])

    def read(self, path: str) -> dict[str, Any]:
        """``{'file_path': path, 'file_content': bytes}`` (the limit marker for files above the limit)."""
        if os.path.getsize(path) > self.intercepted_size_limit * 1024 * 1024:
            content = self.ABOVE_LIMIT_CONTENT
        else:
            with open(path, "rb") as file:
                content = file.read()
        return {"file_path": path, "file_content": content}


def write_file(path: str, content: bytes) -> None:
    """Write *content* to *path*."""
    with open(path, "wb") as file:
        file.write(content)
