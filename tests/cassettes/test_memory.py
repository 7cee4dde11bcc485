"""`MemoryCassette` beyond the contract."""

from __future__ import annotations

from datetime import datetime, timezone

from playback_dvd import MemoryCassette

from ._recordings import save_small


def test_its_length_is_the_number_of_recordings() -> None:
    cassette = MemoryCassette()
    recording_id = save_small(cassette, datetime(2026, 3, 4, tzinfo=timezone.utc))
    save_small(cassette, datetime(2026, 3, 5, tzinfo=timezone.utc))
    cassette.delete_recording(recording_id)
    assert len(cassette) == 1


def test_it_is_a_context_manager() -> None:
    with MemoryCassette() as cassette:
        save_small(cassette, datetime(2026, 3, 4, tzinfo=timezone.utc))
    assert len(cassette) == 1
