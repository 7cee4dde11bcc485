"""A failed test's report lists the requests its DVD could not answer and the connections refused.

SDKs wrap or swallow our errors (``APIConnectionError("Connection error.")``); the section keeps the reason.
"""

from __future__ import annotations

from .conftest import Session, one_library

WRAPPED_MISS = """
class SDKError(Exception):
    pass

@pytest.mark.dvd
def test_api():
    try:
        hx.post(URL + "/echo", json={"messages": [{"content": os.environ.get("PROMPT", "hello")}]})
    except Exception:
        raise SDKError("Connection error.") from None  # what an SDK does with our error
"""


def test_a_failed_test_shows_the_unmatched_request_behind_a_wrapped_error(session: Session) -> None:
    session.module("test_api", WRAPPED_MISS)
    session.run().assert_outcomes(passed=1)
    session.env("PROMPT", "changed")
    result = session.run("--dvd-record-mode=none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*SDKError: Connection error.*",
            "*- playback_dvd -*",
            "1 request the DVD could not answer:",
            "*POST http://127.0.0.1:*/echo",
            "*body differs: at $.messages[[]0[]].content: recorded 'hello', this request 'changed'",
            "*pass max_retries=0*",
        ]
    )


def test_a_passing_test_has_no_section(session: Session) -> None:
    session.module("test_api", WRAPPED_MISS)
    session.run().assert_outcomes(passed=1)
    result = session.run("--dvd-record-mode=none", "-rA")
    result.assert_outcomes(passed=1)
    assert "could not answer" not in result.stdout.str()


@one_library
def test_refused_connections_are_listed_for_a_test_without_a_dvd(session: Session) -> None:
    session.module(
        "test_swallowed",
        """
import urllib.request

def test_swallowed():
    try:
        urllib.request.urlopen(URL + "/items?id=1")
    except Exception:
        pass  # a library that swallows the error
    assert False, "the data never came"
""",
    )
    result = session.run("--dvd-block-network")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*- playback_dvd -*", "1 request or connection refused*", "  tcp 127.0.0.1:* (urllib)"]
    )
    assert session.hits() == []
