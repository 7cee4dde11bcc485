"""The exceptions users can catch, all under one base class."""

from __future__ import annotations

from typing import Literal

from ._models import Request

UnmatchedReason = Literal["dvd_not_found", "no_match", "already_played", "ignored"]


class PlaybackDVDError(Exception):
    """The base of every error playback_dvd raises on purpose."""


class DVDFormatError(PlaybackDVDError, ValueError):
    """A DVD file could not be read: corrupt, truncated, foreign or of an unknown schema version.

    The file is never modified when this is raised.

    Args:
        path: The file that could not be read (or a description of the source).
        problem: What is wrong with it.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"cannot read DVD {path}: {problem}")
        self.path = path
        self.problem = problem


class UnsupportedSchemaVersion(DVDFormatError):
    """The DVD was written by a newer (or unknown) schema version than this playback_dvd can read."""


class UnmatchedRequestError(PlaybackDVDError):
    """A request has no recorded twin, and the record mode does not allow recording it.

    Attributes:
        reason: ``"dvd_not_found"`` (replay-only and the DVD file does not exist), ``"no_match"`` (nothing
            recorded matches), ``"already_played"`` (matches exist but were all played already) or
            ``"ignored"`` (a filter ignores it, and a replay-only DVD must not let it reach the network).
        request: The request that could not be answered.
        closest: The recorded requests that came closest, best first.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: UnmatchedReason,
        request: Request,
        closest: tuple[Request, ...] = (),
    ) -> None:
        super().__init__(message)
        self.reason: UnmatchedReason = reason
        self.request = request
        self.closest = closest


class ReplayedException(PlaybackDVDError):
    """Stands in for a recorded exception whose class is not on the replay allow-list.

    Attributes:
        type_name: The name of the original exception class.
        message: The original exception's message.
    """

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message


class ConfigurationError(PlaybackDVDError, TypeError):
    """An option was misspelled, has the wrong type, or a hook raised while being applied."""


class NetworkBlockedError(PlaybackDVDError):
    """A request was about to reach the network while the network is blocked (pytest ``--dvd-block-network``).

    Attributes:
        host: The host the request was for.
        url: The full URL of the request.
    """

    def __init__(self, message: str, *, host: str, url: str) -> None:
        super().__init__(message)
        self.host = host
        self.url = url
