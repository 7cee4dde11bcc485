"""``--dvd-block-network``: a request that would reach the network fails, naming the host and the fix."""

from __future__ import annotations

from playback_dvd._options import DVDOptions

from .conftest import Session, one_library

# Once the filters' `allow_ignored_on_replay` option exists, a replay-only DVD refuses the requests its
# filters ignore unless it is set; before it, they pass. Either way, these tests let them pass to the guard.
LET_IGNORED_PASS = (
    ", allow_ignored_on_replay=True" if "allow_ignored_on_replay" in DVDOptions.__annotations__ else ""
)

PLAIN = """
def test_plain():
    hx.get(URL + "/items?id=1")
"""


def test_a_test_without_dvd_cannot_reach_a_blocked_host(session: Session) -> None:
    session.module("test_plain", PLAIN)
    result = session.run("--dvd-block-network")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*NetworkBlockedError: playback_dvd blocked GET http://127.0.0.1:*/items?id=1*"
            "host '127.0.0.1' is not allowed*",
            "*--dvd-allowed-hosts=127.0.0.1*",
        ]
    )
    assert session.hits() == []


def test_the_blocked_error_names_the_host_in_an_attribute(session: Session) -> None:
    session.module(
        "test_attribute",
        """
def test_blocked():
    with pytest.raises(playback_dvd.NetworkBlockedError) as caught:
        hx.get(URL + "/items?id=1")
    assert caught.value.host == "127.0.0.1"
    assert caught.value.url == URL + "/items?id=1"
""",
    )
    session.run("--dvd-block-network").assert_outcomes(passed=1)


def test_async_requests_are_blocked_too(session: Session) -> None:
    session.module(
        "test_async",
        """
@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
async def test_blocked():
    async with hx.AsyncClient() as client:
        with pytest.raises(playback_dvd.NetworkBlockedError):
            await client.get(URL + "/items?id=1")
""",
    )
    session.run("--dvd-block-network").assert_outcomes(passed=1)
    assert session.hits() == []


def test_allowed_hosts_on_the_command_line_go_through(session: Session) -> None:
    session.module("test_plain", PLAIN)
    session.run("--dvd-block-network", "--dvd-allowed-hosts=example.org, 127.0.0.*").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_allowed_hosts_may_name_a_port(session: Session) -> None:
    session.module("test_plain", PLAIN)
    port = session.server.url.rsplit(":", 1)[1]
    session.run("--dvd-block-network", f"--dvd-allowed-hosts=127.0.0.1:{port}").assert_outcomes(passed=1)
    session.run("--dvd-block-network", "--dvd-allowed-hosts=127.0.0.1:1").assert_outcomes(failed=1)


def test_allowed_hosts_in_a_mark_go_through(session: Session) -> None:
    session.module(
        "test_marked",
        """
@pytest.mark.dvd(allowed_hosts=["127.0.0.1"], before_record_request=lambda request: None LET_IGNORED_PASS)
def test_ignored_request_reaches_the_allowed_host():
    hx.get(URL + "/items?id=1")
""".replace(" LET_IGNORED_PASS", LET_IGNORED_PASS),
    )
    session.run("--dvd-block-network", "--dvd-record-mode=none").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_a_dvd_that_records_may_reach_the_network(session: Session) -> None:
    session.module("test_api", '@pytest.mark.dvd\ndef test_items():\n    hx.get(URL + "/items?id=1")\n')
    session.run("--dvd-block-network").assert_outcomes(passed=1)
    session.run("--dvd-block-network").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_a_replay_only_dvd_blocks_the_requests_its_filters_ignore(session: Session) -> None:
    session.module(
        "test_ignored",
        """
@pytest.mark.dvd(before_record_request=lambda request: None LET_IGNORED_PASS)
def test_ignored():
    hx.get(URL + "/items?id=1")
""".replace(" LET_IGNORED_PASS", LET_IGNORED_PASS),
    )
    result = session.run("--dvd-block-network", "--dvd-record-mode=none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*NetworkBlockedError*"])
    assert session.hits() == []


def test_disable_wins_over_block_network(session: Session) -> None:
    session.module("test_plain", PLAIN)
    session.run("--dvd-block-network", "--dvd-disable").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


def test_urllib_and_raw_sockets_are_blocked_too_naming_host_and_port(session: Session) -> None:
    session.module(
        "test_bypass",
        """
import socket
import urllib.request
from urllib.parse import urlsplit

def test_urllib():
    urllib.request.urlopen(URL + "/items?id=1")

def test_raw_socket():
    parts = urlsplit(URL)
    with pytest.raises(playback_dvd.NetworkBlockedError) as caught:
        socket.create_connection((parts.hostname, parts.port))
    assert caught.value.port == parts.port

@pytest.mark.dvd
def test_with_a_recording_dvd():
    hx.get(URL + "/items?id=2")
    with pytest.raises(playback_dvd.NetworkBlockedError):
        urllib.request.urlopen(URL + "/items?id=3")
""",
    )
    result = session.run("--dvd-block-network")
    result.assert_outcomes(failed=1, passed=2)  # test_urllib fails: the error reaches the report
    result.stdout.fnmatch_lines(
        [
            "*NetworkBlockedError: playback_dvd blocked a connection to 127.0.0.1:* (opened by urllib)*",
            "*--dvd-allowed-hosts=127.0.0.1 or allowed_hosts=*in the dvd mark*",
        ]
    )
    assert session.hits() == ["/items?id=2"]
    session.run("--dvd-block-network", "--dvd-allowed-hosts=127.0.0.1", "-k", "urllib").assert_outcomes(
        passed=1
    )


@one_library
def test_block_network_in_a_mark_blocks_that_test_only(session: Session) -> None:
    session.module(
        "test_marks",
        """
import urllib.request

@pytest.mark.dvd(block_network=True)
def test_blocked():
    with pytest.raises(playback_dvd.NetworkBlockedError):
        urllib.request.urlopen(URL + "/items?id=1")

@pytest.mark.dvd(block_network=True, allowed_hosts=["127.0.0.1"])
def test_allowed():
    urllib.request.urlopen(URL + "/items?id=2").close()

def test_free():
    urllib.request.urlopen(URL + "/items?id=3").close()
""",
    )
    session.run().assert_outcomes(passed=3)
    assert session.hits() == ["/items?id=2", "/items?id=3"]
