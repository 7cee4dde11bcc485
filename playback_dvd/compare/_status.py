"""What a comparison concluded: `EqualityStatus`, `ComparatorResult`, `Comparison`."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._words import plural

if TYPE_CHECKING:
    from .._models import Playback
    from ._noise import NoisyValue


class EqualityStatus(enum.Enum):
    """How a replay compares with its recording (the names and values of Optibus playback's enum).

    - ``Equal``: the replay's outputs are considered equal to the recorded ones.
    - ``Fixed``: the recorded operation had failed and the replay succeeds.
    - ``Different``: the outputs (or the outbound HTTP calls) differ.
    - ``Failed``: the replay raised where the recorded operation did not: a regression.
    - ``EqualizerFailure``: the comparison itself could not be made: the player raised, a recorded input
      was missing (a playback_dvd error during the replay), the replay timed out, or an extractor or
      comparator raised.
    """

    Equal = 1
    Fixed = 2
    Different = 3
    Failed = 4
    EqualizerFailure = 5

    @property
    def passed(self) -> bool:
        """True for the statuses that are not a regression signal (Equal and Fixed)."""
        return self in (EqualityStatus.Equal, EqualityStatus.Fixed)


@attrs.frozen
class ComparatorResult:
    """What a comparator returns (a comparator may also return a bare `EqualityStatus`).

    Args:
        equality_status: The verdict.
        message: A one-line human explanation (None when there is nothing to say).
        diff: The details: a `StructuralDiff` for the built-in comparator, anything for your own.
    """

    equality_status: EqualityStatus
    message: str | None = None
    diff: Any = None


@attrs.frozen
class RequestChanges:
    """How a replay's outbound HTTP calls differ from the recording's (as ``"METHOD url"`` strings).

    Attributes:
        unplayed: Recorded requests the replay never made.
        unmatched: Requests the replay made that the recording lacks.
    """

    unplayed: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.unplayed or self.unmatched)

    def summary(self) -> str:
        """One line, e.g. ``"outbound calls changed: 1 recorded request never made, 2 new requests"``."""
        parts = []
        if self.unplayed:
            parts.append(f"{plural(len(self.unplayed), 'recorded request')} never made")
        if self.unmatched:
            parts.append(f"{plural(len(self.unmatched), 'new request')} not in the recording")
        return "outbound calls changed: " + ", ".join(parts)


@attrs.frozen
class Comparison:
    """One recording replayed and compared.

    Attributes:
        recording_id: The recording.
        comparator_status: The verdict, with its message and diff.
        category: The recording's category ("" when unknown).
        expected: The extracted recorded result (only with ``keep_results_in_comparison``).
        actual: The extracted replayed result (only with ``keep_results_in_comparison``).
        expected_is_exception: The recorded operation raised.
        actual_is_exception: The replayed operation raised.
        playback: The `Playback` (None when the replay ran in a worker process, or the player failed).
        duration: Seconds spent replaying and comparing this recording.
        recorded_duration: Seconds the recorded operation took (None when unknown).
        playback_duration: Seconds the replayed operation took (None when unknown).
        request_changes: Outbound HTTP calls that differ (empty when none, or not compared).
        traceback: Where it went wrong: for ``Failed``, where the replay raised, trimmed to your frames;
            for ``EqualizerFailure``, the machinery's traceback when there is one (None otherwise).
        metadata: The recording's metadata (``order_id``..., ``recorded_at``, ``operation``,
            ``code_version``); empty when the recording could not be read.
        replayed_code_version: The ``code_version`` of the recorder that replayed (None when unknown).
        skipped: Why this recording was not compared (it is of another operation than the player
            replays), else None. A skipped comparison has status ``EqualizerFailure`` for code that reads
            statuses only; `ComparisonReport` counts it apart, never as a failure.
        noise: With noise detection, the paths whose values differed between two replays of this
            recording (excluded from the verdict); empty otherwise.
    """

    recording_id: str
    comparator_status: ComparatorResult
    category: str = ""
    expected: Any = None
    actual: Any = None
    expected_is_exception: bool = False
    actual_is_exception: bool = False
    playback: Playback | None = attrs.field(default=None, eq=False, repr=False)
    duration: float = 0.0
    recorded_duration: float | None = None
    playback_duration: float | None = None
    request_changes: RequestChanges = RequestChanges()
    traceback: str | None = None
    noise: tuple[NoisyValue, ...] = ()
    metadata: Mapping[str, Any] = attrs.field(factory=dict, eq=False)
    replayed_code_version: str | None = None
    skipped: str | None = None

    @property
    def operation(self) -> str | None:
        """The recorded operation (``"module:Class.method"``), from the metadata; None when not recorded."""
        value = self.metadata.get("operation")
        return value if isinstance(value, str) else None

    @property
    def recorded_code_version(self) -> str | None:
        """The ``code_version`` the recording was made with, from the metadata; None when not recorded."""
        value = self.metadata.get("code_version")
        return None if value is None else str(value)

    @property
    def equality_status(self) -> EqualityStatus:
        """Shortcut for ``comparator_status.equality_status``."""
        return self.comparator_status.equality_status
