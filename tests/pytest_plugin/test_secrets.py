"""Secure defaults in the pytest plugin (issue 15): a test's DVD holds no secret, and it replays."""

from __future__ import annotations

import pytest

from ..filters._secret_traffic import leaked
from .conftest import Session

EVERY_PLACEMENT = """
from tests.filters._secret_traffic import exercise

@pytest.mark.dvd
def test_everything():
    with hx.Client() as client:
        facts = exercise(client, URL)
    assert facts[0] == (200, "/reflect")
"""


@pytest.mark.parametrize(("dvd_format", "suffix"), [("json", ".dvd.json"), ("binary", ".dvd")])
def test_a_test_dvd_holds_no_secret_and_replays(session: Session, dvd_format: str, suffix: str) -> None:
    session.module("test_secret_api", EVERY_PLACEMENT)
    session.run(f"--dvd-format={dvd_format}").assert_outcomes(passed=1)
    dvd_file = session.dvd_file("test_secret_api", "test_everything", suffix)
    assert leaked(dvd_file) == []
    recorded_hits = session.hits()

    session.run(f"--dvd-format={dvd_format}", "--dvd-record-mode=none").assert_outcomes(passed=1)
    assert session.hits() == recorded_hits


def test_dvd_config_can_store_traffic_exactly_as_sent(session: Session) -> None:
    session.module(
        "test_raw_api",
        """
@pytest.fixture
def dvd_config():
    return {"redact_secrets": False}

@pytest.mark.dvd
def test_raw():
    hx.get(URL + "/items", params={"api_key": "kept-as-sent-42"})
""",
    )
    session.run().assert_outcomes(passed=1)
    assert "kept-as-sent-42" in session.dvd_file("test_raw_api", "test_raw").read_text()
