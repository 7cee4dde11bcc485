"""The structural diff: path-level differences, ignore rules, tolerances, unordered lists, bounds."""

from __future__ import annotations

import dataclasses

import attrs
import pytest

from playback_dvd import ConfigurationError
from playback_dvd.compare import DifferenceKind, StructuralComparator, structural_diff
from playback_dvd.compare._diff import DiffOptions, format_path, parse_path_pattern


def lines(expected, actual, **options):
    return structural_diff(expected, actual, DiffOptions.build(**options)).lines()


def test_equal_values_have_no_difference():
    assert not structural_diff({"a": [1, {"b": "c"}]}, {"a": [1, {"b": "c"}]})


def test_a_changed_leaf_is_reported_with_its_path():
    expected = {"items": [{"price": 1}, {"price": 2}, {"price": 3}, {"price": 10}]}
    actual = {"items": [{"price": 1}, {"price": 2}, {"price": 3}, {"price": 12}]}
    assert lines(expected, actual) == ["$.items[3].price: 10 -> 12"]


def test_added_and_removed_keys_are_reported():
    assert lines({"a": 1, "gone": 2}, {"a": 1, "new": 3}) == ["$.gone: removed (was 2)", "$.new: added 3"]


def test_longer_and_shorter_lists_report_added_and_removed_items():
    assert lines([1, 2], [1, 2, 3]) == ["$[2]: added 3"]
    assert lines([1, 2, 3], [1]) == ["$[1]: removed (was 2)", "$[2]: removed (was 3)"]


def test_a_type_change_is_reported_as_such():
    diff = structural_diff({"n": 1}, {"n": "1"})
    assert diff.differences[0].kind is DifferenceKind.TYPE_CHANGED
    assert diff.lines() == ["$.n: type int -> str (1 -> '1')"]


def test_true_is_not_equal_to_one():
    assert lines({"flag": True}, {"flag": 1}) == ["$.flag: type bool -> int (True -> 1)"]


def test_a_tuple_equals_a_list_with_the_same_items():
    # A stored recording holds lists where the live code returned tuples.
    assert not structural_diff({"pair": [1, 2]}, {"pair": (1, 2)})


def test_keys_that_are_not_identifiers_are_quoted_in_paths():
    assert lines({"save #1": {"a b": 1}}, {"save #1": {"a b": 2}}) == ['$["save #1"]["a b"]: 1 -> 2']


def test_attrs_and_dataclass_instances_are_compared_field_by_field():
    @attrs.frozen
    class Price:
        amount: int

    @dataclasses.dataclass
    class Line:
        sku: str

    assert lines({"p": Price(1), "l": Line("a")}, {"p": Price(2), "l": Line("b")}) == [
        "$.p.amount: 1 -> 2",
        "$.l.sku: 'a' -> 'b'",
    ]


def test_ignore_paths_accept_index_wildcards():
    expected = {"items": [{"updated_at": 1, "price": 1}, {"updated_at": 2, "price": 2}]}
    actual = {"items": [{"updated_at": 9, "price": 1}, {"updated_at": 9, "price": 3}]}
    assert lines(expected, actual, ignore_paths=["$.items[*].updated_at"]) == ["$.items[1].price: 2 -> 3"]


def test_ignore_paths_skip_added_and_removed_keys_too():
    assert lines({"a": 1, "trace": "x"}, {"a": 1}, ignore_paths=["$.trace"]) == []
    assert lines({"a": 1}, {"a": 1, "trace": "x"}, ignore_paths=["$.trace"]) == []


@pytest.mark.parametrize("unordered", [False, True])
def test_ignore_paths_skip_added_and_removed_items_of_lists(unordered):
    options = {"ignore_paths": ["$.items[*]"], "unordered_lists": unordered}
    assert lines({"items": [1, 2]}, {"items": [1, 2, 3]}, **options) == []
    assert lines({"items": [1, 2, 3]}, {"items": [1, 2]}, **options) == []


def test_ignore_paths_skip_added_and_removed_items_of_sets():
    assert lines({"tags": {"a"}}, {"tags": {"a", "b"}}, ignore_paths=["$.tags[*]"]) == []
    assert lines({"tags": {"a", "b"}}, {"tags": {"a"}}, ignore_paths=["$.tags[*]"]) == []


def test_ignore_paths_of_one_item_leave_the_other_items_reported():
    assert lines([1, 2], [1, 2, 3, 4], ignore_paths=["$[2]"]) == ["$[3]: added 4"]


def test_ignore_paths_match_only_paths_of_the_same_depth():
    assert lines({"a": {"id": 1}}, {"a": {"id": 2}}, ignore_paths=["$.id"]) == ["$.a.id: 1 -> 2"]


def test_ignore_path_key_segments_accept_shell_wildcards():
    assert lines({"created_at": 1, "n": 1}, {"created_at": 2, "n": 2}, ignore_paths=["$.*_at"]) == [
        "$.n: 1 -> 2"
    ]


def test_ignore_keys_apply_at_any_depth():
    expected = {"id": 1, "order": {"id": 2, "lines": [{"request_id": "x", "qty": 1}]}}
    actual = {"id": 5, "order": {"id": 6, "lines": [{"request_id": "y", "qty": 2}]}}
    assert lines(expected, actual, ignore_keys=["id", "*_id"]) == ["$.order.lines[0].qty: 1 -> 2"]


def test_a_malformed_path_pattern_is_refused_with_its_text():
    with pytest.raises(ConfigurationError, match=r"must start with '\$'"):
        parse_path_pattern("items[*]")
    with pytest.raises(ConfigurationError, match="cannot read"):
        parse_path_pattern("$.items[x]")


def test_floats_within_the_absolute_tolerance_are_equal():
    assert lines({"x": 1.0}, {"x": 1.004}, float_abs_tolerance=0.01) == []
    assert lines({"x": 1.0}, {"x": 1.02}, float_abs_tolerance=0.01) == ["$.x: 1.0 -> 1.02"]


def test_floats_within_the_relative_tolerance_are_equal():
    assert lines({"x": 1000.0}, {"x": 1000.5}, float_rel_tolerance=1e-3) == []
    assert lines({"x": 1000.0}, {"x": 1002.0}, float_rel_tolerance=1e-3) == ["$.x: 1000.0 -> 1002.0"]


def test_without_tolerance_floats_must_be_exactly_equal_and_nan_equals_nan():
    assert lines(0.1 + 0.2, 0.3) == ["$: 0.30000000000000004 -> 0.3"]
    assert lines(float("nan"), float("nan")) == []


def test_unordered_lists_match_items_regardless_of_order():
    assert lines([1, 2, 3], [3, 1, 2], unordered_lists=True) == []
    assert lines([1, 2, 3], [3, 1, 2]) != []


def test_unordered_lists_pair_a_changed_item_with_its_closest_counterpart():
    expected = [{"sku": "a", "price": 1}, {"sku": "b", "price": 2}]
    actual = [{"sku": "b", "price": 3}, {"sku": "a", "price": 1}]
    assert lines(expected, actual, unordered_lists=True) == ["$[1].price: 2 -> 3"]


def test_unordered_lists_report_extra_and_missing_items():
    assert lines([1, 2], [2, 3, 4], unordered_lists=["$"]) == ["$[0]: 1 -> 3", "$[2]: added 4"]


def test_unordered_lists_can_be_limited_to_some_paths():
    expected = {"tags": ["a", "b"], "steps": ["a", "b"]}
    actual = {"tags": ["b", "a"], "steps": ["b", "a"]}
    assert lines(expected, actual, unordered_lists=["$.tags"]) == [
        "$.steps[0]: 'a' -> 'b'",
        "$.steps[1]: 'b' -> 'a'",
    ]


def test_sets_are_compared_without_order():
    assert not structural_diff({"s": {3, 1, 2}}, {"s": {1, 2, 3}})


def test_the_number_of_differences_kept_is_bounded_but_all_are_counted():
    diff = structural_diff(list(range(100)), list(range(1, 101)), DiffOptions.build(max_differences=3))
    assert len(diff.differences) == 3
    assert diff.total == 100
    assert diff.lines()[-1] == "... and 97 more"


def test_long_values_are_cut_and_say_how_long_they_were():
    (line,) = lines({"text": "x" * 1000}, {"text": "y"}, max_value_chars=20)
    assert line == "$.text: 'xxxxxxxxxxxxxxxxxxx... (1002 chars) -> 'y'"


def test_format_path_of_the_root_is_a_dollar():
    assert format_path(()) == "$"


def test_the_comparator_says_equal_without_a_diff():
    result = StructuralComparator()({"a": 1}, {"a": 1})
    assert result.equality_status.name == "Equal"
    assert result.diff is None


def test_the_comparator_says_different_naming_the_first_change_and_the_count():
    result = StructuralComparator()({"a": 1, "b": 2}, {"a": 3, "b": 4})
    assert result.equality_status.name == "Different"
    assert result.message == "$.a: 1 -> 3 (and 1 more)"
    assert result.diff.total == 2


def test_the_comparator_refuses_a_single_string_of_ignore_keys():
    with pytest.raises(ConfigurationError, match="list of strings"):
        StructuralComparator(ignore_keys="id")
