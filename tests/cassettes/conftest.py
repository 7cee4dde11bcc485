"""The `cassette` fixture: one contract suite, run against every storage backend.

A backend joins the suite by adding a factory to ``CASSETTE_FACTORIES`` (name -> factory(tmp_path,
request) returning a cassette, or calling ``pytest.skip`` with the reason it cannot run here). A module
that registers backends must be imported by this conftest (see the bottom of this file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import playback_dvd as pd

CassetteFactory = Callable[[Path, pytest.FixtureRequest], Any]

CASSETTE_FACTORIES: dict[str, CassetteFactory] = {
    "memory": lambda tmp_path, request: pd.MemoryCassette(),
    "local": lambda tmp_path, request: pd.LocalCassette(tmp_path / "recordings"),
    "local-json": lambda tmp_path, request: pd.LocalCassette(tmp_path / "recordings", binary=False),
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cassette" in metafunc.fixturenames:
        metafunc.parametrize("cassette_name", sorted(CASSETTE_FACTORIES), indirect=False)


@pytest.fixture
def cassette(cassette_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh, empty cassette of each backend."""
    instance = CASSETTE_FACTORIES[cassette_name](tmp_path, request)
    yield instance
    instance.close()


# The S3 backends: real servers on 127.0.0.1 (moto's server mode, SeaweedFS) and their fixtures.
from .conftest_s3 import *  # noqa: E402, F403
from .conftest_s3 import S3_CASSETTE_FACTORIES  # noqa: E402

CASSETTE_FACTORIES.update(S3_CASSETTE_FACTORIES)
