"""Tracebacks trimmed to the user's frames: what a report shows of an exception raised during a replay."""

from __future__ import annotations

import asyncio
import contextlib
import os
import traceback
from pathlib import Path

# Frames in these folders are the machinery around the user's code (ours, and the event loop's).
_HIDDEN_FOLDERS = (
    str(Path(__file__).resolve().parent) + os.sep,
    str(Path(asyncio.__file__).resolve().parent) + os.sep,
)
_HIDDEN_FILES = {str(Path(contextlib.__file__).resolve())}


def _is_users(frame: traceback.FrameSummary) -> bool:
    filename = frame.filename
    try:
        resolved = str(Path(filename).resolve())
    except (OSError, ValueError):
        return True
    return not resolved.startswith(_HIDDEN_FOLDERS) and resolved not in _HIDDEN_FILES


def user_traceback(error: BaseException) -> str:
    """*error*'s traceback with playback_dvd's (and asyncio's) frames left out, chained causes included.

    When every frame is hidden (the error was raised by playback_dvd itself), the full traceback is kept:
    an empty one would hide where it came from.
    """
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        kept = [frame for frame in frames if _is_users(frame)] or list(frames)
        hidden = len(frames) - len(kept)
        note = f" ({hidden} library frames hidden)" if hidden else ""
        block = [f"Traceback (most recent call last){note}:\n", *traceback.format_list(kept)]
        block += traceback.format_exception_only(type(current), current)
        parts.insert(0, "".join(block))
        cause = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if cause is not None:
            link = "direct cause of" if current.__cause__ is not None else "raised while handling"
            parts.insert(0, f"\n(the exception above was the {link} the one below)\n\n")
        current = cause
    return "".join(parts)
