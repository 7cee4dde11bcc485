"""Fixtures shared by the whole suite: the local HTTP server, and a clean interception state."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

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


@pytest.fixture(params=["httpx", "httpx2"])
def hx(request: pytest.FixtureRequest) -> ModuleType:
    """httpx, then httpx2: the client library a test makes its requests with (same API, other classes)."""
    if request.param == "httpx2" and sys.version_info < (3, 11):
        pytest.skip("httpx2 needs Python >= 3.11 (the dev extra installs it there)")
    return importlib.import_module(request.param)
