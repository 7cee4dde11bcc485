"""One test's DVD in the pytest plugin: options merged from marks and config, activated, saved on pass."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import ConfigurationError
from .._models import Interaction
from .._options import check_option_names, resolve_options
from ..dvd._dvd import DVD
from ..filters._pipeline import Filters
from ..filters._storage import read_dvd_file
from ..formats._limits import LoadLimits
from ..http._use_dvd import DVDFile
from ._network import NetworkGuard, blocked_connections, report_section

if TYPE_CHECKING:
    import pytest

    from . import Settings

#: Added to a failed test's report when its DVD could not answer because CI made the record mode ``none``.
CI_NOTE = (
    "The CI environment variable is set, so this test's record mode defaulted to 'none' (replay only):\n"
    "a request without a recorded twin fails instead of being recorded. Record its DVD where CI is not set,\n"
    "or run once with --dvd-record-mode=once (or set record_mode in its dvd mark), and commit the DVD."
)

# Options only the plugin understands; everything else goes to use_dvd's option checks.
PLUGIN_OPTIONS = frozenset({"allowed_hosts"})


def merge_options(markers: Sequence[pytest.Mark], config: Mapping[str, Any]) -> dict[str, Any]:
    """``dvd_config`` overridden by the marks' keyword options, outermost first so the closest wins.

    Args:
        markers: The ``dvd`` marks of the test, closest first (as ``Node.iter_markers`` yields them).
        config: What the ``dvd_config`` fixture returned.
    """
    if not isinstance(config, Mapping):
        raise ConfigurationError(f"the dvd_config fixture must return a dict of options, not {config!r}")
    merged = dict(config)
    for marker in reversed(markers):
        merged.update(marker.kwargs)
    return merged


def extra_dvd_paths(markers: Sequence[pytest.Mark], dvd_dir: Path) -> list[Path]:
    """The extra DVDs named by the marks (closest mark's first, each once), relative ones under *dvd_dir*."""
    paths: list[Path] = []
    for marker in markers:
        for argument in marker.args:
            if not isinstance(argument, (str, os.PathLike)):
                raise ConfigurationError(
                    f"@pytest.mark.dvd takes extra DVD paths as positional arguments, not {argument!r}"
                )
            # Lexically: "../shared/x.dvd.json" must not need this test's own (maybe unborn) folder to exist.
            path = Path(os.path.normpath(dvd_dir / Path(argument)))
            if path not in paths:
                paths.append(path)
    return paths


def _read_only_interactions(
    paths: Sequence[Path], filters: Filters, limits: LoadLimits, *, recording: bool
) -> list[Interaction]:
    """The interactions of the extra DVDs, placeholders restored as for the test's own DVD.

    A missing extra DVD is skipped when the test may record (as pytest-recording skips a missing extra
    cassette): what it would have answered is recorded into the test's own DVD. In record mode ``none``
    it is an error, since nothing could answer in its place.
    """
    interactions: list[Interaction] = []
    for path in paths:
        document = read_dvd_file(path, filters, limits)
        if document is None:
            if recording:
                continue
            raise ConfigurationError(
                f"extra DVD {path} (named in @pytest.mark.dvd) does not exist and record mode 'none' cannot "
                "record in its place; extra DVDs are only read, so record it first with the test that owns "
                "it, or fix the path (relative paths start at the dvd_dir fixture)"
            )
        interactions.extend(document.interactions)
    return interactions


class TestDVD:
    """The DVD of one test: activated for the test's setup, call and teardown, saved only if it passed.

    Args:
        settings: What the command line says.
        dvd_file: The DVD file, loaded, not started yet.
        rewrite: Whether the file is recorded afresh (``rewrite``): saving replaces it with exactly what this
            run recorded, and removes it when the run recorded nothing.
        allowed_hosts: Hosts a blocked network still lets through, from the command line and options.
        save_on_failure: ``record_on_exception=True`` was asked for: save whatever the outcome.
    """

    __test__ = False  # a name starting with "Test" that pytest must not collect

    def __init__(
        self,
        settings: Settings,
        dvd_file: DVDFile,
        *,
        rewrite: bool,
        allowed_hosts: tuple[str, ...],
        save_on_failure: bool,
        mode_forced_by_ci: bool = False,
    ) -> None:
        self.settings = settings
        self.dvd_file = dvd_file
        self.rewrite = rewrite
        #: The record mode is ``none`` only because ``CI`` is set (no option, mark or config chose one).
        self.mode_forced_by_ci = mode_forced_by_ci
        self.allowed_hosts = allowed_hosts
        self.save_on_failure = save_on_failure
        self.refused: list[str] = []

    @classmethod
    def from_markers(
        cls,
        settings: Settings,
        markers: Sequence[pytest.Mark],
        config: Mapping[str, Any],
        *,
        own_path: Path,
        dvd_dir: Path,
    ) -> TestDVD:
        """Merge the options (see the precedence in `playback_dvd.pytest_plugin`) and load the DVDs.

        Raises:
            ConfigurationError: An unknown option, a bad value, or a missing extra DVD.
            DVDFormatError: The test's DVD or an extra one is not a readable DVD.
        """
        options = merge_options(markers, config)
        check_option_names(options, extra=PLUGIN_OPTIONS)
        allowed = options.pop("allowed_hosts", ())
        if isinstance(allowed, str):
            allowed = (allowed,)
        mode = settings.record_mode or str(options.get("record_mode", settings.default_record_mode))
        forced_by_ci = settings.record_mode is None and "record_mode" not in options and mode == "none"
        # "rewrite" is the plugin's own mode: new_episodes on an empty DVD that replaces the file on save.
        rewrite = mode == "rewrite"
        options["record_mode"] = "new_episodes" if rewrite else mode
        resolved = resolve_options(options)
        extra = _read_only_interactions(
            extra_dvd_paths(markers, dvd_dir),
            resolved.filters,
            resolved.load_limits,
            recording=options["record_mode"] != "none",
        )
        dvd_file = DVDFile(os.fspath(own_path), resolved, fresh=rewrite, read_only_interactions=extra)
        return cls(
            settings,
            dvd_file,
            rewrite=rewrite,
            allowed_hosts=(*settings.allowed_hosts, *allowed),
            save_on_failure=options.get("record_on_exception") is True,
            mode_forced_by_ci=forced_by_ci,
        )

    def start(self) -> DVD:
        """Answer this test's httpx and httpx2 requests from its DVD (behind the guard when it is blocked)."""
        # block_network=True in a mark or dvd_config means what --dvd-block-network means, for this test.
        if self.settings.block_network or self.dvd_file.options.block_network:
            guard = NetworkGuard(self.allowed_hosts, self.dvd_file.handler)
            self.refused = guard.refused
            return self.dvd_file.start(
                guard, connections=blocked_connections(self.allowed_hosts, self.refused)
            )
        return self.dvd_file.start()

    def report_section(self) -> str | None:
        """What a failed test's report shows about this DVD (see `report_section`); when `CI` made the
        record mode ``none``, why the DVD could not record and how to record it."""
        misses = self.dvd_file.handler.misses
        section = report_section(misses, self.refused)
        if self.mode_forced_by_ci and misses:
            section = f"{section}\n{CI_NOTE}" if section else CI_NOTE
        return section

    def stop(self) -> None:
        """Stop answering requests; what the test did not finish reading is committed as incomplete."""
        self.dvd_file.stop()

    def finish(self, reports: Mapping[str, pytest.TestReport]) -> bool:
        """Save the DVD if the test passed (setup and call); return whether the file changed."""
        if not (self.save_on_failure or passed(reports)):
            return False
        if self.rewrite and not self.dvd_file.dvd.dirty:
            # Nothing recorded this time: what the file held is stale, and rewrite leaves nothing stale.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.dvd_file.path)
                return True
            return False
        return self.dvd_file.save()


def passed(reports: Mapping[str, pytest.TestReport]) -> bool:
    """Whether setup and call both passed; an xfail-marked test never counts (it is known to be wrong)."""
    for when in ("setup", "call"):
        report = reports.get(when)
        if report is None or not report.passed or hasattr(report, "wasxfail"):
            return False
    return True
