"""The pytest plugin (entry point ``pytest11``): marks, fixtures and options for DVDs in tests.

This module is imported by every pytest run of every project that installs playback_dvd, so it imports only
pytest and the standard library: the DVD machinery (and httpx) is imported inside the fixtures, by the first
test that uses a DVD.

Where a test's record mode comes from, first match wins (the command line is how a person overrides the
code for one run, so it beats what the code says):

1. ``--dvd-record-mode`` given on the command line;
2. ``record_mode=`` in the closest ``dvd`` mark (function, then class, then module);
3. ``record_mode`` in the ``dvd_config`` fixture;
4. the default: ``none`` when the ``CI`` environment variable is set (to anything but ``""``, ``0``,
   ``false``, ``no``), else ``once``.

Every other option follows the same order without step 1: the closest mark, then outer marks, then
``dvd_config``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

if TYPE_CHECKING:
    from ..dvd._dvd import DVD

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
# The longest file name we produce, in UTF-8 bytes, suffix and the temporary file's prefix left aside. A fixed
# number rather than the file system's limit: a DVD recorded on one machine must keep its name on another.
MAX_NAME_BYTES = 180
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*'%\s]")


class Settings(NamedTuple):
    """What the command line (and the environment) says, read once per session."""

    record_mode: str | None  # None when --dvd-record-mode was not given
    default_record_mode: str
    block_network: bool
    allowed_hosts: tuple[str, ...]
    disabled: bool
    binary: bool


SETTINGS = pytest.StashKey[Settings]()
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
ACTIVE = pytest.StashKey[bool]()
#: What the test's DVD (or network guard) has to say in a failed test's report.
SECTION = pytest.StashKey[Callable[[], "str | None"]]()


def _split_hosts(value: str) -> tuple[str, ...]:
    return tuple(host.strip() for host in value.split(",") if host.strip())


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "playback-dvd", "playback_dvd: record httpx and httpx2 traffic once, replay it forever"
    )
    group.addoption(
        "--dvd-record-mode",
        choices=RECORD_MODES,
        default=None,
        help="record mode of every DVD, over marks and dvd_config. Default: the mark's or dvd_config's, "
        "else 'none' when $CI is set, else 'once'. 'rewrite' records each test's DVD afresh.",
    )
    group.addoption(
        "--dvd-block-network",
        action="store_true",
        default=False,
        help="fail any request or connection that would reach the network (httpx, httpx2, urllib, "
        "requests, raw sockets...), except to --dvd-allowed-hosts, unix sockets, and httpx/httpx2 "
        "requests a DVD is recording.",
    )
    group.addoption(
        "--dvd-allowed-hosts",
        default="",
        metavar="HOSTS",
        help="comma-separated hosts (globs allowed, e.g. '*.internal', 'localhost:8080') that "
        "--dvd-block-network lets through.",
    )
    group.addoption(
        "--dvd-disable",
        action="store_true",
        default=False,
        help="turn the plugin off: DVDs are neither read nor written, requests go to the network.",
    )
    group.addoption(
        "--dvd-format",
        choices=("json", "binary"),
        default="json",
        help="format of the DVDs tests record: json (.dvd.json, readable; default) or binary (.dvd).",
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import _hooks as _pytest_hooks

    pluginmanager.add_hookspecs(_pytest_hooks)


def _ci_default() -> str:
    return "none" if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no") else "once"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "dvd(*extra_dvds, **options): record this test's httpx/httpx2 traffic into its DVD and replay it; "
        "extra DVDs are replayed read-only; options are those of playback_dvd.use_dvd.",
    )
    config.stash[SETTINGS] = Settings(
        record_mode=config.getoption("dvd_record_mode"),
        default_record_mode=_ci_default(),
        block_network=config.getoption("dvd_block_network"),
        allowed_hosts=_split_hosts(config.getoption("dvd_allowed_hosts")),
        disabled=config.getoption("dvd_disable"),
        binary=config.getoption("dvd_format") == "binary",
    )
    # Historic: conftest files loaded later (during collection) still get the call when they register.
    config.hook.pytest_playback_dvd_configure.call_historic(kwargs={"config": config})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Activation is decided here, once per test at collection, rather than by an autouse fixture: a session
    # that uses no DVD then pays nothing per test (an autouse fixture costs every test a fixture setup).
    settings = config.stash[SETTINGS]
    if settings.disabled:
        return
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or "dvd" in names:
            continue
        if item.get_closest_marker("dvd") is not None:
            names.insert(0, "dvd")  # first: traffic of the test's other fixtures is recorded too
        elif settings.block_network:
            names.insert(0, "_dvd_blocked_network")


class _ReportKeeper:
    """Keeps the setup and call reports of tests with a DVD, whose teardown decides on saving from them;
    adds a "playback_dvd" section to a failed test's report (requests not answered, connections refused).

    Registered by the first test that uses a DVD or a blocked network: other sessions pay no hook wrapper
    per test phase.
    """

    name = "playback_dvd.report_keeper"

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, Any]:
        report = yield
        if item.stash.get(ACTIVE, False):
            item.stash.setdefault(REPORTS, {})[report.when] = report
        section = item.stash.get(SECTION, None)
        if section is not None and report.failed:
            text = section()
            if text is not None:
                report.sections.append(("playback_dvd", text))
        return report


def _keep_reports(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(_ReportKeeper.name):
        config.pluginmanager.register(_ReportKeeper(), _ReportKeeper.name)


def safe_file_name(name: str) -> str:
    """*name* made safe as a file name on every OS, shortened with a stable hash when it is too long."""
    safe = _UNSAFE.sub("-", name).strip(". ") or "dvd"
    encoded = safe.encode()
    if len(encoded) <= MAX_NAME_BYTES:
        return safe
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    head = encoded[: MAX_NAME_BYTES - len(digest) - 1].decode("utf-8", "ignore").rstrip(". ")
    return f"{head}-{digest}"


# -- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def dvd_config() -> dict[str, Any]:
    """Options for every DVD in scope (those of use_dvd, plus allowed_hosts); override at any scope."""
    return {}


@pytest.fixture(scope="module")
def dvd_dir(request: pytest.FixtureRequest) -> Path:
    """Directory of this module's DVDs: <test dir>/dvds/<module name>/."""
    module_path = Path(request.node.path)
    return module_path.parent / "dvds" / module_path.stem


@pytest.fixture
def default_dvd_name(request: pytest.FixtureRequest) -> str:
    """Name of this test's DVD file without suffix: Class.test_name[params], file-system safe."""
    node = request.node
    name = f"{node.cls.__name__}.{node.name}" if node.cls is not None else node.name
    return safe_file_name(name)


@pytest.fixture
def dvd(
    request: pytest.FixtureRequest, dvd_config: dict[str, Any], dvd_dir: Path, default_dvd_name: str
) -> Iterator[DVD | None]:
    """The test's DVD, replaying and recording its httpx/httpx2 traffic (None with --dvd-disable)."""
    settings = request.config.stash[SETTINGS]
    if settings.disabled:
        yield None
        return
    from ..formats._suffixes import suffix_for
    from ._activation import TestDVD

    suffix = suffix_for(binary=settings.binary)
    node = request.node
    activation = TestDVD.from_markers(
        settings,
        list(node.iter_markers("dvd")),
        dvd_config,
        own_path=Path(dvd_dir) / f"{default_dvd_name}{suffix}",
        dvd_dir=Path(dvd_dir),
    )
    _keep_reports(request.config)
    node.stash[ACTIVE] = True
    node.stash[SECTION] = activation.report_section
    try:
        yield activation.start()
    finally:
        activation.stop()
        activation.finish(node.stash.get(REPORTS, {}))


@pytest.fixture
def _dvd_blocked_network(request: pytest.FixtureRequest) -> Iterator[None]:
    """Refuse requests and connections to hosts not allowed (--dvd-block-network, tests without a DVD)."""
    from ._network import blocked_network, report_section

    _keep_reports(request.config)
    with blocked_network(request.config.stash[SETTINGS].allowed_hosts) as guard:
        request.node.stash[SECTION] = lambda: report_section([], guard.refused)
        yield
