"""playback's ``FileBasedTapeCassette``: over a playback_dvd `LocalCassette` (indexed, atomic writes)."""

from __future__ import annotations

import os

from .....cassettes import LocalCassette
from ...tape_cassette import TapeCassette


class FileBasedTapeCassette(TapeCassette):
    """Recordings in a local directory (created when missing).

    Unlike playback's (one JSON file per recording, every file read by a search, ``==`` metadata filters
    only), searches read small metadata files by day and support every playback filter.

    Args:
        directory: Where recordings live.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        super().__init__(LocalCassette(directory))
