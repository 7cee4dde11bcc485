"""The client libraries the suite sends HTTP with: httpx, and httpx2 where it installs (Python >= 3.11).

The ``hx`` fixture (tests/conftest.py) runs a test once per library. A recorded test service stores the
name of the library it used in its recording's metadata, and its playback function takes that library
again with `client_module`; a service replayed in another process (the command line, Dask workers) works
the same way.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

LIBRARIES = ("httpx", "httpx2")


def available_libraries() -> tuple[str, ...]:
    """The names of the libraries this interpreter can run: httpx2 needs Python >= 3.11."""
    return LIBRARIES if sys.version_info >= (3, 11) else LIBRARIES[:1]


def client_module(name: str) -> ModuleType:
    """The client library called *name*; only the two of `LIBRARIES` (a name read from a recording)."""
    if name not in LIBRARIES:
        raise ValueError(f"not a client library of the tests: {name!r} (one of {', '.join(LIBRARIES)})")
    return importlib.import_module(name)
