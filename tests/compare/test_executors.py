"""Replays on any concurrent.futures.Executor, and how the package's own pool starts its workers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from playback_dvd import ConfigurationError
from playback_dvd.compare import CompareExecutionConfig, EqualityStatus, Equalizer
from playback_dvd.compare._execution import worker_start_method

from ._players import scenario_id, scenario_player, unhurried_player

SCENARIOS = ["equal", "different", "fixed", "failed", "missing_input", "requests_changed", "raises"]


def statuses(comparisons):
    return {c.recording_id: c.equality_status for c in comparisons}


def test_a_thread_pool_executor_reaches_the_same_verdicts_as_this_process():
    ids = [scenario_id(name, n) for name in SCENARIOS for n in range(3)]
    here = statuses(Equalizer(ids, scenario_player).run_comparison())
    with ThreadPoolExecutor(max_workers=3) as executor:
        config = CompareExecutionConfig(executor=executor, batch_size=2)
        there = list(Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison())
    assert statuses(there) == here
    assert len(there) == len(ids)


def test_batches_in_flight_are_bounded_so_ids_are_read_as_the_run_goes():
    read = []

    def ids():
        for n in range(40):
            read.append(n)
            yield scenario_id("equal", n)

    with ThreadPoolExecutor(max_workers=1) as executor:
        config = CompareExecutionConfig(executor=executor, batch_size=2, max_batches_in_flight=3)
        comparisons = Equalizer(ids(), unhurried_player, compare_execution_config=config).run_comparison()
        next(comparisons)
        assert len(read) <= 2 * 3 + 2  # three batches in flight, and the next being formed
        comparisons.close()


def test_a_worker_killed_on_a_process_pool_executor_fails_only_its_batch_and_the_refused_ones():
    ids = [scenario_id("equal", n) for n in range(4)] + [scenario_id("crash")]
    with ProcessPoolExecutor(max_workers=1) as executor:
        config = CompareExecutionConfig(executor=executor, batch_size=1, max_batches_in_flight=1)
        result = {
            c.recording_id: c
            for c in Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison()
        }
    assert [result[scenario_id("equal", n)].equality_status for n in range(4)] == [EqualityStatus.Equal] * 4
    crashed = result[scenario_id("crash")]
    assert crashed.equality_status is EqualityStatus.EqualizerFailure
    assert "BrokenProcessPool" in crashed.comparator_status.message


def test_an_executor_must_be_a_concurrent_futures_executor():
    with pytest.raises(ConfigurationError, match=r"must be a concurrent\.futures\.Executor"):
        CompareExecutionConfig(executor=object())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "option", [{"batch_size": 0}, {"max_batches_in_flight": 0}, {"start_method": "teleport"}]
)
def test_out_of_range_options_are_refused(option):
    with pytest.raises(ConfigurationError):
        CompareExecutionConfig(**option)


def test_workers_are_spawned_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert worker_start_method(CompareExecutionConfig(jobs=2)) == "spawn"
    finally:
        stop.set()
        thread.join()


def test_recycled_workers_are_spawned_and_a_chosen_start_method_is_kept():
    assert worker_start_method(CompareExecutionConfig(jobs=2, max_tasks_per_child=10)) == "spawn"
    assert worker_start_method(CompareExecutionConfig(jobs=2, start_method="forkserver")) == "forkserver"


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only (documented)")
def test_a_single_threaded_process_forks_its_workers_and_they_reach_the_same_verdicts():
    # The test process runs server threads, so the fork path runs in a fresh, single-threaded one.
    code = textwrap.dedent(
        """
        from playback_dvd.compare import CompareExecutionConfig, Equalizer
        from playback_dvd.compare._execution import worker_start_method
        from tests.compare._players import scenario_id, scenario_player

        config = CompareExecutionConfig(jobs=2)
        ids = [scenario_id(name, n) for name in ("equal", "different", "crash") for n in range(3)]
        print(worker_start_method(config))
        comparisons = Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison()
        print(sorted(c.equality_status.name for c in comparisons))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    method, verdicts = result.stdout.splitlines()
    assert method == "fork"
    assert verdicts == str(["Different"] * 3 + ["Equal"] * 3 + ["EqualizerFailure"] * 3)
