"""A playback-style recorder on an in-memory cassette, recording enabled (playback starts disabled)."""

from __future__ import annotations

import pytest

from playback_dvd.compat.playback.tape_cassettes.in_memory.in_memory_tape_cassette import (
    InMemoryTapeCassette,
)
from playback_dvd.compat.playback.tape_recorder import TapeRecorder


@pytest.fixture
def cassette() -> InMemoryTapeCassette:
    return InMemoryTapeCassette()


@pytest.fixture
def tape_recorder(cassette: InMemoryTapeCassette) -> TapeRecorder:
    recorder = TapeRecorder(cassette, random_seed=7)
    recorder.enable_recording()
    return recorder
