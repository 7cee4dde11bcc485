"""Replays in spawned worker processes: same verdicts, timeouts that kill, dead workers, recycling."""

from __future__ import annotations

import sys

import pytest

from playback_dvd import ConfigurationError
from playback_dvd.compare import CompareExecutionConfig, EqualityStatus, Equalizer

from ._players import pid_player, scenario_id, scenario_player, unhurried_player

SCENARIOS = ["equal", "different", "fixed", "failed", "missing_input", "requests_changed", "raises"]


def statuses(comparisons):
    return {c.recording_id: c.equality_status for c in comparisons}


def test_two_workers_reach_the_same_verdicts_as_this_process():
    ids = [scenario_id(name) for name in SCENARIOS]
    here = statuses(Equalizer(ids, scenario_player).run_comparison())
    config = CompareExecutionConfig(jobs=2)
    there = list(Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison())
    assert statuses(there) == here
    assert all(c.playback is None for c in there)  # a Playback holds a live DVD: it stays in the worker
    different = next(c for c in there if c.recording_id == scenario_id("different"))
    assert different.comparator_status.diff.total == 3


def test_a_replay_past_its_timeout_fails_alone_and_the_others_complete():
    ids = [scenario_id("slow"), scenario_id("equal", 1), scenario_id("equal", 2)]
    config = CompareExecutionConfig(jobs=2, timeout_seconds=1.0)
    result = statuses(Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison())
    assert result == {
        scenario_id("slow"): EqualityStatus.EqualizerFailure,
        scenario_id("equal", 1): EqualityStatus.Equal,
        scenario_id("equal", 2): EqualityStatus.Equal,
    }


def test_a_worker_deaf_to_its_timeout_is_killed_and_the_others_complete():
    ids = [scenario_id("deaf"), scenario_id("equal", 1)]
    config = CompareExecutionConfig(compare_in_dedicated_process=True, timeout_seconds=0.5)
    result = {
        c.recording_id: c
        for c in Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison()
    }
    deaf = result[scenario_id("deaf")]
    assert deaf.equality_status is EqualityStatus.EqualizerFailure
    assert deaf.comparator_status.message == "the replay took longer than 0.5 s; its worker was killed"
    assert result[scenario_id("equal", 1)].equality_status is EqualityStatus.Equal


def test_a_worker_that_dies_fails_its_recording_and_the_pool_recovers():
    ids = [scenario_id("crash"), scenario_id("equal", 1)]
    config = CompareExecutionConfig(compare_in_dedicated_process=True)
    comparisons = list(Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison())
    result = {c.recording_id: c for c in comparisons}
    assert result[scenario_id("crash")].equality_status is EqualityStatus.EqualizerFailure
    assert "worker process died" in result[scenario_id("crash")].comparator_status.message
    assert result[scenario_id("equal", 1)].equality_status is EqualityStatus.Equal


def test_only_the_recording_that_kills_its_worker_fails_not_those_in_flight_beside_it():
    crashing = {scenario_id("crash", n) for n in range(3)}
    ids = [scenario_id("equal", n) for n in range(13)] + sorted(crashing)
    config = CompareExecutionConfig(jobs=2)
    result = statuses(Equalizer(ids, unhurried_player, compare_execution_config=config).run_comparison())
    assert result == {
        rid: EqualityStatus.EqualizerFailure if rid in crashing else EqualityStatus.Equal for rid in ids
    }


@pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child needs Python 3.11 (documented)")
def test_workers_are_recycled_after_max_tasks_per_child():
    ids = [scenario_id("equal", n) for n in range(4)]
    config = CompareExecutionConfig(
        compare_in_dedicated_process=True, max_tasks_per_child=1, keep_results_in_comparison=True
    )
    pids = {
        c.actual["operation"]
        for c in Equalizer(ids, pid_player, compare_execution_config=config).run_comparison()
    }
    assert len(pids) == 4


def test_an_unpicklable_player_is_refused_before_any_replay():
    config = CompareExecutionConfig(jobs=2)
    equalizer = Equalizer(
        [scenario_id("equal")], lambda rid: scenario_player(rid), compare_execution_config=config
    )
    with pytest.raises(ConfigurationError, match="player must be picklable"):
        list(equalizer.run_comparison())


def test_a_player_string_is_resolved_inside_the_workers():
    config = CompareExecutionConfig(jobs=2)
    equalizer = Equalizer(
        [scenario_id("equal"), scenario_id("different")],
        "tests.compare._players:scenario_player",
        compare_execution_config=config,
    )
    assert sorted(c.equality_status.name for c in equalizer.run_comparison()) == ["Different", "Equal"]
