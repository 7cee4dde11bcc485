"""`RecorderCore`: the part of a `Recorder` its call runners and sessions use, and nothing else of it.

The call runners a `Recorder` decorates functions with, and the recording and replay sessions they start, are
given this object instead of the recorder: they never read the recorder's own attributes, and the recorder
is free to change how it keeps them.
"""

from __future__ import annotations

import cattrs

from .._models import DVDDocument
from .._options import ResolvedOptions
from ..cassettes import Cassette
from ..filters._storage import read_recording
from ._saving import BackgroundSaver, Counters, save_now


class RecorderCore:
    """A recorder's settings, switches and saving, as its call runners and sessions see them.

    Args:
        cassette: Where recordings are saved and read from.
        options: The resolved HTTP options (matchers, filters, body size limit...).
        converter: The cattrs converter of intercepted values.
        code_version: Stored in every recording's metadata when not None.
        enabled: Whether operations are recorded at all.
        sampling_rate: The share of operation calls recorded.
        saver: The background writer, or None to save in the operation's own thread.
    """

    __slots__ = (
        "cassette",
        "code_version",
        "converter",
        "counters",
        "enabled",
        "options",
        "sampling_rate",
        "saver",
    )

    def __init__(
        self,
        cassette: Cassette,
        options: ResolvedOptions,
        converter: cattrs.Converter,
        *,
        code_version: str | None,
        enabled: bool,
        sampling_rate: float,
        saver: BackgroundSaver | None,
        counters: Counters,
    ) -> None:
        self.cassette = cassette
        self.options = options
        self.converter = converter
        self.code_version = code_version
        self.enabled = enabled
        self.sampling_rate = sampling_rate
        self.saver = saver
        self.counters = counters

    def count_failure(self) -> None:
        """Count a recording lost to a failure (the caller logs why)."""
        self.counters.add(failed=1)

    def save(self, document: DVDDocument) -> None:
        """Save a finished recording, now or through the background writer; never raises."""
        if self.saver is not None:
            self.saver.submit(document)
        else:
            save_now(self.cassette, document, self.counters)

    def load(self, recording_id: str) -> DVDDocument:
        """The recording *recording_id* as replays see it (sensitive values restored).

        Raises:
            RecordingNotFound: The cassette has no such recording.
        """
        return read_recording(self.cassette, recording_id, self.options.filters)


class RecordingSwitch:
    """``recording_enabled`` / ``enable_recording`` / ``disable_recording`` over a recorder's `RecorderCore`.

    Shared by `Recorder` and playback's ``TapeRecorder`` (``compat.playback``), which both keep a core.
    """

    _core: RecorderCore

    @property
    def recording_enabled(self) -> bool:
        """Whether operations are recorded (replay works either way)."""
        return self._core.enabled

    @recording_enabled.setter
    def recording_enabled(self, enabled: bool) -> None:
        self._core.enabled = bool(enabled)

    def enable_recording(self) -> None:
        """Record operations (again)."""
        self._core.enabled = True

    def disable_recording(self) -> None:
        """Stop recording operations: decorated functions just run (replay still works)."""
        self._core.enabled = False
