"""Fixtures shared by the whole suite: the local HTTP server, and a clean interception state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from playback_dvd.http import _patching

from ._server import LocalServer


@pytest.fixture(scope="session")
def _server_process() -> Iterator[LocalServer]:
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(_server_process: LocalServer) -> LocalServer:
    """The real HTTP server on 127.0.0.1, with its hit log emptied for this test."""
    _server_process.reset()
    return _server_process


@pytest.fixture(autouse=True)
def _no_leftover_patch() -> Iterator[None]:
    yield
    assert not _patching.installed(), "a test left the httpx hook installed"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
