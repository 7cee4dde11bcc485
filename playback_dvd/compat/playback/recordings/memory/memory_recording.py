"""playback's ``MemoryRecording``: here the one `Recording` class (values are always stored as data)."""

from __future__ import annotations

from ...recording import Recording

MemoryRecording = Recording

__all__ = ["MemoryRecording"]
