"""Code run in child processes by the tests (importable by name, as the spawn start method requires)."""

from __future__ import annotations

from datetime import datetime, timezone

from playback_dvd.cassettes import LocalCassette

from ._documents import save_small


def save_many(directory: str, process: int, count: int) -> list[str]:
    """Save *count* small recordings into the local cassette at *directory*; return their ids."""
    cassette = LocalCassette(directory)
    when = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)
    return [save_small(cassette, when, process=process, index=index) for index in range(count)]
