"""The errors of the S3 cassettes: each names the bucket and key, and says what to check (no boto3 import)."""

from __future__ import annotations

from .._errors import PlaybackDVDError


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


NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_DENIED = frozenset(
    {"AccessDenied", "403", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled"}
)
_THROTTLED = frozenset(
    {"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "503", "ServiceUnavailable"}
)


def error_from(error: Exception, *, bucket: str, key: str, operation: str) -> S3Error:
    """Our error for a botocore failure: the class says what to do, the message names bucket and key."""
    response = getattr(error, "response", None)  # a botocore ClientError: S3 answered with an error
    if isinstance(response, dict):
        details = response.get("Error", {})
        code = str(details.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
        message = str(details.get("Message") or "")
    else:
        code, message = type(error).__name__, str(error)
    kind: type[S3Error] = S3Error
    if code == "NoSuchBucket":
        kind = S3BucketNotFound
    elif code in _DENIED or type(error).__name__ in {"NoCredentialsError", "PartialCredentialsError"}:
        kind = S3AccessDenied
    elif code in _THROTTLED:
        kind = S3Throttled
    return kind(bucket=bucket, key=key, operation=operation, code=code, message=message)
