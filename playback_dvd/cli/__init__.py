"""The ``playback-dvd`` command: one subcommand per module, imported only when it runs."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

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


#: The exit code of a command stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130
#: The exit code of a command that could not run (bad input, S3 unreachable, a missing extra...).
EXIT_COULD_NOT_RUN = 2


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("playback-dvd")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand configured."""
    parser = argparse.ArgumentParser(prog="playback-dvd", description="Inspect, convert and compare DVDs.")
    parser.add_argument("--version", action="version", version=f"playback-dvd {_version()}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        module = importlib.import_module(f"playback_dvd.cli.{module_name}")
        subparser = subcommands.add_parser(name, help=summary, description=summary)
        module.configure(subparser)
        subparser.add_argument(
            "--debug", action="store_true", help="on a failure, print the traceback too (for a bug report)"
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``playback-dvd`` command line; returns the exit code.

    0: done (for ``compare``: everything equal); 1: ``compare`` found regressions; 2: it could not run,
    said in one line on stderr (``--debug`` adds the traceback); 130: interrupted (Ctrl-C).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_COULD_NOT_RUN
    try:
        module = importlib.import_module(f"playback_dvd.cli.{COMMANDS[args.command][0]}")
        return int(module.run(args))
    except KeyboardInterrupt:
        print(f"\nplayback-dvd {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `playback-dvd ls ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        from ._failures import describe_failure

        if args.debug:
            traceback.print_exc()
        print(f"playback-dvd {args.command}: {describe_failure(error)}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
