"""What a comparison concluded: `EqualityStatus`, `ComparatorResult`, `Comparison`."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs

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
            parts.append(f"{_plural(len(self.unplayed), 'recorded request')} never made")
        if self.unmatched:
            parts.append(f"{_plural(len(self.unmatched), 'new request')} not in the recording")
        return "outbound calls changed: " + ", ".join(parts)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


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
        traceback: The formatted traceback of an `EqualizerFailure` (None otherwise).
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

    @property
    def equality_status(self) -> EqualityStatus:
        """Shortcut for ``comparator_status.equality_status``."""
        return self.comparator_status.equality_status
