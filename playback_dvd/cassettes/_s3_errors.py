"""botocore failures turned into our S3 errors: each names the bucket and key, and says what to check.

The error classes live in `playback_dvd._errors` with every other; this module imports no boto3.
"""

from __future__ import annotations

from .._errors import S3AccessDenied, S3BucketNotFound, S3Error, S3Throttled, S3Unreachable

# botocore's errors for a request that got no answer at all.
_UNREACHABLE = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"}
)
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
    elif code in _UNREACHABLE:
        kind = S3Unreachable
    return kind(bucket=bucket, key=key, operation=operation, code=code, message=message)
