"""What the plugin adds to the foundation: read-only interactions in a DVD, and DVDFile's explicit save."""

from __future__ import annotations

from types import ModuleType

import pytest

from playback_dvd import DVD, Interaction, Request, Response, UnmatchedRequestError
from playback_dvd._options import resolve_options
from playback_dvd.http._use_dvd import DVDFile


def _interaction(number: int) -> Interaction:
    request = Request("GET", f"http://api.test/items?id={number}", (), b"")
    return Interaction(request, Response(200, (), f"item {number}".encode(), "HTTP/1.1", "OK"))


def test_read_only_interactions_are_played_but_never_saved() -> None:
    dvd = DVD([_interaction(1)], existed=True, read_only_interactions=[_interaction(2)], record_mode="none")
    assert dvd.play(_interaction(2).request) == _interaction(2)
    assert dvd.interactions == (_interaction(1),)
    assert len(dvd) == 1
    assert dvd.to_document().interactions == (_interaction(1),)


def test_own_interactions_answer_before_read_only_twins() -> None:
    own = _interaction(1)
    extra = Interaction(own.request, Response(200, (), b"from the extra DVD", "HTTP/1.1", "OK"))
    dvd = DVD([own], existed=True, read_only_interactions=[extra])
    assert dvd.play(own.request) is own
    assert dvd.play(own.request) is extra


def test_recorded_interactions_are_saved_beside_read_only_ones_left_out() -> None:
    dvd = DVD(read_only_interactions=[_interaction(2)], record_mode="new_episodes")
    dvd.record(_interaction(3))
    assert dvd.interactions == (_interaction(3),)
    assert dvd.unplayed_interactions == ()
    assert not dvd.all_played  # recorded, not replayed: vcrpy's meaning of all_played


def test_all_mode_keeps_read_only_interactions_out_of_the_saved_dvd() -> None:
    dvd = DVD([_interaction(1)], existed=True, read_only_interactions=[_interaction(1)], record_mode="all")
    dvd.record(_interaction(1))
    assert dvd.interactions == (_interaction(1),)
    assert len(dvd) == 1


def test_a_dvd_file_saves_only_when_asked(hx: ModuleType, tmp_path, server) -> None:
    path = str(tmp_path / "x.dvd.json")
    dvd_file = DVDFile(path, resolve_options({}))
    dvd_file.start()
    try:
        hx.get(f"{server.url}/items?id=1")
    finally:
        dvd_file.stop()
    assert not (tmp_path / "x.dvd.json").exists()
    assert dvd_file.save() is True
    assert DVDFile(path, resolve_options({"record_mode": "none"})).dvd.requests[0].url.endswith("id=1")


def test_a_dvd_file_does_not_write_an_unchanged_dvd(tmp_path) -> None:
    dvd_file = DVDFile(str(tmp_path / "x.dvd.json"), resolve_options({}))
    dvd_file.start()
    dvd_file.stop()
    assert dvd_file.save() is False
    assert not (tmp_path / "x.dvd.json").exists()


def test_a_fresh_dvd_file_ignores_what_the_file_holds(hx: ModuleType, tmp_path, server) -> None:
    path = str(tmp_path / "x.dvd.json")
    first = DVDFile(path, resolve_options({}))
    first.start()
    try:
        hx.get(f"{server.url}/items?id=1")
    finally:
        first.stop()
    first.save()
    fresh = DVDFile(path, resolve_options({"record_mode": "none"}), fresh=True)
    fresh.start()
    try:
        with pytest.raises(UnmatchedRequestError):
            hx.get(f"{server.url}/items?id=1")
    finally:
        fresh.stop()
