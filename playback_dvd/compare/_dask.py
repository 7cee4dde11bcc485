"""Replays on a Dask cluster: a `distributed.Client` on a scheduler address, used as an Executor."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Any

from .._errors import ConfigurationError

# scheme://host:port or host:port, as Dask spells scheduler addresses (IPv6 hosts in brackets).
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:\[[0-9a-fA-F:]+\]|[^\s/:\[\]]+):\d{1,5}$")

#: Seconds to wait for the scheduler to answer before giving up with a clear error.
CONNECT_TIMEOUT_SECONDS = 10.0


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[tuple[Executor, int]]:
    """Connect to the Dask scheduler at *address* (``tcp://host:8786``); yield an Executor on it and how
    many batches to keep in flight (twice the cluster's worker threads at connection time).

    The client is closed on exit; the cluster is left running. Each worker needs the player's module
    importable (installed on it, or on its ``PYTHONPATH``) and access to the recordings' location.

    Raises:
        ConfigurationError: *address* is malformed, distributed is not installed (the ``dask`` extra), or
            the scheduler does not answer.
    """
    if not _ADDRESS.match(address):
        # Checked here: a Client built on a malformed address hangs at interpreter exit.
        raise ConfigurationError(f"--executor {address!r} must look like tcp://host:8786")
    try:
        import distributed
    except ImportError:
        raise ConfigurationError(
            "--executor needs Dask's distributed package: pip install 'playback-dvd[dask]'"
        ) from None
    connect: Any = distributed.Client  # distributed is not typed: its calls are checked by the tests
    try:
        client = connect(address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ConfigurationError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    try:
        threads = sum(client.nthreads().values())
        yield client.get_executor(), max(2, 2 * threads)
    finally:
        client.close()
