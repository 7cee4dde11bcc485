"""Record modes, play counts and the error for a request with no recorded twin."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

import playback_dvd as pd

from .._server import LocalServer


def get(hx: ModuleType, server: LocalServer, item: str) -> object:
    return hx.get(f"{server.url}/items?id={item}").json()


def record(hx: ModuleType, path: Path, server: LocalServer, *items: str) -> None:
    with pd.use_dvd(path, record_mode="all"):
        for item in items:
            get(hx, server, item)


def test_none_mode_without_a_file_refuses_with_dvd_not_found(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "missing.dvd.json"
    with pd.use_dvd(path, record_mode="none"), pytest.raises(pd.UnmatchedRequestError) as caught:
        get(hx, server, "1")
    assert caught.value.reason == "dvd_not_found"
    assert str(path) in str(caught.value)
    assert server.hits == []
    assert not path.exists()


def test_once_records_everything_into_a_new_dvd_including_repeats(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "once.dvd.json"
    with pd.use_dvd(path, record_mode="once") as dvd:
        first, second = get(hx, server, "1"), get(hx, server, "1")
    assert len(dvd) == 2
    assert first != second  # each hit is numbered by the server: both went to the network


def test_once_replays_repeats_in_recorded_order(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "order.dvd.json"
    with pd.use_dvd(path):
        recorded = [get(hx, server, "1"), get(hx, server, "1"), get(hx, server, "1")]
    with pd.use_dvd(path):
        replayed = [get(hx, server, "1"), get(hx, server, "1"), get(hx, server, "1")]
    assert replayed == recorded


def test_once_with_an_existing_dvd_is_replay_only(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "existing.dvd.json"
    record(hx, path, server, "1")
    with pd.use_dvd(path, record_mode="once") as dvd, pytest.raises(pd.UnmatchedRequestError) as caught:
        get(hx, server, "2")
    assert caught.value.reason == "no_match"
    assert dvd.write_protected
    assert len(server.hits) == 1


def test_new_episodes_replays_known_and_records_new_requests(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "episodes.dvd.json"
    record(hx, path, server, "1")
    with pd.use_dvd(path, record_mode="new_episodes") as dvd:
        get(hx, server, "1")
        get(hx, server, "2")
    assert len(server.hits) == 2  # "1" was replayed, "2" went to the network
    assert dvd.play_count == 1  # replays only, as vcrpy: recording "2" is not playing it
    with pd.use_dvd(path, record_mode="none") as reloaded:
        get(hx, server, "1")
        get(hx, server, "2")
    assert len(reloaded) == 2


def test_new_episodes_records_a_request_repeated_more_than_recorded(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "more.dvd.json"
    record(hx, path, server, "1")
    with pd.use_dvd(path, record_mode="new_episodes") as dvd:
        get(hx, server, "1")
        get(hx, server, "1")
    assert len(dvd) == 2
    assert len(server.hits) == 2


def test_all_never_replays_and_replaces_matching_interactions(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "all.dvd.json"
    record(hx, path, server, "1", "2")
    with pd.use_dvd(path, record_mode="all") as dvd:
        fresh = get(hx, server, "1")
    assert len(server.hits) == 3
    assert len(dvd) == 2, "the old '1' was replaced, not duplicated; '2' was kept"
    with pd.use_dvd(path, record_mode="none"):
        assert get(hx, server, "1") == fresh
        get(hx, server, "2")


def test_unplayed_interactions_ignore_those_replaced_by_re_recording(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "replaced.dvd.json"
    record(hx, path, server, "1", "2")
    with pd.use_dvd(path, record_mode="all") as dvd:
        get(hx, server, "1")
        assert len(dvd.unplayed_interactions) == 1, "'2' was loaded and neither played nor recorded again"
        get(hx, server, "2")
        assert dvd.unplayed_interactions == (), "both loaded interactions were replaced by new recordings"
        assert (dvd.play_count, dvd.all_played) == (0, False), "recorded, never replayed (vcrpy's meaning)"


def test_re_recording_many_identical_requests_in_all_mode_replaces_only_the_loaded_ones(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "identical.dvd.json"
    record(hx, path, server, "1", "1", "2")
    with pd.use_dvd(path, record_mode="all") as dvd:
        for _ in range(5):
            get(hx, server, "1")
    assert [request.url.rsplit("=", 1)[1] for request in dvd.requests] == ["2", "1", "1", "1", "1", "1"]


def test_already_played_is_its_own_reason(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "played.dvd.json"
    record(hx, path, server, "1")
    with pd.use_dvd(path, record_mode="none"):
        get(hx, server, "1")
        with pytest.raises(pd.UnmatchedRequestError) as caught:
            get(hx, server, "1")
    assert caught.value.reason == "already_played"
    assert "allow_playback_repeats" in str(caught.value)


def test_allow_playback_repeats_replays_one_interaction_many_times(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "repeat.dvd.json"
    record(hx, path, server, "1")
    with pd.use_dvd(path, record_mode="none", allow_playback_repeats=True) as dvd:
        answers = [get(hx, server, "1") for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert dvd.play_count == 3


def test_play_count_all_played_and_rewind(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "rewind.dvd.json"
    record(hx, path, server, "1", "2")
    with pd.use_dvd(path, record_mode="none") as dvd:
        get(hx, server, "1")
        assert (dvd.play_count, dvd.all_played) == (1, False)
        get(hx, server, "2")
        assert (dvd.play_count, dvd.all_played) == (2, True)
        dvd.rewind()
        assert (dvd.play_count, dvd.all_played) == (0, False)
        get(hx, server, "1")
    assert [request.url.rsplit("=", 1)[1] for request in dvd.requests] == ["1", "2"]
    assert len(dvd.interactions) == 2


def test_the_miss_message_shows_request_dvd_closest_and_fix(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "explain.dvd.json"
    record(hx, path, server, "1")
    with pd.use_dvd(path, record_mode="none"), pytest.raises(pd.UnmatchedRequestError) as caught:
        hx.post(f"{server.url}/items?id=1", json={"x": 1})
    message = str(caught.value)
    assert f"POST {server.url}/items?id=1" in message
    assert str(path) in message
    assert "record_mode='none'" in message
    assert "method differs: recorded 'GET', this request 'POST'" in message
    assert "How to fix" in message
    assert caught.value.closest[0].method == "GET"
    assert caught.value.request.method == "POST"


def test_a_replay_only_block_never_writes(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "untouched.dvd.json"
    record(hx, path, server, "1")
    before = path.stat().st_mtime_ns, path.read_bytes()
    with pd.use_dvd(path, record_mode="none"):
        get(hx, server, "1")
    with pd.use_dvd(path, record_mode="new_episodes"):
        get(hx, server, "1")
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_record_on_exception_false_discards_a_failed_block(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "failed.dvd.json"

    def failing_test() -> None:
        with pd.use_dvd(path, record_on_exception=False):
            get(hx, server, "1")
            raise RuntimeError("the test failed")

    with pytest.raises(RuntimeError):
        failing_test()
    assert not path.exists()


def test_unknown_record_mode_lists_the_valid_ones() -> None:
    with pytest.raises(pd.ConfigurationError, match="'none', 'once', 'new_episodes', 'all'"):
        pd.use_dvd("x.dvd.json", record_mode="sometimes")


def test_a_misspelled_option_suggests_the_right_name() -> None:
    with pytest.raises(pd.ConfigurationError, match="did you mean 'record_mode'"):
        pd.use_dvd("x.dvd.json", record_mod="none")  # type: ignore[call-arg]


@pytest.mark.anyio
async def test_async_miss_raises_the_same_error(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "async-miss.dvd.json"
    record(hx, path, server, "1")
    async with pd.use_dvd(path, record_mode="none"), hx.AsyncClient() as client:
        await client.get(f"{server.url}/items?id=1")
        with pytest.raises(pd.UnmatchedRequestError) as caught:
            await client.get(f"{server.url}/items?id=1")
    assert caught.value.reason == "already_played"
