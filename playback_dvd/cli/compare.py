"""``playback-dvd compare LOCATION --category C --player module:function``: replay, compare, report."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

import attrs

from .._errors import ConfigurationError

if TYPE_CHECKING:
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
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
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
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _fail(message: str) -> int:
    print(f"playback-dvd compare: {message}", file=sys.stderr)
    return 2


class _Progress:
    """``compared 12/40 (2 not equal)`` on stderr: redrawn in place on a terminal, every 10% otherwise."""

    def __init__(self, total: int, stream: TextIO) -> None:
        from ..compare import EqualityStatus

        self.equal = EqualityStatus.Equal
        self.total, self.stream, self.done, self.bad = total, stream, 0, 0
        self.live = stream.isatty()
        self.step = max(1, total // 10)

    def __call__(self, comparison: Comparison) -> None:
        self.done += 1
        self.bad += comparison.equality_status is not self.equal
        line = f"compared {self.done}/{self.total} ({self.bad} not equal)"
        if self.live:
            end = "\n" if self.done == self.total else ""
            print(f"\r{line}", end=end, file=self.stream, flush=True)
        elif self.done % self.step == 0 or self.done == self.total:
            print(line, file=self.stream, flush=True)


def run(args: argparse.Namespace) -> int:
    """Replay and compare; 0 when every comparison is Equal or Fixed, 1 otherwise, 2 on setup errors."""
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
        # The player is the user's code: import it from the current directory as `python -m` would (the
        # console script's sys.path starts at its own bin directory). Workers inherit sys.path.
        if os.getcwd() not in sys.path and "" not in sys.path:
            sys.path.insert(0, os.getcwd())
        # Fail now, with one clear message, rather than once per recording.
        resolve_callable(args.player)
        # The recorder the replays in this process use (one per location): its cassette lists the ids too.
        cassette = recorder_for(args.location).cassette
        config = CompareExecutionConfig(
            jobs=args.jobs, timeout_seconds=args.timeout, batch_size=args.batch_size
        )
    except (ConfigurationError, ValueError) as error:
        return _fail(str(error))
    ids = {
        category: list(cassette.iter_recording_ids(category, limit=args.limit)) for category in args.category
    }
    if not any(ids.values()):
        return _fail(f"no recordings of {', '.join(args.category)} in {args.location}")
    context = {"location": args.location, "player": args.player}
    if shard is not None:
        context["shard"] = f"{shard[0]}/{shard[1]}"
    context.update(rules.describe(args.category))
    try:
        with _executor(args.executor, config) as config:
            comparisons = _comparisons(args, ids, shard, rules, config)
            report = ComparisonReport.collect(
                comparisons.run(), on_comparison=comparisons.progress, context=context
            )
    except ConfigurationError as error:
        return _fail(str(error))
    if args.suggest_ignores:
        from ..compare._noise import suggested_ignores
        from ..formats._files import atomic_write

        atomic_write(args.suggest_ignores, suggested_ignores(report.comparisons).encode("utf-8"))
        print(f"suggested ignore rules: {args.suggest_ignores}", file=sys.stderr)
    return deliver(report, args.output, args.format)


def deliver(report: ComparisonReport, output: str | None, format: str) -> int:
    """Write *report* to *output* (the summary on stderr) or to stdout; its exit code (``merge-reports``
    shares it)."""
    from ..compare import render_report, write_report

    if output:
        write_report(report, output, format)
        print(f"{report.summary()} (report: {output})", file=sys.stderr)
    else:
        sys.stdout.write(render_report(report, format))
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
        self.equalizers = equalizers
        self.progress = None if args.quiet else _Progress(total, sys.stderr)

    def run(self) -> Iterator[Comparison]:
        for equalizer in self.equalizers:
            yield from equalizer.run_comparison()


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
