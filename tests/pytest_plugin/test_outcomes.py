"""A DVD is saved only when its test passed, atomically, and pytest-xdist workers never lose or mix files."""

from __future__ import annotations

import json

from .conftest import Session, one_library


def test_a_failing_test_leaves_no_dvd(session: Session) -> None:
    session.module(
        "test_fail",
        """
@pytest.mark.dvd
def test_items():
    hx.get(URL + "/items?id=1")
    assert False
""",
    )
    session.run().assert_outcomes(failed=1)
    assert session.hits() == ["/items?id=1"]
    assert not (session.path / "dvds").exists()


def test_a_test_whose_setup_fails_leaves_no_dvd(session: Session) -> None:
    session.module(
        "test_setup_fails",
        """
@pytest.fixture
def broken(dvd):
    hx.get(URL + "/items?id=1")
    raise RuntimeError("setup broke")

@pytest.mark.dvd
def test_items(broken):
    pass
""",
    )
    session.run().assert_outcomes(errors=1)
    assert not (session.path / "dvds").exists()


def test_an_xfailed_test_leaves_no_dvd(session: Session) -> None:
    session.module(
        "test_xfail",
        """
@pytest.mark.dvd
@pytest.mark.xfail(reason="known broken")
def test_items():
    hx.get(URL + "/items?id=1")
    assert False
""",
    )
    session.run().assert_outcomes(xfailed=1)
    assert not (session.path / "dvds").exists()


def test_a_test_skipped_midway_leaves_no_dvd(session: Session) -> None:
    session.module(
        "test_skip",
        """
@pytest.mark.dvd
def test_items():
    hx.get(URL + "/items?id=1")
    pytest.skip("not today")
""",
    )
    session.run().assert_outcomes(skipped=1)
    assert not (session.path / "dvds").exists()


def test_a_failing_test_leaves_its_existing_dvd_unchanged(session: Session) -> None:
    session.module(
        "test_api",
        """
@pytest.mark.dvd(record_mode="new_episodes")
def test_items():
    for number in os.environ["IDS"].split(","):
        hx.get(URL + f"/items?id={number}")
    assert os.environ.get("FAIL") != "1"
""",
    )
    session.env("IDS", "1")
    session.run().assert_outcomes(passed=1)
    dvd_file = session.dvd_file("test_api", "test_items")
    before = dvd_file.read_bytes()
    session.env("IDS", "1,2")
    session.env("FAIL", "1")
    session.run().assert_outcomes(failed=1)
    assert dvd_file.read_bytes() == before


def test_record_on_exception_true_saves_a_failing_test(session: Session) -> None:
    session.module(
        "test_fail",
        """
@pytest.mark.dvd(record_on_exception=True)
def test_items():
    hx.get(URL + "/items?id=1")
    assert False
""",
    )
    session.run().assert_outcomes(failed=1)
    assert session.recorded_urls(session.dvd_file("test_fail", "test_items")) == ["/items?id=1"]


# Two worker processes per run (8 s): what xdist changes (which process writes which DVD) is the same for
# either client library, each of which the in-process runs here cover.
@one_library
def test_xdist_workers_record_every_dvd_whole_and_replay_them(session: Session) -> None:
    count = 40
    session.module(
        "test_many",
        f"""
@pytest.mark.dvd
@pytest.mark.parametrize("number", range({count}))
def test_items(number):
    assert hx.get(URL + f"/items?id={{number}}").json()["id"] == str(number)
""",
    )
    # Only the two plugins under test (the others, hypothesis first, cost each worker a second to import).
    session.env("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    plugins = ("-p", "xdist.plugin", "-p", "playback_dvd.pytest_plugin", "-p", "no:cacheprovider")
    result = session.pytester.runpytest_subprocess(*plugins, "-n", "2")
    result.assert_outcomes(passed=count)
    result.stdout.fnmatch_lines(["*2 workers*"])
    assert sorted(session.hits()) == sorted(f"/items?id={n}" for n in range(count))
    folder = session.path / "dvds" / "test_many"
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        f"test_items[{n}].dvd.json" for n in range(count)
    )
    for number in range(count):
        document = json.loads(session.dvd_file("test_many", f"test_items[{number}]").read_text())
        assert [item["request"]["url"] for item in document["interactions"]] == [
            f"{session.server.url}/items?id={number}"
        ]

    session.server.reset()
    session.pytester.runpytest_subprocess(*plugins, "-n", "2", "--dvd-record-mode=none").assert_outcomes(
        passed=count
    )
    assert session.hits() == []
