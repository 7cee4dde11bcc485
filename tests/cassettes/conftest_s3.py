"""S3 fixtures: real servers on 127.0.0.1 (started once per test process), a client and a fresh bucket."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import playback_dvd as pd

from .._s3_servers import S3Server, ServerUnavailable, isolated_aws_environment, moto_server, seaweedfs_server

S3_BACKENDS = ("moto", "seaweedfs")

__all__ = [
    "S3_BACKENDS",
    "S3_CASSETTE_FACTORIES",
    "RequestCounter",
    "aws_environment",
    "moto_s3",
    "s3_bucket",
    "s3_client",
    "s3_server",
    "seaweedfs_s3",
]


@pytest.fixture(scope="session")
def aws_environment() -> Iterator[None]:
    """Fake AWS credentials, and no AWS config file of the user's, for the whole session."""
    with isolated_aws_environment():
        yield


@pytest.fixture(scope="session")
def moto_s3(aws_environment: None) -> Iterator[S3Server]:
    """moto's S3 server mode on 127.0.0.1 (in this process, a free port)."""
    with moto_server() as server:
        yield server


@pytest.fixture(scope="session")
def seaweedfs_s3(aws_environment: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server | str]:
    """SeaweedFS on 127.0.0.1 (a subprocess, SIGKILLed at the end), or why it cannot run here."""
    try:
        with seaweedfs_server() as server:
            yield server
    except ServerUnavailable as reason:
        yield str(reason)


@pytest.fixture(params=S3_BACKENDS)
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    """Each real S3 server in turn (skipped, with the reason, where SeaweedFS cannot run)."""
    server = request.getfixturevalue(f"{request.param}_s3")
    if isinstance(server, str):
        pytest.skip(server)
    return server


@pytest.fixture
def s3_client(s3_server: S3Server) -> Any:
    """A boto3 client on the S3 server under test."""
    return s3_server.client()


@pytest.fixture
def s3_bucket(s3_server: S3Server, s3_client: Any) -> str:
    """A new, empty bucket for this test."""
    return s3_server.new_bucket(s3_client)


class RequestCounter:
    """Counts the HTTP requests (retries included) a boto3 client sends to S3, by operation.

    A botocore event hook observes the real client; nothing is replaced.
    """

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-send.s3", self._count)

    def _count(self, event_name: str, **_: Any) -> None:
        self.calls[event_name.rsplit(".", 1)[-1]] += 1

    @property
    def total(self) -> int:
        """Requests made since the last reset."""
        return sum(self.calls.values())

    def reset(self) -> None:
        """Start counting from zero."""
        self.calls.clear()


def _s3_cassette_factory(backend: str) -> Callable[[Path, pytest.FixtureRequest], Any]:
    def make(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
        server = request.getfixturevalue(f"{backend}_s3")
        if isinstance(server, str):
            pytest.skip(server)
        client = server.client()
        return pd.S3Cassette(server.new_bucket(client), "contract", client=client)

    return make


S3_CASSETTE_FACTORIES = {f"s3-{backend}": _s3_cassette_factory(backend) for backend in S3_BACKENDS}
"""The S3 backends of the contract suite (``tests/cassettes/test_contract.py``)."""
