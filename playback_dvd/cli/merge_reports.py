"""``playback-dvd merge-reports A.json B.json ...``: N shards' JSON reports as one report and verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._errors import ConfigurationError
from .compare import deliver

# compare.FORMATS, spelled out so that building the parser imports no part of the compare engine.
REPORT_FORMATS = ("text", "json", "junit", "html")


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``merge-reports``."""
    parser.add_argument(
        "reports", nargs="+", metavar="REPORT", help="JSON reports of `playback-dvd compare --format json`"
    )
    parser.add_argument(
        "--format", choices=REPORT_FORMATS, default="text", help="merged report format (default: text)"
    )
    parser.add_argument("--output", metavar="FILE", help="write the merged report to FILE instead of stdout")


def _fail(message: str) -> int:
    print(f"playback-dvd merge-reports: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Merge; 0 when every comparison of every shard is Equal or Fixed, 1 otherwise, 2 on bad input."""
    from ..compare._merge import merge_reports, read_json_report

    try:
        reports = []
        for name in args.reports:
            try:
                text = Path(name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ConfigurationError(
                    f"cannot read {name}: {getattr(error, 'strerror', None) or error}"
                ) from None
            reports.append((name, read_json_report(text, name)))
        report = merge_reports(reports)
    except ConfigurationError as error:
        return _fail(str(error))
    return deliver(report, args.output, args.format)
