"""End to end with the real Recorder: record a service, replay it with `recorder.play`, compare."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import playback_dvd
from playback_dvd import (
    CompareExecutionConfig,
    EqualityStatus,
    Equalizer,
    EqualizerTuner,
    EqualizerTuning,
    LocalCassette,
    PlaybackStudio,
    RecordingLookupProperties,
)
from playback_dvd.compare import find_matching_recording_ids

from ._service import AsyncPricing, recorder_into, replay_aquote, replay_quote


@pytest.fixture
def recorder(recordings):
    return playback_dvd.Recorder(LocalCassette(recordings[0]))


def statuses(comparisons):
    return sorted(c.equality_status.name for c in comparisons)


def equalizer(recorder, ids):
    return Equalizer(ids, lambda rid: recorder.play(rid, replay_quote))


def test_replaying_unchanged_code_is_equal_and_uses_no_network(recorder, recordings, server):
    assert statuses(equalizer(recorder, recordings[1]).run_comparison()) == ["Equal"] * 3
    assert server.hits == []


def test_changed_prices_are_different_with_the_paths_that_changed(recorder, recordings, monkeypatch):
    monkeypatch.setenv("PRICING_MODE", "double")
    comparisons = list(equalizer(recorder, recordings[1]).run_comparison())
    assert statuses(comparisons) == ["Different"] * 3
    lines = next(c for c in comparisons if c.playback.original_recording.metadata["item_id"] == "bb")
    assert lines.comparator_status.diff.lines() == [
        '$["pricing.publish #1"].quote.price: 20 -> 40',
        "$.operation.price: 20 -> 40",
    ]


def test_only_the_recording_whose_result_changed_is_different(recorder, recordings, monkeypatch):
    monkeypatch.setenv("PRICING_MODE", "double_bb")
    comparisons = equalizer(recorder, recordings[1]).run_comparison()
    by_item = {c.playback.original_recording.metadata["item_id"]: c.comparator_status for c in comparisons}
    assert {item: status.equality_status.name for item, status in by_item.items()} == {
        "a": "Equal",
        "bb": "Different",
        "ccc": "Equal",
    }
    assert by_item["bb"].diff.lines() == [
        '$["pricing.publish #1"].quote.price: 20 -> 40',
        "$.operation.price: 20 -> 40",
    ]


# A timeout is the executor's, whichever library the replay uses: one library spares a second of waiting.
@pytest.mark.parametrize("hx", ["httpx"], indirect=True)
def test_a_replay_past_its_timeout_is_an_equalizer_failure_not_a_failed_operation(
    recorder, recordings, monkeypatch
):
    # The timeout interrupts recorder.play from inside the operation: it must not be taken for an exception
    # of the operation (Failed), which the Recorder reports rather than raises.
    monkeypatch.setenv("PRICING_MODE", "slow")
    config = CompareExecutionConfig(timeout_seconds=1.0)
    comparisons = Equalizer(
        recordings[1], lambda rid: recorder.play(rid, replay_quote), compare_execution_config=config
    ).run_comparison()
    assert sorted((c.equality_status.name, c.comparator_status.message) for c in comparisons) == [
        ("Equal", None),
        ("Equal", None),
        ("EqualizerFailure", "the replay took longer than 1.0 s"),
    ]


def test_an_operation_that_now_raises_is_failed(recorder, recordings, monkeypatch):
    monkeypatch.setenv("PRICING_MODE", "raise")
    comparisons = list(equalizer(recorder, recordings[1]).run_comparison())
    assert statuses(comparisons) == ["Failed"] * 3
    assert comparisons[0].comparator_status.message == "the replay raised RuntimeError: pricing broke"


def test_a_new_http_call_is_reported_as_a_changed_call_pattern(recorder, recordings, monkeypatch, server):
    monkeypatch.setenv("PRICING_MODE", "extra_call")
    comparison = next(iter(equalizer(recorder, recordings[1][:1]).run_comparison()))
    assert comparison.equality_status is EqualityStatus.Different
    assert comparison.request_changes.unmatched == (f"GET {server.url}/items?id=extra",)
    assert server.hits == []


def test_an_input_the_recording_lacks_is_an_equalizer_failure(recorder, recordings, monkeypatch):
    monkeypatch.setenv("PRICING_MODE", "other_customer")
    comparison = next(iter(equalizer(recorder, recordings[1][:1]).run_comparison()))
    assert comparison.equality_status is EqualityStatus.EqualizerFailure
    assert "pricing.load_customer" in comparison.comparator_status.message


def test_an_unknown_recording_is_an_equalizer_failure(recorder):
    missing = "Pricing/2026-11-23/" + "0" * 32
    (comparison,) = equalizer(recorder, [missing]).run_comparison()
    assert comparison.equality_status is EqualityStatus.EqualizerFailure
    assert comparison.comparator_status.message.startswith("the player raised RecordingNotFound")


class Tuner(EqualizerTuner):
    def create_category_tuning(self, category):
        if category != "Pricing":
            raise LookupError(f"no tuning for {category}")
        return EqualizerTuning(replay_quote)


def test_the_studio_reports_counts_per_category_and_tuning_errors(recorder, monkeypatch):
    monkeypatch.setenv("PRICING_MODE", "double")
    report = PlaybackStudio(["Pricing", "Refunds"], Tuner(), recorder).play()
    assert report.counts_by_category == {
        "Pricing": {"Equal": 0, "Fixed": 0, "Different": 3, "Failed": 0, "EqualizerFailure": 0}
    }
    assert "LookupError: no tuning for Refunds" in report.category_errors["Refunds"]
    assert report.exit_code == 1


def test_the_studio_compares_exactly_the_given_recording_ids(recorder, recordings):
    report = PlaybackStudio([], Tuner(), recorder, recording_ids=recordings[1][:2]).play()
    assert [c.recording_id for c in report.comparisons] == recordings[1][:2]
    assert report.passed


def test_the_studio_takes_no_categories_when_given_recording_ids(recorder, recordings):
    # playback's call shape: PlaybackStudio(None, tuner, recorder, recording_ids=[...]).
    report = PlaybackStudio(None, Tuner(), recorder, recording_ids=recordings[1]).play()
    assert statuses(report.comparisons) == ["Equal"] * 3


def test_lookups_take_the_recorder_as_playback_calls_them(recorder):
    props = RecordingLookupProperties(start_date=None, metadata={"item_id": "a"})
    assert find_matching_recording_ids(recorder, "Pricing", lookup_properties=props) == (
        find_matching_recording_ids(recorder.cassette, "Pricing", props)
    )
    assert len(find_matching_recording_ids(recorder, "Pricing", props)) == 1


def test_lookup_properties_filter_by_metadata_and_limit(recorder):
    props = RecordingLookupProperties(start_date=None, metadata={"item_id": ["a", "bb"]}, limit=1)
    assert len(find_matching_recording_ids(recorder.cassette, "Pricing", props)) == 1
    props = RecordingLookupProperties(start_date=None, metadata={"item_id": ["a", "bb"]})
    assert len(find_matching_recording_ids(recorder.cassette, "Pricing", props)) == 2


def test_lookup_properties_do_not_change_the_callers_metadata(recorder):
    wanted = {"item_id": "a"}
    find_matching_recording_ids(
        recorder.cassette, "Pricing", RecordingLookupProperties(None, metadata=wanted)
    )
    assert wanted == {"item_id": "a"}


def test_a_random_sample_takes_limit_recordings_among_all(recorder, recordings):
    props = RecordingLookupProperties(start_date=None, limit=2, random_sample=True)
    sample = find_matching_recording_ids(recorder.cassette, "Pricing", props)
    assert len(sample) == 2
    assert set(sample) <= set(recordings[1])


def test_a_start_date_in_the_future_finds_nothing(recorder):
    props = RecordingLookupProperties(start_date=datetime.now(timezone.utc) + timedelta(days=1))
    report = PlaybackStudio(["Pricing"], Tuner(), recorder, lookup_properties=props).play()
    assert report.comparisons == ()


class AsyncTuner(EqualizerTuner):
    def create_category_tuning(self, category):
        return EqualizerTuning(replay_aquote)


@pytest.fixture
def async_recorder(hx, tmp_path, server, monkeypatch):
    """A Recorder over a LocalCassette holding two recordings of the async AsyncPricing.quote (through
    each client library)."""
    import asyncio

    monkeypatch.delenv("PRICING_MODE", raising=False)
    with recorder_into(tmp_path / "async") as cassette:
        for item in ("a", "bb"):
            asyncio.run(AsyncPricing(hx).quote(server.url, item))
    server.reset()
    return playback_dvd.Recorder(cassette)


def test_an_async_playback_function_replays_with_aplay_and_is_equal(async_recorder, server):
    report = PlaybackStudio(["AsyncPricing"], AsyncTuner(), async_recorder).play()
    assert report.counts_by_category["AsyncPricing"]["Equal"] == 2
    assert server.hits == []


def test_an_async_operation_that_changed_is_different(async_recorder, monkeypatch):
    monkeypatch.setenv("PRICING_MODE", "double")
    report = PlaybackStudio(["AsyncPricing"], AsyncTuner(), async_recorder).play()
    assert sorted(line for c in report.comparisons for line in c.comparator_status.diff.lines()) == [
        "$.operation.price: 10 -> 20",
        "$.operation.price: 20 -> 40",
    ]


# A timeout is the executor's, whichever library the replay uses: one library spares a second of waiting.
@pytest.mark.parametrize("hx", ["httpx"], indirect=True)
def test_an_async_replay_past_its_timeout_is_an_equalizer_failure(async_recorder, monkeypatch):
    monkeypatch.setenv("PRICING_MODE", "slow")
    config = CompareExecutionConfig(timeout_seconds=1.0)
    report = PlaybackStudio(["AsyncPricing"], AsyncTuner(), async_recorder, compare_execution_config=config)
    statuses = sorted(c.equality_status.name for c in report.play().comparisons)
    assert statuses == ["Equal", "EqualizerFailure"]
