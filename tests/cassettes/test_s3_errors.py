"""How S3 failures become our errors: the class says what to do, the message names the bucket and key."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from playback_dvd import (
    PlaybackDVDError,
    S3AccessDenied,
    S3BucketNotFound,
    S3Cassette,
    S3Error,
    S3Throttled,
    S3Unreachable,
)
from playback_dvd.cassettes._s3_errors import error_from

from .._s3_servers import S3Server


def _client_error(code: str, message: str = "", status: int = 400) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "PutObject")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("NoSuchBucket", S3BucketNotFound),
        ("AccessDenied", S3AccessDenied),
        ("403", S3AccessDenied),
        ("InvalidAccessKeyId", S3AccessDenied),
        ("SlowDown", S3Throttled),
        ("ThrottlingException", S3Throttled),
        ("InternalError", S3Error),
    ],
)
def test_s3_error_codes_become_the_matching_error(code: str, kind: type[S3Error]) -> None:
    error = error_from(_client_error(code, "details"), bucket="acme", key="p/k", operation="PutObject")
    assert type(error) is kind
    assert isinstance(error, PlaybackDVDError)
    assert "s3://acme/p/k" in str(error)
    assert error.code == code


def test_throttling_error_says_what_to_do() -> None:
    error = error_from(
        _client_error("SlowDown", "Please reduce your request rate."),
        bucket="b",
        key="k",
        operation="PutObject",
    )
    assert "throttling" in str(error)
    assert "Please reduce your request rate." in str(error)


def test_missing_credentials_are_access_denied() -> None:
    error = error_from(NoCredentialsError(), bucket="b", key="k", operation="GetObject")
    assert isinstance(error, S3AccessDenied)
    assert error.code == "NoCredentialsError"


def test_connection_failure_names_the_botocore_error() -> None:
    failure = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    error = error_from(failure, bucket="b", key="k", operation="GetObject")
    assert type(error) is S3Unreachable
    assert isinstance(error, S3Error)
    assert error.code == "EndpointConnectionError"
    assert "is the S3 endpoint up and reachable?" in str(error)


def test_unreachable_endpoint_is_an_s3_error_naming_the_bucket(moto_s3: S3Server) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = S3Server("closed", f"http://127.0.0.1:{port}")
    client = closed.client(retries={"max_attempts": 1}, connect_timeout=1)
    cassette = S3Cassette("acme-recordings", client=client)
    with pytest.raises(S3Error, match="s3://acme-recordings/") as error:
        list(cassette.iter_recording_ids("Checkout"))
    assert error.value.code == "EndpointConnectionError"


def test_client_config_uses_standard_retries() -> None:
    from playback_dvd.cassettes._s3 import client_config

    config: Config = client_config()
    assert config.retries == {"mode": "standard", "max_attempts": 5}
