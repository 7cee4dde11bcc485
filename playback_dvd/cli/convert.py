"""``playback-dvd convert SRC DST``: a vcrpy cassette or a DVD into a DVD, in the format DST's suffix says."""

from __future__ import annotations

import argparse
import os
import sys

from .._errors import DVDFormatError
from .._words import plural
from ..formats._files import read_document, write_document
from ..formats._suffixes import is_dvd_path


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``convert``."""
    parser.add_argument(
        "source", metavar="SRC", help="a vcrpy cassette (YAML or JSON), a .dvd or a .dvd.json"
    )
    parser.add_argument(
        "destination",
        metavar="DST",
        help="the DVD to write: '.dvd' for the compact binary format, '.dvd.json' for the readable one",
    )
    parser.add_argument("--force", action="store_true", help="replace DST when it already exists")


def _fail(message: str) -> int:
    print(f"playback-dvd convert: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Convert ``args.source`` into ``args.destination``; 0 on success, 2 on a bad source or destination."""
    source, destination = os.fspath(args.source), os.fspath(args.destination)
    if not is_dvd_path(destination):
        # Never write a vcrpy (or any other) format under a name that promises one.
        return _fail(f"{destination}: the destination must end with .dvd or .dvd.json")
    if os.path.exists(destination) and not args.force:
        if os.path.exists(source) and os.path.samefile(source, destination):
            return _fail(f"{destination} is the source itself")
        return _fail(f"{destination} already exists; pass --force to replace it")
    try:
        document = read_document(source)
    except DVDFormatError as error:
        return _fail(str(error))
    if document is None:
        return _fail(f"{source}: no such file")
    try:
        write_document(destination, document)
    except OSError as error:
        return _fail(f"{destination}: cannot be written ({error.strerror or error})")
    print(f"{source} -> {destination}: {plural(len(document.interactions), 'interaction')}")
    return 0
