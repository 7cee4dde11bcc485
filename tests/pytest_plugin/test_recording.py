"""Record once, replay forever: real pytest sessions against the real local server, one per record mode."""

from __future__ import annotations

import sys

import pytest

from .conftest import Session, one_library

ONE_REQUEST = """
@pytest.mark.dvd
def test_items(dvd):
    assert hx.get(URL + "/items?id=1").json()["id"] == "1"
"""

# Which ids the test asks for comes from the environment, so one test file can change what it requests.
IDS_FROM_ENV = """
@pytest.mark.dvd
def test_items():
    for number in os.environ["IDS"].split(","):
        assert hx.get(URL + f"/items?id={number}").json()["id"] == number
"""


def test_first_run_records_the_dvd_and_the_second_replays_it_without_network(session: Session) -> None:
    session.module("test_api", ONE_REQUEST)
    session.run().assert_outcomes(passed=1)
    dvd_file = session.dvd_file("test_api", "test_items")
    assert session.recorded_urls(dvd_file) == ["/items?id=1"]
    assert session.hits() == ["/items?id=1"]

    session.run().assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


@one_library
@pytest.mark.skipif(sys.version_info < (3, 11), reason="httpx2 needs Python >= 3.11")
def test_httpx2_requests_record_and_replay_through_the_mark(session: Session) -> None:
    session.module(
        "test_httpx2_api",
        """
import httpx
import httpx2

@pytest.mark.dvd
def test_items():
    with httpx2.Client() as client:
        assert client.get(URL + "/items?id=2").json()["id"] == "2"
    assert httpx.get(URL + "/items?id=1").json()["id"] == "1"
""",
    )
    session.run().assert_outcomes(passed=1)
    dvd_file = session.dvd_file("test_httpx2_api", "test_items")
    assert session.recorded_urls(dvd_file) == ["/items?id=2", "/items?id=1"]
    session.run("--dvd-record-mode=none", "--dvd-block-network").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=2", "/items?id=1"]


def test_async_tests_record_and_replay(session: Session) -> None:
    session.module(
        "test_async_api",
        """
@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
@pytest.mark.dvd
async def test_items():
    async with hx.AsyncClient() as client:
        assert (await client.get(URL + "/items?id=7")).json()["id"] == "7"
""",
    )
    session.run().assert_outcomes(passed=1)
    session.run().assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=7"]
    assert session.recorded_urls(session.dvd_file("test_async_api", "test_items")) == ["/items?id=7"]


def test_dvd_fixture_gives_the_active_dvd(session: Session) -> None:
    session.module(
        "test_fixture",
        """
@pytest.mark.dvd
def test_items(dvd, dvd_dir, default_dvd_name):
    assert isinstance(dvd, playback_dvd.DVD)
    assert dvd.path == str(dvd_dir / (default_dvd_name + ".dvd.json"))
    hx.get(URL + "/items?id=1")
    assert len(dvd) == 1
""",
    )
    session.run().assert_outcomes(passed=1)


def test_requesting_the_dvd_fixture_turns_recording_on_without_a_mark(session: Session) -> None:
    session.module(
        "test_unmarked",
        """
def test_items(dvd):
    assert dvd is not None
    hx.get(URL + "/items?id=1")
""",
    )
    session.run().assert_outcomes(passed=1)
    session.run().assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_a_test_without_mark_or_dvd_fixture_is_left_alone(session: Session) -> None:
    session.module("test_plain", 'def test_items():\n    hx.get(URL + "/items?id=1")\n')
    session.run().assert_outcomes(passed=1)
    session.run().assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1", "/items?id=1"]
    assert not (session.path / "dvds").exists()


def test_binary_format_writes_a_dvd_file_that_replays(session: Session) -> None:
    session.module("test_api", ONE_REQUEST)
    session.run("--dvd-format=binary").assert_outcomes(passed=1)
    assert session.dvd_file("test_api", "test_items", ".dvd").exists()
    assert not session.dvd_file("test_api", "test_items").exists()
    session.run("--dvd-format=binary").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_a_replay_miss_raises_unmatched_request_error(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    session.env("IDS", "2")
    result = session.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*UnmatchedRequestError*no recorded interaction matches*", "*/items?id=2*"])


# -- record modes -------------------------------------------------------------------------------------------


def test_mode_none_refuses_to_record_a_missing_dvd(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1")
    result = session.run("--dvd-record-mode=none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no DVD file, and the record mode does not record*"])
    assert session.hits() == []
    assert not session.dvd_file("test_api", "test_items").exists()


def test_mode_none_replays_an_existing_dvd(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    session.run("--dvd-record-mode=none").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_mode_once_does_not_add_to_an_existing_dvd(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1")
    session.run("--dvd-record-mode=once").assert_outcomes(passed=1)
    session.env("IDS", "1,2")
    session.run("--dvd-record-mode=once").assert_outcomes(failed=1)
    assert session.recorded_urls(session.dvd_file("test_api", "test_items")) == ["/items?id=1"]


def test_mode_new_episodes_appends_what_was_not_recorded(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    session.env("IDS", "1,2")
    session.run("--dvd-record-mode=new_episodes").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1", "/items?id=2"]
    assert session.recorded_urls(session.dvd_file("test_api", "test_items")) == ["/items?id=1", "/items?id=2"]


def test_mode_all_records_every_request_again(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    session.run("--dvd-record-mode=all").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1", "/items?id=1"]
    assert session.recorded_urls(session.dvd_file("test_api", "test_items")) == ["/items?id=1"]


def test_mode_rewrite_leaves_only_what_this_run_requested(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1,2")
    session.run().assert_outcomes(passed=1)
    session.env("IDS", "2,3")
    session.run("--dvd-record-mode=rewrite").assert_outcomes(passed=1)
    assert session.recorded_urls(session.dvd_file("test_api", "test_items")) == ["/items?id=2", "/items?id=3"]
    assert session.hits() == ["/items?id=1", "/items?id=2", "/items?id=2", "/items?id=3"]


def test_mode_rewrite_removes_the_dvd_of_a_test_that_no_longer_makes_requests(session: Session) -> None:
    session.module(
        "test_api", IDS_FROM_ENV.replace('.split(",")', '.split(",") if os.environ["IDS"] else ()')
    )
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    session.env("IDS", "")
    session.run("--dvd-record-mode=rewrite").assert_outcomes(passed=1)
    assert not session.dvd_file("test_api", "test_items").exists()


def test_mode_rewrite_keeps_the_old_dvd_when_the_test_fails(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV + "\n    assert os.environ.get('FAIL') != '1'\n")
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    before = session.dvd_file("test_api", "test_items").read_bytes()
    session.env("IDS", "2")
    session.env("FAIL", "1")
    session.run("--dvd-record-mode=rewrite").assert_outcomes(failed=1)
    assert session.dvd_file("test_api", "test_items").read_bytes() == before


def test_default_mode_is_none_when_ci_is_set(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    session.module("test_api", ONE_REQUEST)
    monkeypatch.setenv("CI", "true")
    session.run().assert_outcomes(failed=1)
    assert session.hits() == []
    monkeypatch.setenv("CI", "false")
    session.run().assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_under_ci_a_missing_dvd_says_that_ci_forced_mode_none_and_how_to_record(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.module("test_api", ONE_REQUEST)
    monkeypatch.setenv("CI", "true")
    result = session.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- playback_dvd -*",
            "The CI environment variable is set, so this test's record mode defaulted to 'none'*",
            "*--dvd-record-mode=once*",
        ]
    )


def test_without_ci_a_replay_failure_has_no_ci_note(session: Session) -> None:
    session.module(
        "test_api", ONE_REQUEST.replace("@pytest.mark.dvd", '@pytest.mark.dvd(record_mode="none")')
    )
    result = session.run()
    result.assert_outcomes(failed=1)
    assert "CI environment variable" not in result.stdout.str()


@one_library
def test_command_line_record_mode_beats_mark_and_config(session: Session) -> None:
    session.pytester.makeconftest(
        "import pytest\n@pytest.fixture\ndef dvd_config():\n    return {'record_mode': 'all'}\n"
    )
    session.module(
        "test_api",
        """
@pytest.mark.dvd(record_mode="new_episodes")
def test_items(dvd):
    assert dvd.record_mode.value == os.environ["EXPECTED"]
""",
    )
    session.env("EXPECTED", "new_episodes")
    session.run().assert_outcomes(passed=1)
    session.env("EXPECTED", "none")
    session.run("--dvd-record-mode=none").assert_outcomes(passed=1)


def test_disable_sends_requests_to_the_network_and_writes_nothing(session: Session) -> None:
    session.module(
        "test_api",
        """
@pytest.mark.dvd
def test_items(dvd):
    assert dvd is None
    hx.get(URL + "/items?id=1")
""",
    )
    session.run("--dvd-disable").assert_outcomes(passed=1)
    session.run("--dvd-disable").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1", "/items?id=1"]
    assert not (session.path / "dvds").exists()


def test_mode_rewrite_works_from_a_mark(session: Session) -> None:
    session.module("test_api", IDS_FROM_ENV)
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    session.module(
        "test_api", IDS_FROM_ENV.replace("@pytest.mark.dvd\n", '@pytest.mark.dvd(record_mode="rewrite")\n')
    )
    session.env("IDS", "2")
    session.run().assert_outcomes(passed=1)
    assert session.recorded_urls(session.dvd_file("test_api", "test_items")) == ["/items?id=2"]
