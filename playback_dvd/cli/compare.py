"""``playback-dvd compare LOCATION --category C --player module:function``: replay, compare, report."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .._errors import ConfigurationError
from .._words import plural
from . import EXIT_INTERRUPTED
from ._terminal import COLOR_CHOICES

if TYPE_CHECKING:
    from ..cassettes import Cassette
    from ..compare import CompareExecutionConfig, Comparison, ComparisonReport, Equalizer
    from ..compare._rules import CompareRules

# compare.FORMATS, spelled out so that building the parser (which `ls` and `show` share) imports no part of
# the compare engine; tests/cli/test_compare.py checks that the two agree.
REPORT_FORMATS = ("text", "json", "junit", "html")


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``compare``."""
    parser.add_argument("location", metavar="LOCATION", help="a recordings directory, or s3://bucket/prefix")
    parser.add_argument(
        "--category", action="append", required=True, help="the category to compare (repeat for several)"
    )
    parser.add_argument(
        "--player",
        required=True,
        metavar="MODULE:FUNCTION",
        help="the playback function, called with each recording's DVD (recorder.play(id, function); "
        "aplay for an async def), imported from the current directory or PYTHONPATH",
    )
    parser.add_argument("--limit", type=int, help="at most N recordings per category")
    parser.add_argument(
        "--format", choices=REPORT_FORMATS, default="text", help="report format (default: text)"
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of stdout (its directory must exist)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="replay in N worker processes (default: 1, here)")
    parser.add_argument(
        "--executor",
        metavar="ADDRESS",
        help="replay on the Dask cluster whose scheduler is at ADDRESS, e.g. tcp://10.0.0.5:8786 "
        "(extra 'dask'; the workers import --player and read LOCATION themselves)",
    )
    parser.add_argument(
        "--batch-size", type=int, metavar="N", help="recordings per task sent to a worker (default: 16)"
    )
    parser.add_argument("--shard", metavar="K/N", help="replay only shard K of N (split by recording id)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="fail a replay taking longer")
    parser.add_argument(
        "--ignore-path", action="append", default=[], metavar="PATTERN", help="e.g. '$.operation.id'"
    )
    parser.add_argument(
        "--ignore-key", action="append", default=[], metavar="NAME", help="e.g. 'updated_at', '*_id'"
    )
    parser.add_argument("--abs-tolerance", type=float, default=0.0, help="floats this close are equal")
    parser.add_argument(
        "--rel-tolerance", type=float, default=0.0, help="floats this close (relative) are equal"
    )
    parser.add_argument(
        "--unordered-lists", action="store_true", help="compare lists without regard to order"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="read [tool.playback-dvd.compare] from FILE (default: the nearest pyproject.toml)",
    )
    parser.add_argument(
        "--detect-noise",
        action="store_true",
        help="replay each recording twice; what differs between the two replays is noise, not a regression",
    )
    parser.add_argument(
        "--suggest-ignores",
        metavar="FILE",
        help="write the noisy paths found as a pyproject.toml block to FILE (implies --detect-noise)",
    )
    parser.add_argument(
        "--operation",
        metavar="NAME",
        help="compare only the recordings of this operation: 'module:Class.method', or 'Class.method' in"
        " any module (recordings of other operations are skipped anyway, and counted)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the text report and progress (auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces)",
    )


def _fail(message: str) -> int:
    print(f"playback-dvd compare: {message}", file=sys.stderr)
    return 2


def _operation_filter(operation: str | None) -> dict[str, str] | None:
    """The metadata filter of ``--operation``: ``module:Class.method``, or ``Class.method`` in any module."""
    if operation is None:
        return None
    return {"operation": operation if ":" in operation else f"*:{operation}"}


def _select(cassette: Cassette, args: argparse.Namespace) -> dict[str, list[str]]:
    """The ids to compare, category by category; a category with none is an error (a typo must not pass).

    Raises:
        ConfigurationError: A category has no recordings (of the operation, when one is given).
    """
    metadata = _operation_filter(args.operation)
    ids: dict[str, list[str]] = {}
    for category in dict.fromkeys(args.category):
        found = list(cassette.iter_recording_ids(category, metadata=metadata, limit=args.limit))
        if not found:
            of = f" of operation {args.operation}" if args.operation else ""
            raise ConfigurationError(
                f"no recordings of {category}{of} in {args.location}{_known_categories(cassette)}"
            )
        ids[category] = found
    return ids


def _known_categories(cassette: Cassette) -> str:
    listing = getattr(cassette, "iter_categories", None)
    known = list(listing()) if listing is not None else []
    return f" (categories there: {', '.join(known)})" if known else " (it has no recordings)"


def run(args: argparse.Namespace) -> int:
    """Replay and compare; 0 when every comparison is Equal or Fixed, 1 otherwise, 2 when it could not
    run, 130 when interrupted (the report of what was finished is still written)."""
    # The engine, and the recorder under it, load only when a comparison runs.
    from ..compare import CompareExecutionConfig, ComparisonReport, parse_shard
    from ..compare._execution import resolve_callable
    from ..compare._location import recorder_for
    from ..compare._rules import load_rules

    try:
        shard = parse_shard(args.shard) if args.shard else None
        rules = load_rules(args.config).with_rules(
            ignore_paths=args.ignore_path,
            ignore_keys=args.ignore_key,
            float_abs_tolerance=args.abs_tolerance,
            float_rel_tolerance=args.rel_tolerance,
            unordered_lists=args.unordered_lists,
            detect_noise=args.detect_noise or bool(args.suggest_ignores),
        )
        for category in args.category:
            rules.comparator(category)  # a malformed pattern fails here, once
        if args.executor and args.jobs != 1:
            raise ConfigurationError("--jobs and --executor exclude each other: the cluster's workers replay")
        if args.limit is not None and args.limit < 1:
            raise ConfigurationError(f"--limit must be >= 1, got {args.limit}")
        if args.output and not Path(args.output).parent.is_dir():
            # Found now, not after an hour of replays; and a typo in a path must not create directories.
            raise ConfigurationError(
                f"--output {args.output}: the directory {Path(args.output).parent} does not exist"
            )
        # The player is the user's code: import it from the current directory as `python -m` would (the
        # console script's sys.path starts at its own bin directory). Workers inherit sys.path.
        if os.getcwd() not in sys.path and "" not in sys.path:
            sys.path.insert(0, os.getcwd())
        # Fail now, with one clear message, rather than once per recording.
        resolve_callable(args.player)
        config = CompareExecutionConfig(
            jobs=args.jobs, timeout_seconds=args.timeout, batch_size=args.batch_size
        )
    except ValueError as error:  # ConfigurationError is one too: a bad option, in one line
        return _fail(str(error))
    # The recorder the replays in this process use (one per location): its cassette lists the ids too.
    cassette = recorder_for(args.location).cassette
    ids = _select(cassette, args)
    context = {"location": args.location, "player": args.player, "categories": ", ".join(args.category)}
    if args.operation:
        context["operation"] = args.operation
    if shard is not None:
        context["shard"] = f"{shard[0]}/{shard[1]}"
    context.update(rules.describe(args.category))
    with _executor(args.executor, config) as config:
        comparisons = _comparisons(args, ids, shard, rules, config)
        try:
            report = ComparisonReport.collect(
                comparisons.run(),
                on_comparison=comparisons.advance,
                planned=comparisons.total,
                context=context,
                stop_on_interrupt=True,
            )
        finally:
            comparisons.close()
    if args.suggest_ignores:
        from ..compare._noise import suggested_ignores
        from ..formats._files import atomic_write

        atomic_write(args.suggest_ignores, suggested_ignores(report.comparisons).encode("utf-8"))
        print(f"suggested ignore rules: {args.suggest_ignores}", file=sys.stderr)
    code = deliver(report, args.output, args.format, args.color)
    if report.interrupted:
        where = f"in {args.output}" if args.output else "above"
        done = len(report.comparisons) + len(report.skipped)
        _fail(f"interrupted after {done} of {comparisons.total}; the partial report is {where}")
        return EXIT_INTERRUPTED
    if report.skipped and not report.comparisons:
        operations = sorted({c.operation or "?" for c in report.skipped})
        return _fail(
            f"nothing compared: {plural(len(report.skipped), 'recording')} of {', '.join(operations)}, which"
            f" the player {args.player} does not replay; choose them with --operation or another --category"
        )
    return code


def deliver(report: ComparisonReport, output: str | None, format: str, color: str = "auto") -> int:
    """Write *report* to *output* (the summary on stderr) or to stdout, coloured as *color* says; its exit
    code (``merge-reports`` shares it)."""
    from ..compare import render_report, write_report
    from ._terminal import color_report, wants_color

    if output:
        write_report(report, output, format)
        summary = report.summary()
        if wants_color(sys.stderr, color):
            summary = color_report(summary)
        print(f"{summary} (report: {output})", file=sys.stderr)
    else:
        text = render_report(report, format)
        if format == "text" and wants_color(sys.stdout, color):
            text = color_report(text)
        sys.stdout.write(text)
    return report.exit_code


@contextlib.contextmanager
def _executor(address: str | None, config: CompareExecutionConfig) -> Iterator[CompareExecutionConfig]:
    """*config*, with the Dask cluster at *address* as its executor while the block runs."""
    if address is None:
        yield config
        return
    from ..compare._dask import dask_executor

    with dask_executor(address) as (executor, in_flight):
        yield attrs.evolve(config, executor=executor, max_batches_in_flight=in_flight)


class _Comparisons:
    """One Equalizer per category (each with its own rules), run one after the other into one report."""

    def __init__(self, args: argparse.Namespace, equalizers: list[Equalizer], total: int) -> None:
        from ._terminal import Progress, wants_color

        self.equalizers = equalizers
        self.total = total
        color = wants_color(sys.stderr, args.color)
        self.progress = None if args.quiet else Progress(total, sys.stderr, color=color)

    def run(self) -> Iterator[Comparison]:
        for equalizer in self.equalizers:
            yield from equalizer.run_comparison()

    def advance(self, comparison: Comparison) -> None:
        """Count *comparison* in the progress line (a skipped recording is not "not equal")."""
        if self.progress is not None:
            self.progress.advance(
                comparison.skipped is not None or comparison.equality_status.name == "Equal"
            )

    def close(self) -> None:
        """Clear the progress line."""
        if self.progress is not None:
            self.progress.close()


def _comparisons(
    args: argparse.Namespace,
    ids: dict[str, list[str]],
    shard: tuple[int, int] | None,
    rules: CompareRules,
    config: CompareExecutionConfig,
) -> _Comparisons:
    from ..compare import Equalizer, in_shard
    from ..compare._location import play_from_location

    player = functools.partial(play_from_location, args.location, args.player)
    equalizers = []
    total = 0
    for category, category_ids in ids.items():
        # The shard is applied here, before replaying, so the progress total is the shard's size.
        selected = [recording_id for recording_id in category_ids if in_shard(recording_id, shard)]
        total += len(selected)
        own = rules.for_category(category)
        equalizers.append(
            Equalizer(
                selected,
                player,
                comparator=rules.comparator(category),
                compare_execution_config=config,
                detect_noise=own.detect_noise,
            )
        )
    return _Comparisons(args, equalizers, total)
