"""Fixtures of the Recorder tests: a recorder writing to a MemoryCassette, and how to read what it saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from playback_dvd import Cassette, DVDDocument, LocalCassette, MemoryCassette, Recorder


@pytest.fixture(params=["memory", "local"])
def cassette(request: pytest.FixtureRequest, tmp_path: Path) -> Cassette:
    """An empty cassette: in memory, then on disk (`LocalCassette`)."""
    if request.param == "memory":
        return MemoryCassette()
    return LocalCassette(tmp_path / "recordings")


def stored_count(cassette: Cassette) -> int:
    """How many recordings *cassette* holds, whatever their category."""
    if isinstance(cassette, LocalCassette):
        return len(
            [path for path in cassette.directory.rglob("*") if path.name.endswith((".dvd", ".dvd.json"))]
        )
    assert isinstance(cassette, MemoryCassette)
    return len(cassette)


@pytest.fixture
def recorder(cassette: MemoryCassette) -> Iterator[Recorder]:
    """A recorder saving into *cassette*, recording every call."""
    recorder = Recorder(cassette)
    yield recorder
    recorder.close()


def recordings(recorder: Recorder, category: str) -> list[DVDDocument]:
    """Every recording of *category* the recorder's cassette holds."""
    cassette = recorder.cassette
    return [cassette.get_recording(rid) for rid in cassette.iter_recording_ids(category)]


def only_recording(recorder: Recorder, category: str) -> DVDDocument:
    """The one recording of *category* (fails when there are none or several)."""
    found = recordings(recorder, category)
    assert len(found) == 1, f"expected one recording of {category}, found {len(found)}"
    return found[0]
