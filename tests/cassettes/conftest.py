"""The `cassette` fixture: every test that asks for it runs once per backend in `CASSETTE_FACTORIES`.

Adding a backend to the contract suite (how the S3 backends join):

1. Write a module ``tests/cassettes/_backend_<name>.py`` (it is imported here automatically).
2. In it, register one factory per backend variant::

       from .conftest import CassetteFactory, register_cassette_factory

       @register_cassette_factory("moto")
       def _moto(request: pytest.FixtureRequest, tmp_path: Path) -> Cassette:
           server = request.getfixturevalue("moto_server")   # session fixtures are reachable this way
           return S3Cassette(...)

   A factory gets the test's ``request`` and a fresh ``tmp_path``; it may call ``pytest.skip(reason)``
   when its backend cannot run here, and ``request.addfinalizer`` for cleanup. The fixture closes the
   cassette after the test.
3. Fixtures the factory needs (a session-scoped server...) go in the same module, named in its
   ``FIXTURES = ("moto_server",)``: they are re-exported here, where pytest finds them
   (``pytest_plugins`` is only allowed in the root conftest).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from playback_dvd.cassettes import Cassette, LocalCassette, MemoryCassette

CassetteFactory = Callable[[pytest.FixtureRequest, Path], Cassette]

#: Backend name -> factory. The test ids show the name: ``test_x[local-json]``.
CASSETTE_FACTORIES: dict[str, CassetteFactory] = {}


def register_cassette_factory(name: str) -> Callable[[CassetteFactory], CassetteFactory]:
    """Add a backend to the contract suite under *name* (a decorator of its factory)."""

    def register(factory: CassetteFactory) -> CassetteFactory:
        if name in CASSETTE_FACTORIES:
            raise ValueError(f"a cassette factory named {name!r} is already registered")
        CASSETTE_FACTORIES[name] = factory
        return factory

    return register


@register_cassette_factory("memory")
def _memory(request: pytest.FixtureRequest, tmp_path: Path) -> Cassette:
    return MemoryCassette()


@register_cassette_factory("local")
def _local(request: pytest.FixtureRequest, tmp_path: Path) -> Cassette:
    return LocalCassette(tmp_path / "recordings")


@register_cassette_factory("local-json")
def _local_json(request: pytest.FixtureRequest, tmp_path: Path) -> Cassette:
    return LocalCassette(tmp_path / "recordings", binary=False)


def _import_backend_modules() -> dict[str, Any]:
    """Import every ``_backend_*.py`` next to this file; return the fixtures they list in ``FIXTURES``."""
    fixtures: dict[str, Any] = {}
    for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module_info.name.startswith("_backend_"):
            module = importlib.import_module(f"{__package__}.{module_info.name}")
            fixtures.update({name: getattr(module, name) for name in getattr(module, "FIXTURES", ())})
    return fixtures


globals().update(_import_backend_modules())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cassette_name" in metafunc.fixturenames:
        metafunc.parametrize("cassette_name", list(CASSETTE_FACTORIES))


@pytest.fixture
def cassette(cassette_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cassette]:
    """A fresh, empty cassette of the backend named by the test's parameter (closed after the test)."""
    store = CASSETTE_FACTORIES[cassette_name](request, tmp_path)
    yield store
    store.close()
