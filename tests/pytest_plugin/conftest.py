"""Fixtures for the pytest plugin's tests: pytester sessions that reach the real local server."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import httpcore
import httpx
import hypothesis.internal.observability
import pytest

from playback_dvd.http._libraries import installed_libraries
from playback_dvd.pytest_plugin import _activation as _pytest_activation
from playback_dvd.pytest_plugin import _network as _pytest_network

# In-process pytester runs put sys.modules back as it was after each run: a module first imported inside
# one (httpx imports httpcore lazily; the plugin imports its DVD machinery lazily) would be dropped and
# imported again later as a second copy, whose classes differ from those cached elsewhere (httpx maps
# httpcore's exceptions with a dict built once). Import them here, before any inner run.
# httpx2 (when installed) is imported by the first session and its classes are patched: same reason.
# hypothesis's plugin imports the whole of hypothesis at each session's end: imported once here, not again
# in every inner run (a second or more each when this folder runs alone; the full suite imports it anyway).
_LOADED_BEFORE_INNER_RUNS = (
    httpcore,
    httpx,
    hypothesis.internal.observability,
    _pytest_activation,
    _pytest_network,
    installed_libraries(),
)


def pytest_configure(config: pytest.Config) -> None:
    # `pytest_plugins = ["pytester"]` is refused in a conftest below the top level, and this is the only
    # folder that runs pytest inside pytest. pytest_configure is historic: this runs when the conftest loads.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


# What every generated test module starts with: the real local server's URL and the client library (`hx`:
# httpx or httpx2, the outer test's `hx`) come in through the environment, so in-process runs and
# pytest-xdist workers (subprocesses) reach the same server with the same library.
HEADER = """
import importlib
import os

import pytest

import playback_dvd

URL = os.environ["DVD_TEST_SERVER"]
hx = importlib.import_module(os.environ["DVD_TEST_CLIENT"])
"""


#: For a test whose inner tests send nothing through an HTTP client library (urllib, option parsing, marks):
#: run it once, with httpx; the `session` fixture otherwise runs every test through httpx and httpx2.
one_library = pytest.mark.parametrize("hx", ["httpx"], indirect=True)


class Session:
    """A pytester folder whose test modules talk to the real server; runs real pytest sessions in it."""

    def __init__(self, pytester: pytest.Pytester, server, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pytester = pytester
        self.monkeypatch = monkeypatch
        self.server = server
        self.path = pytester.path

    def module(self, name: str, source: str) -> Path:
        return self.pytester.makepyfile(**{name: HEADER + source})

    def env(self, name: str, value: str) -> None:
        """Set an environment variable the generated tests read (undone after the test)."""
        self.monkeypatch.setenv(name, value)

    def run(self, *args: str) -> pytest.RunResult:
        return self.pytester.runpytest("-p", "no:cacheprovider", *args)

    def dvd_file(self, module: str, name: str, suffix: str = ".dvd.json") -> Path:
        return self.path / "dvds" / module / f"{name}{suffix}"

    def recorded_urls(self, path: Path) -> list[str]:
        document = json.loads(path.read_text())
        return [item["request"]["url"].replace(self.server.url, "") for item in document["interactions"]]

    def hits(self) -> list[str]:
        return [path for _, path in self.server.hits]


@pytest.fixture
def session(pytester: pytest.Pytester, server, monkeypatch: pytest.MonkeyPatch, hx: ModuleType) -> Session:
    """A pytester folder wired to the local server, whose tests send HTTP through *hx*, with CI unset (the
    default record mode is 'once')."""
    monkeypatch.setenv("DVD_TEST_SERVER", server.url)
    monkeypatch.setenv("DVD_TEST_CLIENT", hx.__name__)
    monkeypatch.delenv("CI", raising=False)
    return Session(pytester, server, monkeypatch)
