"""[tool.playback-dvd.compare] rules: how general and per-category rules combine, and what is refused."""

from __future__ import annotations

import pytest

from playback_dvd import ConfigurationError, EqualityStatus
from playback_dvd.compare import load_rules
from playback_dvd.compare._rules import find_pyproject

PYPROJECT = """
[project]
name = "shop"

[tool.playback-dvd.compare]
ignore_keys = ["request_id"]
float_abs_tolerance = 0.01
unordered_lists = ["$.operation.tags"]

[tool.playback-dvd.compare.categories.Checkout]
ignore_paths = ["$.operation.invoice_id"]
ignore_keys = ["*_at"]
float_abs_tolerance = 0.5
unordered_lists = ["$.operation.lines"]
"""


@pytest.fixture
def rules(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return load_rules(tmp_path / "pyproject.toml")


def test_a_category_adds_its_lists_to_the_general_ones_and_replaces_the_tolerances(rules):
    checkout = rules.for_category("Checkout")
    assert checkout.ignore_keys == ("request_id", "*_at")
    assert checkout.ignore_paths == ("$.operation.invoice_id",)
    assert checkout.unordered_lists == ("$.operation.tags", "$.operation.lines")
    assert checkout.float_abs_tolerance == 0.5
    assert rules.for_category("Refund").ignore_keys == ("request_id",)
    assert rules.for_category("Refund").float_abs_tolerance == 0.01


def test_the_comparator_of_a_category_applies_its_rules(rules):
    comparator = rules.comparator("Checkout")
    expected = {"operation": {"invoice_id": 1, "paid_at": "x", "total": 10.0, "lines": [1, 2]}}
    actual = {"operation": {"invoice_id": 2, "paid_at": "y", "total": 10.4, "lines": [2, 1]}}
    assert comparator(expected, actual).equality_status is EqualityStatus.Equal
    assert rules.comparator("Refund")(expected, actual).equality_status is EqualityStatus.Different


def test_command_line_rules_add_to_the_file(rules):
    more = rules.with_rules(ignore_keys=["trace"], float_abs_tolerance=0.0, unordered_lists=False)
    assert more.ignore_keys == ("request_id", "trace")
    assert more.float_abs_tolerance == 0.01  # an option left at its default changes nothing


def test_the_description_names_the_file_and_each_category_rules(rules, tmp_path):
    lines = rules.describe(["Checkout"])
    assert lines["rules from"] == f"{tmp_path / 'pyproject.toml'} [tool.playback-dvd.compare]"
    assert lines["rules for Checkout"].startswith("ignore_paths=[$.operation.invoice_id], ignore_keys=")


def test_the_nearest_pyproject_upwards_is_found(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    nested = tmp_path / "src" / "shop"
    nested.mkdir(parents=True)
    assert find_pyproject(nested) == tmp_path / "pyproject.toml"
    assert load_rules(start=nested).for_category("Checkout").ignore_keys == ("request_id", "*_at")


def test_no_table_means_an_exact_comparison(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_rules(start=tmp_path).for_category("Any").ignore_keys == ()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[tool.playback-dvd.compare.categories]\nCheckout = 3", "categories.Checkout must be a table"),
        (
            "[tool.playback-dvd.compare.categories.Checkout]\ndetect_noise = true",
            "unknown key 'detect_noise'",
        ),
        ("[tool.playback-dvd.compare]\nignore_keys = 'x'", "ignore_keys must be a list of strings"),
        ("[tool.playback-dvd.compare]\nunordered_lists = 3", "unordered_lists must be a list of strings"),
        ("[tool.playback-dvd.compare]\ndetect_noise = 1", "detect_noise must be true or false"),
        (
            "[tool.playback-dvd.compare]\nfloat_rel_tolerance = -1",
            "float_rel_tolerance must be a number >= 0",
        ),
    ],
)
def test_bad_tables_are_refused_naming_the_key(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(table)
    with pytest.raises(ConfigurationError, match=message):
        load_rules(tmp_path / "pyproject.toml")


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_rules(tmp_path / "nowhere.toml")
