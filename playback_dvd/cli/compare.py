"""``playback-dvd compare LOCATION --category C --player module:function``: replay, compare, report."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from typing import TYPE_CHECKING, TextIO

from .._errors import ConfigurationError

if TYPE_CHECKING:
    from ..compare import Comparison

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
    from ..compare import (
        CompareExecutionConfig,
        ComparisonReport,
        Equalizer,
        StructuralComparator,
        in_shard,
        parse_shard,
        render_report,
        write_report,
    )
    from ..compare._execution import resolve_callable
    from ..compare._location import play_from_location, recorder_for

    try:
        shard = parse_shard(args.shard) if args.shard else None
        # The shard is applied here, before replaying, so the progress total is the shard's size.
        config = CompareExecutionConfig(jobs=args.jobs, timeout_seconds=args.timeout)
        comparator = StructuralComparator(
            ignore_paths=args.ignore_path,
            ignore_keys=args.ignore_key,
            float_abs_tolerance=args.abs_tolerance,
            float_rel_tolerance=args.rel_tolerance,
            unordered_lists=args.unordered_lists,
        )
        if args.limit is not None and args.limit < 1:
            raise ConfigurationError(f"--limit must be >= 1, got {args.limit}")
        # The player is the user's code: import it from the current directory as `python -m` would (the
        # console script's sys.path starts at its own bin directory). Spawned workers inherit sys.path.
        if os.getcwd() not in sys.path and "" not in sys.path:
            sys.path.insert(0, os.getcwd())
        # Fail now, with one clear message, rather than once per recording.
        resolve_callable(args.player)
        # The recorder the replays in this process use (one per location): its cassette lists the ids too.
        cassette = recorder_for(args.location).cassette
    except (ConfigurationError, ValueError) as error:
        return _fail(str(error))
    ids = [
        recording_id
        for category in args.category
        for recording_id in cassette.iter_recording_ids(category, limit=args.limit)
    ]
    if not ids:
        return _fail(f"no recordings of {', '.join(args.category)} in {args.location}")
    selected = [recording_id for recording_id in ids if in_shard(recording_id, shard)]
    player = functools.partial(play_from_location, args.location, args.player)
    equalizer = Equalizer(selected, player, comparator=comparator, compare_execution_config=config)
    progress = None if args.quiet else _Progress(len(selected), sys.stderr)
    try:
        report = ComparisonReport.collect(equalizer.run_comparison(), on_comparison=progress)
    except ConfigurationError as error:
        return _fail(str(error))
    if args.output:
        write_report(report, args.output, args.format)
        print(f"{report.summary()} (report: {args.output})", file=sys.stderr)
    else:
        sys.stdout.write(render_report(report, args.format))
    return report.exit_code
