"""Fixtures shared by the whole suite: the local HTTP server, and a clean interception state."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest

from playback_dvd.http import _patching

from ._clients import LIBRARIES, available_libraries, client_module
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


@pytest.fixture(params=LIBRARIES)
def hx(request: pytest.FixtureRequest) -> ModuleType:
    """httpx, then httpx2: the client library a test makes its requests with (same API, other classes).

    A slow test whose subject does not depend on the library can keep one:
    ``@pytest.mark.parametrize("hx", ["httpx"], indirect=True)``, with the reason in a comment.
    """
    if request.param not in available_libraries():
        pytest.skip("httpx2 needs Python >= 3.11 (the dev extra installs it there)")
    return client_module(request.param)
