"""playback's ``SqliteRecording``: the same API, stored as a DVD like every recording here.

playback kept these in a temporary sqlite file (one connection per read, files never deleted) so that big
recordings did not live in memory as jsonpickle text. Here every recording is a DVD document whose values
are plain data; the class remains so that code naming it keeps working, and its metadata says ``sqlite``.
"""

from __future__ import annotations

from ...recording import Recording


class SqliteRecording(Recording):
    """A `Recording` whose ``_recording_type`` metadata is ``"sqlite"``."""

    def __init__(self, _id: str | None = None, category: str | None = None) -> None:
        super().__init__(_id, category)
        self._metadata["_recording_type"] = "sqlite"
