"""`HttpActivation`: the one helper that patches httpx and httpx2 and puts a handler in charge."""

from __future__ import annotations

import contextvars
import subprocess
import sys
from pathlib import Path

import pytest

from playback_dvd.http import _patching
from playback_dvd.http._activation import HttpActivation, activated
from playback_dvd.http._active import current_http_handler

from .._server import LocalServer


class _Handler:
    def handle(self, request, send):
        raise AssertionError("not called")

    async def ahandle(self, request, send):
        raise AssertionError("not called")


def test_start_patches_and_sets_stop_undoes_both_and_a_second_stop_does_nothing():
    handler = _Handler()
    activation = HttpActivation(handler)
    activation.start()
    assert current_http_handler.get() is handler
    assert _patching.installed()
    activation.stop()
    activation.stop()
    assert current_http_handler.get() is None
    assert not _patching.installed()


def test_activations_nest_innermost_wins():
    outer, inner = _Handler(), _Handler()
    with activated(outer):
        with activated(inner):
            assert current_http_handler.get() is inner
        assert current_http_handler.get() is outer
        assert _patching.installed()
    assert not _patching.installed()


def test_a_stop_from_another_context_raises_but_still_releases_the_patch():
    activation = HttpActivation(_Handler())
    contextvars.copy_context().run(activation.start)
    assert _patching.installed()
    with pytest.raises(ValueError, match="different Context"):
        activation.stop()
    assert not _patching.installed()


def test_without_httpx2_installed_httpx_alone_is_covered(tmp_path: Path, server: LocalServer) -> None:
    # A fresh interpreter in which httpx2 cannot be imported, as where it is not installed (Python 3.10).
    script = f"""
import sys
sys.modules["httpx2"] = None
import httpx
import playback_dvd as pd
from playback_dvd.http._libraries import installed_libraries
path = {str(tmp_path / "alone.dvd.json")!r}
with pd.use_dvd(path):
    recorded = httpx.get("{server.url}/items?id=1").json()
with pd.use_dvd(path, record_mode="none"):
    assert httpx.get("{server.url}/items?id=1").json() == recorded
print([library.name for library in installed_libraries()])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['httpx']"
    assert len(server.hits) == 1
