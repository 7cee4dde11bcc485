"""``playback-dvd scan PATH...``: find secrets already on disk in DVDs, cassette folders, vcrpy cassettes.

Checks the rules recording applies (secret names in URLs, headers and bodies of both sides, URL passwords,
intercepted values) plus token shapes (JWTs, ``sk-...`` keys, AWS key ids, bearer tokens...). Prints one
line per finding (file, field path, rule; never the value), exits 1 when anything is found, 0 when clean,
2 when something could not be scanned. ``--fix`` rewrites DVD files with placeholders, atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs

from .._errors import ConfigurationError, PlaybackDVDError
from .._models import DVDDocument
from .._options import resolve_options
from ..filters._pipeline import Filters
from ..filters._scan import Finding, fix_document, scan_document
from ..formats._files import atomic_write, read_bytes_or_none
from ..formats._serialization import dumps, loads
from ..formats._suffixes import is_binary_path, is_dvd_path

_CASSETTE_SUFFIXES = (".yaml", ".yml", ".json")  # vcrpy cassettes, recognised by content
_SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__", "site-packages"})


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``scan``."""
    parser.add_argument(
        "paths",
        metavar="PATH",
        nargs="+",
        help="a DVD, a vcrpy cassette, a directory (searched recursively) or s3://bucket/prefix",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="how findings are printed")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="rewrite each DVD file that holds secrets with placeholders (atomically); vcrpy and S3 are "
        "only reported",
    )


@attrs.frozen
class _Source:
    """Something to scan: its name in the report, how to load it, and the file to rewrite on --fix."""

    name: str
    load: Callable[[], DVDDocument | None]
    file: Path | None = None


def _file_loader(path: Path, *, lenient: bool) -> Callable[[], DVDDocument | None]:
    def load() -> DVDDocument | None:
        payload = read_bytes_or_none(path)
        if payload is None:
            raise PlaybackDVDError(f"{path}: no such file")
        try:
            return loads(payload, os.fspath(path))
        except PlaybackDVDError:
            if lenient:  # a JSON or YAML file in a directory that is no cassette: not ours to judge
                return None
            raise

    return load


def _directory_sources(directory: Path) -> Iterator[_Source]:
    for root, directories, files in os.walk(directory):
        directories[:] = sorted(
            name for name in directories if not name.startswith(".") and name not in _SKIPPED_DIRECTORIES
        )
        for name in sorted(files):
            path = Path(root) / name
            if is_dvd_path(name):
                yield _Source(os.fspath(path), _file_loader(path, lenient=False), path)
            elif name.endswith(_CASSETTE_SUFFIXES) and not name.endswith(".meta.json"):
                yield _Source(os.fspath(path), _file_loader(path, lenient=True))


def _s3_sources(location: str) -> Iterator[_Source]:
    from ..cassettes._open import open_cassette

    cassette = open_cassette(location)
    categories = getattr(cassette, "_child_names", None)
    layout = getattr(cassette, "layout", None)
    if categories is None or layout is None:
        raise ConfigurationError(f"{location}: this cassette cannot list its categories")

    def loader(recording_id: str) -> Callable[[], DVDDocument | None]:
        return lambda: cassette.get_recording(recording_id)

    for category in categories(layout.prefix, reverse=False):
        for recording_id in cassette.iter_recording_ids(category):
            yield _Source(f"{location.rstrip('/')}/{recording_id}", loader(recording_id))


def _sources(path_text: str) -> Iterator[_Source]:
    if path_text.startswith("s3://"):
        yield from _s3_sources(path_text)
        return
    path = Path(path_text)
    if path.is_dir():
        yield from _directory_sources(path)
    elif path.exists():
        yield _Source(path_text, _file_loader(path, lenient=False), path if is_dvd_path(path_text) else None)
    else:
        raise ConfigurationError(f"{path_text}: no such file or directory")


def run(args: argparse.Namespace) -> int:
    """Scan ``args.paths``; 1 when a secret was found, 0 when clean, 2 when something could not be scanned."""
    findings: list[tuple[str, Finding]] = []
    errors: list[str] = []
    fixed: list[str] = []
    scanned = 0
    filters = resolve_options({}).filters
    for path_text in args.paths:
        try:
            for source in _sources(path_text):
                try:
                    document = source.load()
                except (PlaybackDVDError, OSError) as error:
                    errors.append(str(error))
                    continue
                if document is None:
                    continue
                scanned += 1
                found = scan_document(document, filters.secrets)
                findings.extend((source.name, finding) for finding in found)
                if found and args.fix:
                    message = _fix(source, document, filters)
                    if message:
                        errors.append(message)
                    else:
                        fixed.append(source.name)
        except (ConfigurationError, PlaybackDVDError, ImportError) as error:
            errors.append(str(error))
    for message in errors:
        print(f"playback-dvd scan: {message}", file=sys.stderr)
    _report(args.format, findings, fixed, scanned)
    if errors:
        return 2
    return 1 if findings else 0


def _fix(source: _Source, document: DVDDocument, filters: Filters) -> str | None:
    """Rewrite *source*'s file with placeholders; a message when it cannot be rewritten."""
    if source.file is None:
        return f"{source.name}: not fixed (only .dvd and .dvd.json files are rewritten; convert it first)"
    repaired = fix_document(document, filters)
    left = scan_document(repaired, filters.secrets)
    if left:
        return f"{source.name}: {len(left)} findings remain after --fix; edit them by hand"
    atomic_write(source.file, dumps(repaired, binary=is_binary_path(os.fspath(source.file))))
    return None


def _report(output: str, findings: list[tuple[str, Finding]], fixed: list[str], scanned: int) -> None:
    if output == "json":
        rows = [{"file": name, "path": finding.path, "rule": finding.rule} for name, finding in findings]
        print(json.dumps({"scanned": scanned, "findings": rows, "fixed": fixed}, indent=2))
        return
    for name, finding in findings:
        print(f"{name}: {finding.path}: {finding.rule}")
    files = len({name for name, _ in findings})
    if findings:
        print(
            f"{len(findings)} secrets in {files} of {scanned} files"
            + (f"; fixed {len(fixed)}" if fixed else "")
        )
    else:
        print(f"{scanned} files scanned, no secret found")
