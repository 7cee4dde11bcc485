"""The Equalizer in this process: each status, the defaults, extractor and comparator failures, sharding."""

from __future__ import annotations

import functools
import operator

import pytest

from playback_dvd import ConfigurationError
from playback_dvd.compare import (
    ComparatorResult,
    CompareExecutionConfig,
    EqualityStatus,
    Equalizer,
    StructuralComparator,
    in_shard,
    operation_result,
    parse_shard,
)

from ._players import scenario_id, scenario_player


def compare_one(scenario, **options):
    (comparison,) = Equalizer([scenario_id(scenario)], scenario_player, **options).run_comparison()
    return comparison


def test_identical_outputs_are_equal():
    comparison = compare_one("equal")
    assert comparison.equality_status is EqualityStatus.Equal
    assert comparison.category == "Checkout"
    assert comparison.playback is not None


def test_the_default_comparison_covers_the_operation_result_and_intercepted_outputs():
    comparison = compare_one("different")
    assert comparison.equality_status is EqualityStatus.Different
    assert comparison.comparator_status.diff.lines() == [
        '$["checkout.save_invoice #1"].total: 15.0 -> 17.0',
        '$["checkout.save_invoice #1"].items[0].price: 10 -> 12',
        "$.operation.total: 15.0 -> 17.0",
    ]


def test_a_recording_that_failed_and_a_replay_that_succeeds_is_fixed():
    comparison = compare_one("fixed")
    assert comparison.equality_status is EqualityStatus.Fixed
    assert comparison.expected_is_exception
    assert not comparison.actual_is_exception
    assert "ZeroDivisionError" in comparison.comparator_status.message


def test_a_replay_that_raises_where_the_recording_did_not_is_failed():
    comparison = compare_one("failed")
    assert comparison.equality_status is EqualityStatus.Failed
    assert comparison.comparator_status.message == "the replay raised KeyError: 'price'"


def test_the_same_failure_recorded_and_replayed_is_equal():
    assert compare_one("both_fail_same").equality_status is EqualityStatus.Equal


def test_a_different_failure_is_different():
    comparison = compare_one("both_fail_differently")
    assert comparison.equality_status is EqualityStatus.Different
    assert "TypeError" in comparison.comparator_status.message


def test_a_playback_dvd_error_during_the_replay_is_an_equalizer_failure():
    comparison = compare_one("missing_input")
    assert comparison.equality_status is EqualityStatus.EqualizerFailure
    assert "UnmatchedRequestError" in comparison.comparator_status.message


def test_a_replay_stopped_by_a_request_the_recording_lacks_is_different():
    comparison = compare_one("new_request")
    assert comparison.equality_status is EqualityStatus.Different
    assert comparison.request_changes.unmatched == ("GET http://127.0.0.1/v2/prices?sku=a",)
    assert "a request the recording lacks" in comparison.comparator_status.message


def test_a_replayed_exception_is_user_behaviour_not_a_machinery_failure():
    assert compare_one("replayed_exception").equality_status is EqualityStatus.Equal


def test_a_player_that_raises_gives_an_equalizer_failure_with_its_traceback():
    comparison = compare_one("raises")
    assert comparison.equality_status is EqualityStatus.EqualizerFailure
    assert comparison.comparator_status.message.startswith("the player raised LookupError")
    assert "Traceback" in comparison.traceback
    assert comparison.category == "Checkout"


def test_changed_outbound_calls_make_equal_outputs_different():
    comparison = compare_one("requests_changed")
    assert comparison.equality_status is EqualityStatus.Different
    assert comparison.request_changes.unplayed == ("GET http://127.0.0.1/prices?sku=a",)
    assert comparison.request_changes.unmatched == ("GET http://127.0.0.1/v2/prices?sku=a",)
    assert comparison.comparator_status.message.startswith("outbound calls changed")


def test_outbound_calls_can_be_left_out_of_the_comparison():
    assert compare_one("requests_changed", compare_requests=False).equality_status is EqualityStatus.Equal


def test_a_custom_extractor_and_comparator_are_used():
    seen = []

    def comparator(expected, actual, **data):
        seen.append((expected, actual, data))
        return EqualityStatus.Equal  # a bare status is accepted, as in playback

    comparison = compare_one(
        "different",
        result_extractor=operation_result,
        comparator=comparator,
        comparison_data_extractor=lambda dvd: {"tolerance": dvd.metadata["tolerance"]},
    )
    assert comparison.equality_status is EqualityStatus.Equal
    assert seen == [({"status": "ok", "total": 15.0}, {"status": "ok", "total": 17.0}, {"tolerance": 0.5})]


def test_comparison_data_reaches_a_configured_structural_comparator():
    def comparator(expected, actual, tolerance):
        return StructuralComparator(float_abs_tolerance=tolerance)(expected, actual)

    def totals(outputs):
        return outputs[-1].value["total"]  # recorded 15.0, replayed 17.0

    def compare_with(tolerance):
        return compare_one(
            "different",
            result_extractor=totals,
            comparator=comparator,
            comparison_data_extractor=lambda dvd: {"tolerance": tolerance},
        ).equality_status

    assert compare_with(2.5) is EqualityStatus.Equal
    assert compare_with(0.5) is EqualityStatus.Different


@pytest.mark.parametrize("stage", ["result_extractor", "comparator", "comparison_data_extractor"])
def test_an_extractor_or_comparator_that_raises_gives_an_equalizer_failure(stage):
    def broken(*args, **kwargs):
        raise RuntimeError("broken on purpose")

    comparison = compare_one("equal", **{stage: broken})
    assert comparison.equality_status is EqualityStatus.EqualizerFailure
    assert comparison.comparator_status.message == f"the {stage} raised RuntimeError: broken on purpose"
    assert "broken on purpose" in comparison.traceback


def test_a_comparator_returning_something_else_is_an_equalizer_failure():
    comparison = compare_one("equal", comparator=lambda expected, actual: "yes")
    assert comparison.equality_status is EqualityStatus.EqualizerFailure
    assert "must return a ComparatorResult" in comparison.comparator_status.message


def test_expected_and_actual_are_kept_only_when_asked():
    assert compare_one("different").expected is None
    kept = compare_one(
        "different", compare_execution_config=CompareExecutionConfig(keep_results_in_comparison=True)
    )
    assert kept.expected["operation"]["total"] == 15.0
    assert kept.actual["operation"]["total"] == 17.0


def test_a_failed_replay_keeps_the_exception_as_its_actual_result():
    config = CompareExecutionConfig(keep_results_in_comparison=True)
    comparison = compare_one("failed", compare_execution_config=config)
    assert comparison.actual.type_name == "KeyError"
    assert comparison.expected["operation"] == {"status": "ok", "total": 15.0}


def test_a_comparator_result_with_a_message_and_diff_is_passed_through():
    result = ComparatorResult(EqualityStatus.Different, "custom", diff=["line"])
    assert compare_one("equal", comparator=lambda e, a: result).comparator_status == result


def test_comparisons_record_their_durations():
    comparison = compare_one("equal")
    assert comparison.duration > 0
    assert (comparison.recorded_duration, comparison.playback_duration) == (0.01, 0.02)


def test_a_player_given_as_module_and_function_is_imported():
    (comparison,) = Equalizer(
        [scenario_id("equal")], "tests.compare._players:scenario_player"
    ).run_comparison()
    assert comparison.equality_status is EqualityStatus.Equal


def test_the_timeout_turns_a_slow_replay_into_an_equalizer_failure():
    config = CompareExecutionConfig(timeout_seconds=0.2)
    comparison = compare_one("slow", compare_execution_config=config)
    assert comparison.equality_status is EqualityStatus.EqualizerFailure
    assert comparison.comparator_status.message == "the replay took longer than 0.2 s"


def test_shards_partition_the_recordings_and_are_stable():
    ids = [scenario_id("equal", n) for n in range(200)]
    shards = [[rid for rid in ids if in_shard(rid, (k, 4))] for k in range(1, 5)]
    assert sorted(functools.reduce(operator.iadd, shards, [])) == sorted(ids)
    assert all(20 < len(shard) < 80 for shard in shards)
    assert [rid for rid in ids if in_shard(rid, (2, 4))] == shards[1]


def test_the_equalizer_replays_only_its_shard():
    ids = [scenario_id("equal", n) for n in range(20)]
    config = CompareExecutionConfig(shard=(1, 3))
    compared = [
        c.recording_id
        for c in Equalizer(ids, scenario_player, compare_execution_config=config).run_comparison()
    ]
    assert compared == [rid for rid in ids if in_shard(rid, (1, 3))]


@pytest.mark.parametrize("text", ["0/3", "4/3", "2", "a/b", "2/"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(ConfigurationError, match="shard"):
        parse_shard(text)


def test_playback_parameter_names_are_accepted_by_the_execution_config():
    config = CompareExecutionConfig(
        keep_results_in_comparison=True,
        compare_in_dedicated_process=True,
        compare_process_recycle_rate=5,
        compare_process_timeout=60,
    )
    assert (config.uses_workers, config.max_tasks_per_child, config.timeout_seconds) == (True, 5, 60)


def test_bad_execution_settings_are_refused():
    with pytest.raises(ConfigurationError, match="jobs"):
        CompareExecutionConfig(jobs=0)
    with pytest.raises(ConfigurationError, match="timeout_seconds"):
        CompareExecutionConfig(timeout_seconds=0)
