"""Counts shown to people take the right plural (no "1 category errors", no "1 interactions")."""

from __future__ import annotations

import pytest

from playback_dvd._words import plural


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 interactions"), (1, "1 interaction"), (2, "2 interactions"), (1998, "1,998 interactions")],
)
def test_plural(count, expected):
    assert plural(count, "interaction") == expected


def test_an_irregular_plural():
    assert plural(2, "category error", "category errors") == "2 category errors"
    assert plural(1, "entry", "entries") == "1 entry"
