"""playback's ``get_recording_class``: the recording class a recording's metadata names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..recording import Recording
from .sqlite.sqlite_recording import SqliteRecording

_CLASSES: dict[str, type[Recording]] = {"memory": Recording, "sqlite": SqliteRecording}


def get_recording_class(metadata: Mapping[str, Any]) -> type[Recording]:
    """`Recording` for ``_recording_type`` ``"memory"`` (or none), `SqliteRecording` for ``"sqlite"``.

    Raises:
        ValueError: Another type (a fixed table: nothing named by the data is imported).
    """
    name = metadata.get("_recording_type", "memory")
    try:
        return _CLASSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unsupported recording type {name}") from None
