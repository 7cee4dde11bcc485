"""Every exception playback_dvd raises on purpose, under one base class.

The hierarchy (a built-in base in brackets: existing ``except`` clauses keep catching them)::

    PlaybackDVDError
    ├── ConfigurationError [TypeError, ValueError]   a bad option, argument or decorator use; a hook raised
    ├── DVDFormatError [ValueError]                  a DVD file that cannot be read (left untouched)
    │   └── UnsupportedSchemaVersion                 written by a newer schema version
    ├── UnmatchedRequestError                        a request with no recorded twin, in a replay-only DVD
    ├── OperationMismatchError                       a comparison replayed a recording of another operation
    ├── NetworkBlockedError                          a request to a host the pytest plugin does not allow
    ├── ReplayedException                            stands in for a recorded exception of another class
    ├── RecordingKeyError [LookupError]              a replay asked for an input or output not recorded
    ├── UnstorableValueError [TypeError]             an intercepted value the converter cannot store
    ├── RecordingNotFound [KeyError]                 no recording with this id in a cassette
    ├── ReadOnlyCassetteError [PermissionError]      a write asked of a cassette opened read-only
    ├── MissingDependencyError [ImportError]         an optional dependency (boto3, PyYAML) is missing
    └── S3Error                                      an S3 request failed after botocore's retries
        ├── S3BucketNotFound
        ├── S3AccessDenied [PermissionError]
        ├── S3Throttled
        └── S3Unreachable                            no answer from the endpoint

Everything here is importable from ``playback_dvd``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Literal

from ._models import Request

UnmatchedReason = Literal["dvd_not_found", "no_match", "already_played", "ignored"]


class PlaybackDVDError(Exception):
    """The base of every error playback_dvd raises on purpose."""


class DVDFormatError(PlaybackDVDError, ValueError):
    """A DVD file could not be read: corrupt, truncated, foreign or of an unknown schema version.

    Every reading path raises it for bad content (a file too big or nested too deeply, a field of the
    wrong type, a truncated frame...), never a crash from inside a decoder; the file is never modified.

    Args:
        path: The file that could not be read (or a description of the source).
        problem: What is wrong with it (it starts with the field's path when one field is at fault).
        field: The path of the field at fault, e.g. ``interactions[12].request.method``, else None.
    """

    def __init__(self, path: str, problem: str, *, field: str | None = None) -> None:
        super().__init__(f"cannot read DVD {path}: {problem}")
        self.path = path
        self.problem = problem
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps the keyword across a process pool (Exception's default pickles the message only).
        return (_rebuild_format_error, (type(self), self.path, self.problem, self.field))


def _rebuild_format_error(
    kind: type[DVDFormatError], path: str, problem: str, field: str | None
) -> DVDFormatError:
    return kind(path, problem, field=field)


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


class OperationMismatchError(PlaybackDVDError):
    """A replay called another operation than the one its recording is of (its body was not run).

    A comparison turns this into a skipped recording, never a difference: the player replays one
    operation, and the category holds the recordings of several.

    Attributes:
        recorded: The recording's operation (``"module:Class.method"``).
        replayed: The operation the playback function called.
    """

    def __init__(self, recorded: str, replayed: str) -> None:
        super().__init__(f"the recording is of {recorded}; the playback function called {replayed}")
        self.recorded = recorded
        self.replayed = replayed


class ReplayedException(PlaybackDVDError):
    """Stands in for a recorded exception whose class is not on the replay allow-list.

    Its ``str()`` is the original message, as the original's was: code that returns or logs ``str(error)``
    of an intercepted failure replays Equal. ``repr()`` names the original type.

    Attributes:
        type_name: The name of the original exception class.
        message: The original exception's message.
    """

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message
        # Read by `exception_info`: an exception raised again on replay is kept as the original type.
        self.replayed_type_name = type_name

    def __repr__(self) -> str:
        return f"ReplayedException({self.type_name!r}, {self.message!r})"


class ConfigurationError(PlaybackDVDError, TypeError, ValueError):
    """An option was misspelled, has the wrong type or value, or a hook raised while being applied.

    It is a `TypeError` and a `ValueError` both: the checks it replaced raised one or the other, and code
    that catches either keeps working.
    """


class NetworkBlockedError(PlaybackDVDError):
    """A request or connection was about to reach the network where the network is blocked.

    Raised in a hermetic replay (`Recorder.play` by default, ``use_dvd(..., block_network=True)``, pytest
    ``--dvd-block-network``), whichever library opened the connection.

    Attributes:
        host: The host the request was for.
        url: The full URL of the request (``host:port`` for a connection outside httpx/httpx2).
        port: The port, when known.
    """

    def __init__(self, message: str, *, host: str, url: str, port: int | None = None) -> None:
        super().__init__(message)
        self.host = host
        self.url = url
        self.port = port


class RecordingKeyError(PlaybackDVDError, LookupError):
    """A replayed call asked for a recorded value the recording does not have.

    Attributes:
        key: The key that was asked for (an input key, or an output key ``"{alias} #{n}"``).
        recorded_keys: The keys the recording has, closest to *key* first.
        recording_id: The replayed recording.
    """

    def __init__(self, kind: str, key: str, recorded_keys: Iterable[str], recording_id: str | None) -> None:
        self.key = key
        self.recording_id = recording_id
        self.recorded_keys = _closest_first(key, recorded_keys)
        shown = "\n".join(f"  {recorded}" for recorded in self.recorded_keys[:5]) or "  (none)"
        more = len(self.recorded_keys) - 5
        super().__init__(
            f"recording {recording_id} has no {kind} {key!r}.\nRecorded {kind}s, closest first:\n{shown}"
            + (f"\n  ... and {more} more" if more > 0 else "")
        )

    def __str__(self) -> str:  # KeyError-style quoting would hide the newlines
        return str(self.args[0])


def _closest_first(key: str, keys: Iterable[str]) -> list[str]:
    """*keys* sorted by similarity to *key*, most similar first (same alias first of all)."""
    alias = key.split(" ", 1)[0]

    def score(candidate: str) -> tuple[bool, float]:
        same_alias = candidate.split(" ", 1)[0] == alias
        return (not same_alias, -difflib.SequenceMatcher(None, key, candidate, autojunk=False).ratio())

    return sorted(keys, key=score)


class UnstorableValueError(PlaybackDVDError, TypeError):
    """A value of an intercepted call could not be turned into data a DVD can store.

    Attributes:
        alias: The intercepted alias (or ``"operation"``) whose value it was.
        path: Where in the value the unstorable part sits (``"$"`` is the value itself).
        type_name: The type that could not be stored.
    """

    def __init__(self, alias: str, path: str, type_name: str) -> None:
        super().__init__(
            f"cannot record the value of {alias!r}: {type_name} at {path} is not storable data. Register a "
            f"hook with recorder.converter.register_unstructure_hook({type_name}, ...) (and a structure hook "
            "for the replay), or give the intercept a data_handler"
        )
        self.alias = alias
        self.path = path
        self.type_name = type_name


class RecordingNotFound(PlaybackDVDError, KeyError):
    """No recording has this id in this cassette.

    Attributes:
        recording_id: The id that was asked for.
    """

    def __init__(self, recording_id: str, where: str = "") -> None:
        super().__init__(recording_id)
        self.recording_id = recording_id
        self.where = where

    def __str__(self) -> str:
        where = f" in {self.where}" if self.where else ""
        return f"no recording with id {self.recording_id!r}{where}"


class MissingDependencyError(PlaybackDVDError, ImportError):
    """An optional dependency is not installed (for S3: boto3, from the ``s3`` extra)."""


class ReadOnlyCassetteError(PlaybackDVDError, PermissionError):
    """A write (save or delete) was asked of a cassette opened read-only.

    Attributes:
        where: The cassette, as a location (``s3://bucket/prefix``).
        operation: What was refused (``save_recording``, ``delete_recording``).
    """

    def __init__(self, where: str, operation: str, hint: str = "") -> None:
        hint = hint or "open it with read_only=False to write"
        super().__init__(f"{operation} refused: the cassette {where} is read-only ({hint})")
        self.where = where
        self.operation = operation


class S3Error(PlaybackDVDError):
    """An S3 request failed (after botocore's retries), for a reason other than a missing recording.

    Attributes:
        bucket: The bucket of the request.
        key: The object key (or key prefix, for a listing); empty for bucket-level calls.
        operation: The S3 operation (``PutObject``, ``ListObjectsV2``...).
        code: The S3 error code (``NoSuchBucket``, ``AccessDenied``, ``SlowDown``...), or the botocore
            error class name when no response came back (``EndpointConnectionError``...).
    """

    hint = ""

    def __init__(self, *, bucket: str, key: str, operation: str, code: str, message: str) -> None:
        location = f"s3://{bucket}/{key}"
        text = f"S3 {operation} on {location} failed: {code}"
        if message and message != code:
            text += f": {message}"
        if self.hint:
            text += f" ({self.hint.format(bucket=bucket)})"
        super().__init__(text)
        self.bucket = bucket
        self.key = key
        self.operation = operation
        self.code = code


class S3BucketNotFound(S3Error):
    """The bucket does not exist (or is in another account or region)."""

    hint = "create the bucket {bucket!r} or check its name, region and endpoint_url"


class S3AccessDenied(S3Error, PermissionError):
    """The credentials are missing, wrong, or not allowed this action (see docs/s3.md for the IAM policy)."""

    hint = "check the credentials and that their IAM policy allows this action on bucket {bucket!r}"


class S3Throttled(S3Error):
    """S3 kept answering SlowDown/throttling after botocore's standard retries."""

    hint = "S3 is throttling this prefix; spread the load over key prefixes or retry later"


class S3Unreachable(S3Error):
    """No answer came back from S3: the endpoint is down, unreachable, or too slow."""

    hint = "is the S3 endpoint up and reachable? it comes from AWS_ENDPOINT_URL or the AWS config"
