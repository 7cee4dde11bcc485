"""The ``playback-dvd`` command."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the ``playback-dvd`` command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="playback-dvd", description="Inspect, convert and compare DVDs.")
    parser.parse_args(argv)
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
