"""The ``playback-dvd`` command: one subcommand per module, imported only when it runs."""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module under playback_dvd.cli, one-line help). Each module has
# ``configure(parser: argparse.ArgumentParser) -> None`` and ``run(args: argparse.Namespace) -> int``.
COMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("convert", "Convert a vcrpy cassette or a DVD into a .dvd or .dvd.json DVD."),
    "ls": ("browse", "List the recordings of a cassette (a directory or s3://bucket/prefix)."),
    "show": ("browse", "Print one recording: metadata, inputs, outputs, HTTP interactions."),
    "compare": ("compare", "Replay recordings on today's code and compare them with what was recorded."),
    "scan": ("scan", "Find secrets already recorded in DVDs, cassette directories and vcrpy cassettes."),
    "merge-reports": ("merge_reports", "Merge the JSON reports of sharded compare runs into one verdict."),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand configured."""
    parser = argparse.ArgumentParser(prog="playback-dvd", description="Inspect, convert and compare DVDs.")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        module = importlib.import_module(f"playback_dvd.cli.{module_name}")
        module.configure(subcommands.add_parser(name, help=summary, description=summary))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``playback-dvd`` command line; returns the exit code (2 for usage errors)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    module = importlib.import_module(f"playback_dvd.cli.{COMMANDS[args.command][0]}")
    return int(module.run(args))


if __name__ == "__main__":
    sys.exit(main())
