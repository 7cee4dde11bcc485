"""Noise detection: what differs between two replays on the same code is left out, and only that."""

from __future__ import annotations

import pytest

import playback_dvd
from playback_dvd import (
    ConfigurationError,
    EqualityStatus,
    Equalizer,
    EqualizerTuner,
    EqualizerTuning,
    LocalCassette,
    PlaybackStudio,
)
from playback_dvd.compare import (
    ComparisonReport,
    StructuralComparator,
    load_rules,
    noise_by_category,
    render_report,
    suggested_ignores,
)

from ._noisy_service import record_orders, replay_order

NOISY_PATHS = {
    "$.operation.order_id",
    "$.operation.placed_at",
    "$.operation.lines[*].line_id",
    '$["orders.store #1"].order.order_id',
    '$["orders.store #1"].order.placed_at',
    '$["orders.store #1"].order.lines[*].line_id',
}


@pytest.fixture
def orders(hx, tmp_path, server, monkeypatch):
    """Three orders recorded through each client library in a LocalCassette, and a Recorder replaying them."""
    monkeypatch.delenv("ORDER_MODE", raising=False)
    cassette = LocalCassette(tmp_path / "recordings")
    ids = record_orders(cassette, server.url, clients=[hx])
    return playback_dvd.Recorder(cassette), ids


def compare(orders, **options):
    recorder, ids = orders
    return list(Equalizer(ids, lambda rid: recorder.play(rid, replay_order), **options).run_comparison())


def test_without_noise_detection_the_timestamp_and_uuids_make_every_order_different(orders):
    assert {c.equality_status for c in compare(orders)} == {EqualityStatus.Different}


def test_with_noise_detection_the_orders_are_equal_and_their_noise_is_listed(orders):
    comparisons = compare(orders, detect_noise=True)
    assert [c.equality_status for c in comparisons] == [EqualityStatus.Equal] * 3
    by_category = noise_by_category(comparisons)
    assert {path.pattern for path in by_category["Orders"]} == NOISY_PATHS
    placed_at = next(p for p in by_category["Orders"] if p.pattern == "$.operation.placed_at")
    assert placed_at.recordings == 3
    first, second = placed_at.examples[0]
    assert first != second
    assert first.startswith("'20")


def test_a_real_change_beside_the_noise_is_still_different_and_only_it_is_reported(orders, monkeypatch):
    monkeypatch.setenv("ORDER_MODE", "total")
    comparisons = compare(orders, detect_noise=True)
    assert [c.equality_status for c in comparisons] == [EqualityStatus.Different] * 3
    for comparison in comparisons:
        changed = [line.partition(":")[0] for line in comparison.comparator_status.diff.lines()]
        assert changed == ['$["orders.store #1"].order.total', "$.operation.total"]
        assert comparison.noise  # the noise is still listed beside the real change


def test_the_text_report_lists_the_noisy_paths_per_category_with_examples(orders):
    text = render_report(ComparisonReport.collect(compare(orders, detect_noise=True)))
    assert "noisy paths (they differed between two replays" in text
    assert "  Orders:\n" in text
    assert "$.operation.placed_at in 3 recording(s), e.g. '20" in text


def test_suggested_ignores_paste_into_pyproject_and_make_the_orders_equal_without_a_second_replay(
    orders, tmp_path
):
    block = suggested_ignores(compare(orders, detect_noise=True))
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "shop"\n\n' + block)
    rules = load_rules(pyproject)
    assert set(rules.for_category("Orders").ignore_paths) == NOISY_PATHS
    comparisons = compare(orders, comparator=rules.comparator("Orders"))
    assert [c.equality_status for c in comparisons] == [EqualityStatus.Equal] * 3


def test_noise_detection_with_a_comparator_of_ones_own_is_refused(orders):
    with pytest.raises(ConfigurationError, match="detect_noise needs the StructuralComparator"):
        compare(orders, detect_noise=True, comparator=lambda expected, actual: EqualityStatus.Equal)


def test_a_path_noisy_in_a_list_item_does_not_hide_a_change_in_another_field_of_that_item():
    comparator = StructuralComparator().ignoring_paths(["$.lines[0].line_id"])
    result = comparator({"lines": [{"line_id": "x", "qty": 1}]}, {"lines": [{"line_id": "y", "qty": 2}]})
    assert result.diff.lines() == ["$.lines[0].qty: 1 -> 2"]


class OrdersTuner(EqualizerTuner):
    def __init__(self, comparator=None):
        self.comparator = comparator

    def create_category_tuning(self, category):
        return EqualizerTuning(replay_order, comparator=self.comparator)


def test_the_studio_detects_noise_per_category(orders):
    recorder, ids = orders
    report = PlaybackStudio([], OrdersTuner(), recorder, recording_ids=ids, detect_noise=True).play()
    assert report.counts["Equal"] == 3
    assert "$.operation.order_id" in {
        path.pattern for path in noise_by_category(report.comparisons)["Orders"]
    }


def test_the_studio_reports_a_tuning_detect_noise_cannot_use_as_a_category_error(orders):
    recorder, ids = orders
    own = OrdersTuner(comparator=lambda expected, actual: EqualityStatus.Equal)
    report = PlaybackStudio([], own, recorder, recording_ids=ids, detect_noise=True).play()
    assert report.comparisons == ()
    assert "detect_noise needs the StructuralComparator" in report.category_errors["Orders"]
