"""Where a test's DVD and options come from: marks (closest wins), dvd_config, extra DVDs, names, the hook."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from playback_dvd.pytest_plugin import MAX_NAME_BYTES, safe_file_name

from .conftest import Session, one_library


@one_library
def test_closest_mark_wins_and_outer_marks_fill_in(session: Session) -> None:
    session.module(
        "test_marks",
        """
pytestmark = pytest.mark.dvd(record_mode="none", allow_playback_repeats=True)

def test_module_mark(dvd):
    assert (dvd.record_mode.value, dvd.allow_playback_repeats) == ("none", True)

@pytest.mark.dvd(record_mode="new_episodes")
class TestClass:
    def test_class_mark(self, dvd):
        assert (dvd.record_mode.value, dvd.allow_playback_repeats) == ("new_episodes", True)

    @pytest.mark.dvd(record_mode="all", allow_playback_repeats=False)
    def test_function_mark(self, dvd):
        assert (dvd.record_mode.value, dvd.allow_playback_repeats) == ("all", False)
""",
    )
    session.run().assert_outcomes(passed=3)


@one_library
def test_dvd_config_sets_options_and_marks_override_it(session: Session) -> None:
    session.pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def dvd_config():
    return {"record_mode": "new_episodes", "match_on": ["method", "path"]}
"""
    )
    session.module(
        "test_config",
        """
def test_from_config(dvd):
    assert dvd.record_mode.value == "new_episodes"
    assert dvd.match_on == ("method", "path")

@pytest.mark.dvd(record_mode="all")
def test_mark_over_config(dvd):
    assert dvd.record_mode.value == "all"
    assert dvd.match_on == ("method", "path")
""",
    )
    session.run().assert_outcomes(passed=2)


def test_a_module_can_override_dvd_config_and_dvd_dir(session: Session) -> None:
    session.module(
        "test_local",
        """
@pytest.fixture
def dvd_config():
    return {"before_record_request": lambda request: None if "skip" in str(request.url) else request}

@pytest.fixture(scope="module")
def dvd_dir(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "elsewhere"

@pytest.mark.dvd
def test_items(dvd, dvd_dir):
    hx.get(URL + "/items?id=1")
    hx.get(URL + "/items?id=skip")
    assert dvd.path == str(dvd_dir / "test_items.dvd.json")
    assert len(dvd) == 1
""",
    )
    session.run().assert_outcomes(passed=1)
    assert not (session.path / "dvds").exists()


@one_library
def test_an_unknown_option_fails_the_test_naming_the_close_match(session: Session) -> None:
    session.module(
        "test_typo",
        """
@pytest.mark.dvd(record_mod="none")
def test_items():
    pass
""",
    )
    result = session.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown option 'record_mod'; did you mean 'record_mode'?*"])


# -- extra DVDs ---------------------------------------------------------------------------------------------

SHARED = """
@pytest.fixture
def default_dvd_name():
    return "shared"

@pytest.mark.dvd
def test_record_shared():
    hx.get(URL + "/items?id=shared")
"""


def test_extra_dvds_are_replayed_and_never_written(session: Session) -> None:
    session.module("test_shared", SHARED)
    session.run().assert_outcomes(passed=1)
    shared = session.dvd_file("test_shared", "shared")
    before = shared.read_bytes()
    session.module(
        "test_user",
        """
@pytest.mark.dvd("../test_shared/shared.dvd.json", record_mode="new_episodes")
def test_items(dvd):
    assert hx.get(URL + "/items?id=shared").json()["id"] == "shared"
    hx.get(URL + "/items?id=own")
    assert len(dvd) == 1
""",
    )
    session.run("test_user.py").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=shared", "/items?id=own"]
    assert shared.read_bytes() == before
    assert session.recorded_urls(session.dvd_file("test_user", "test_items")) == ["/items?id=own"]


def test_extra_dvds_from_class_and_function_marks_both_apply(session: Session) -> None:
    session.module("test_shared", SHARED)
    session.run().assert_outcomes(passed=1)
    session.module(
        "test_two",
        """
@pytest.fixture
def default_dvd_name():
    return "second"

@pytest.mark.dvd
def test_record_second():
    hx.get(URL + "/items?id=second")
""",
    )
    session.run("test_two.py").assert_outcomes(passed=1)
    session.module(
        "test_user",
        """
@pytest.mark.dvd("../test_shared/shared.dvd.json")
class TestBoth:
    @pytest.mark.dvd("../test_two/second.dvd.json", record_mode="none")
    def test_items(self):
        hx.get(URL + "/items?id=shared")
        hx.get(URL + "/items?id=second")
""",
    )
    session.run("test_user.py").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=shared", "/items?id=second"]


def test_extra_dvds_get_their_sensitive_data_placeholders_restored(session: Session) -> None:
    secrets = '{"<TOKEN>": os.environ["DVD_TEST_TOKEN"]}'
    session.env("DVD_TEST_TOKEN", "s3cret-token-value")
    session.module(
        "test_shared",
        f"""
@pytest.fixture
def default_dvd_name():
    return "shared"

@pytest.mark.dvd(filter_sensitive_data={secrets})
def test_record_shared():
    hx.get(URL + "/items?id=shared&token=" + os.environ["DVD_TEST_TOKEN"])
""",
    )
    session.run("test_shared.py").assert_outcomes(passed=1)
    shared = session.dvd_file("test_shared", "shared")
    assert "s3cret-token-value" not in shared.read_text()
    session.module(
        "test_user",
        f"""
@pytest.mark.dvd("../test_shared/shared.dvd.json", record_mode="none", filter_sensitive_data={secrets})
def test_items():
    response = hx.get(URL + "/items?id=shared&token=" + os.environ["DVD_TEST_TOKEN"])
    assert response.json()["id"] == "shared"
""",
    )
    session.run("test_user.py").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=shared&token=s3cret-token-value"]


@one_library
def test_a_missing_extra_dvd_is_an_error_naming_it_when_nothing_can_record(session: Session) -> None:
    session.module(
        "test_user", '@pytest.mark.dvd("nowhere.dvd.json", record_mode="none")\ndef test_items():\n    pass\n'
    )
    result = session.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*extra DVD *nowhere.dvd.json (named in @pytest.mark.dvd) does not exist*"])


def test_a_missing_extra_dvd_is_skipped_when_recording(session: Session) -> None:
    # As pytest-recording: the test records what the extra DVD would have answered into its own DVD.
    session.module(
        "test_user",
        """
@pytest.mark.dvd("nowhere.dvd.json", record_mode="once")
def test_items():
    assert hx.get(URL + "/items?id=1").json()["id"] == "1"
""",
    )
    session.run("test_user.py").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


# -- names --------------------------------------------------------------------------------------------------


@one_library
def test_default_dvd_name_holds_class_test_and_parameters_made_safe(session: Session) -> None:
    session.module(
        "test_names",
        """
class TestGroup:
    @pytest.mark.parametrize("path", ["a/b", "c:d"])
    def test_items(self, path, default_dvd_name):
        assert default_dvd_name == os.environ["EXPECTED_" + path[0]]
""",
    )
    session.env("EXPECTED_a", "TestGroup.test_items[a-b]")
    session.env("EXPECTED_c", "TestGroup.test_items[c-d]")
    session.run().assert_outcomes(passed=2)


def test_parametrized_tests_each_get_their_own_dvd(session: Session) -> None:
    session.module(
        "test_params",
        """
@pytest.mark.dvd
@pytest.mark.parametrize("number", [1, 2])
def test_items(number):
    hx.get(URL + f"/items?id={number}")
""",
    )
    session.run().assert_outcomes(passed=2)
    assert session.recorded_urls(session.dvd_file("test_params", "test_items[1]")) == ["/items?id=1"]
    assert session.recorded_urls(session.dvd_file("test_params", "test_items[2]")) == ["/items?id=2"]


def test_a_very_long_name_is_shortened_with_a_stable_hash() -> None:
    long_a, long_b = "test_x[" + "a" * 300 + "1]", "test_x[" + "a" * 300 + "2]"
    short_a = safe_file_name(long_a)
    assert len(short_a.encode()) <= MAX_NAME_BYTES
    assert short_a == safe_file_name(long_a)
    assert short_a != safe_file_name(long_b)
    assert short_a.startswith("test_x[aaaa")


def test_a_long_non_ascii_name_is_cut_on_a_character_boundary() -> None:
    name = safe_file_name("test_x[" + "é" * 200 + "]")
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert "\ufffd" not in name


def test_a_very_long_parametrized_test_records_and_replays(session: Session) -> None:
    session.module(
        "test_long",
        """
@pytest.mark.dvd
@pytest.mark.parametrize("word", ["x" * 400])
def test_items(word):
    hx.get(URL + "/items?id=long")
""",
    )
    session.run().assert_outcomes(passed=1)
    session.run().assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=long"]
    (dvd_file,) = (session.path / "dvds" / "test_long").iterdir()
    assert len(dvd_file.name.encode()) <= MAX_NAME_BYTES + len(".dvd.json")


# -- the session hook, the fixtures' docs, the options, the import cost -------------------------------------


def test_configure_hook_registers_a_matcher_for_every_dvd(session: Session) -> None:
    session.pytester.makeconftest(
        """
def pytest_playback_dvd_configure(config):
    import playback_dvd

    def same_id(recorded, live):
        return recorded.url.split("id=")[1] == live.url.split("id=")[1]

    playback_dvd.register_matcher("same_id", same_id)
"""
    )
    session.module(
        "test_hook",
        """
@pytest.mark.dvd(match_on=["method", "same_id"])
def test_items():
    hx.get(URL + os.environ["PATH_QUERY"])
""",
    )
    session.env("PATH_QUERY", "/items?id=1")
    session.run().assert_outcomes(passed=1)
    session.env("PATH_QUERY", "/echo?id=1")
    session.run("--dvd-record-mode=none").assert_outcomes(passed=1)
    assert session.hits() == ["/items?id=1"]


@one_library
def test_configure_hook_in_a_nested_conftest_is_called(session: Session) -> None:
    session.pytester.mkpydir("sub")
    (session.path / "sub" / "conftest.py").write_text(
        "CALLS = []\ndef pytest_playback_dvd_configure(config):\n    CALLS.append(config)\n"
    )
    (session.path / "sub" / "test_sub.py").write_text(
        "from .conftest import CALLS\ndef test_called(pytestconfig):\n    assert CALLS == [pytestconfig]\n"
    )
    session.run().assert_outcomes(passed=1)


@one_library
def test_fixtures_listing_shows_a_one_line_doc_for_every_fixture(session: Session) -> None:
    session.module("test_nothing", "def test_nothing():\n    pass\n")
    result = session.run("--fixtures")
    lines = result.stdout.lines
    for fixture in ("dvd", "dvd_config", "dvd_dir", "default_dvd_name"):
        (position,) = [n for n, line in enumerate(lines) if line.split(" ")[0] == fixture]
        assert lines[position + 1].strip(), f"{fixture} has no doc"
        assert not lines[position + 2].startswith("    "), f"{fixture}'s doc is longer than one line"


@one_library
def test_help_lists_the_options_in_one_group(session: Session) -> None:
    result = session.run("--help")
    result.stdout.fnmatch_lines(
        [
            "playback_dvd: record httpx and httpx2 traffic once, replay it forever:",
            "*--dvd-record-mode=*",
            "*--dvd-block-network*",
            "*--dvd-allowed-hosts=HOSTS*",
            "*--dvd-disable*",
            "*--dvd-format=*",
        ]
    )


def test_importing_the_plugin_imports_neither_httpx_nor_the_dvd_machinery() -> None:
    code = (
        "import sys, playback_dvd.pytest_plugin\n"
        "heavy = [m for m in ('httpx', 'attrs', 'cattrs', 'playback_dvd.dvd._dvd') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_ci_values_that_mean_off_keep_once_as_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from playback_dvd.pytest_plugin import _ci_default

    monkeypatch.setenv("CI", value)
    assert _ci_default() == "once"


def test_the_pytest_docs_name_the_option_group_as_pytest_help_shows_it(pytester):
    (heading,) = re.findall(
        r"All in one group of `pytest --help`, headed `([^`]+)`",
        (Path(__file__).resolve().parents[2] / "docs" / "pytest.md").read_text(),
    )
    result = pytester.runpytest("--help")
    assert f"{heading}:" in result.stdout.lines
