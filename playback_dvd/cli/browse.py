"""``playback-dvd ls LOCATION`` lists categories or recordings; ``playback-dvd show LOCATION ID`` prints one.

LOCATION is a recordings directory, ``s3://bucket/prefix``, or one DVD file (a pytest DVD, say).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from .._errors import ConfigurationError
from .._models import DVDDocument, Interaction
from .._words import plural
from ..cassettes import Cassette
from ..cassettes._ids import safe_category
from ..cassettes._open import open_cassette
from ..formats._files import read_document

_LOCATION_HELP = "a recordings directory, s3://bucket/prefix, or a DVD file (.dvd, .dvd.json)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``ls`` or ``show`` (one module serves both: the parser's name says which)."""
    parser.add_argument("location", metavar="LOCATION", help=_LOCATION_HELP)
    if parser.prog.endswith(" show"):
        parser.add_argument(
            "recording_id", metavar="ID", nargs="?", help="the recording to print (not needed for a DVD file)"
        )
        parser.add_argument("--max-body", type=int, default=200, help="characters of each body shown")
        return
    parser.add_argument(
        "--category",
        action="append",
        help="list the recordings of this category (repeatable); without it, list the categories",
    )
    parser.add_argument("--since", metavar="DATE", help="only recordings made on or after DATE (ISO, UTC)")
    parser.add_argument("--until", metavar="DATE", help="only recordings made before DATE (ISO, UTC)")
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="metadata filter (repeatable); VALUE is read as JSON when it parses (42, true, [1, 2]),"
        " else as text (globs allowed)",
    )
    parser.add_argument("--limit", type=int, help="at most N recordings per category")
    parser.add_argument("--long", "-l", action="store_true", help="also print each recording's metadata")


def _fail(command: str, message: str) -> int:
    print(f"playback-dvd {command}: {message}", file=sys.stderr)
    return 2


def _parse_date(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"{option} {text!r}: use an ISO date, e.g. 2026-11-23 or 2026-11-23T10:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _parse_where(items: list[str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for item in items:
        key, equals, text = item.partition("=")
        if not equals or not key:
            raise ConfigurationError(f"--where {item!r}: use KEY=VALUE")
        try:
            metadata[key] = json.loads(text)
        except ValueError:
            metadata[key] = text
    return metadata


def run(args: argparse.Namespace) -> int:
    """Run ``ls`` or ``show``; 0 on success, 2 on a bad location, option or id.

    Errors (a missing directory, S3 unreachable, a corrupt file) propagate to `playback_dvd.cli.main`,
    which says them in one line (with the traceback under ``--debug``).
    """
    command = args.command
    if os.path.isfile(args.location):
        return _dvd_file(args)
    cassette = open_cassette(args.location)
    try:
        if command == "show":
            if args.recording_id is None:
                return _fail(
                    command, f"which recording of {args.location}? give its ID (see playback-dvd ls)"
                )
            print(_describe(cassette.get_recording(args.recording_id), args.max_body))
            return 0
        return _list(cassette, args)
    finally:
        cassette.close()


def _dvd_file(args: argparse.Namespace) -> int:
    """``ls FILE``: one line per HTTP interaction; ``show FILE``: everything, as for a recording."""
    document = read_document(args.location)
    assert document is not None  # the caller saw the file
    if args.command == "show":
        print(_describe(document, args.max_body))
        return 0
    if not document.interactions:
        print(f"{args.location}: no HTTP interactions", file=sys.stderr)
    for number, interaction in enumerate(document.interactions, 1):
        print(_interaction_lines(number, interaction, 80)[0].strip() + _answer(interaction))
    return 0


def _answer(interaction: Interaction) -> str:
    if interaction.exception is not None:
        return f" -> raised {interaction.exception.type_name}"
    if interaction.response is not None:
        return f" -> {interaction.response.status_code}"
    return ""


def _list(cassette: Cassette, args: argparse.Namespace) -> int:
    start = _parse_date(args.since, "--since") if args.since else None
    end = _parse_date(args.until, "--until") if args.until else None
    metadata = _parse_where(args.where) or None
    known = _categories(cassette)
    if not args.category:
        return _list_categories(cassette, known, args, start, end, metadata)
    unknown = [c for c in dict.fromkeys(args.category) if known is not None and safe_category(c) not in known]
    if unknown:
        there = f"categories there: {', '.join(known)}" if known else "it has no recordings"
        raise ConfigurationError(f"no category {', '.join(unknown)} in {args.location} ({there})")
    found = 0
    for category in dict.fromkeys(args.category):
        if not args.long:
            for recording_id in cassette.iter_recording_ids(category, start, end, metadata, args.limit):
                print(recording_id)
                found += 1
            continue
        for recording_id, recorded in _with_metadata(cassette, category, start, end, metadata, args.limit):
            print(f"{recording_id}  {json.dumps(_plain(recorded), sort_keys=True, ensure_ascii=False)}")
            found += 1
    if not found:
        print(f"playback-dvd ls: no recordings of {', '.join(args.category)} match", file=sys.stderr)
    return 0


def _categories(cassette: Cassette) -> list[str] | None:
    """The cassette's categories, or None when the backend cannot list them."""
    listing = getattr(cassette, "iter_categories", None)
    return None if listing is None else list(listing())


def _list_categories(
    cassette: Cassette,
    known: list[str] | None,
    args: argparse.Namespace,
    start: datetime | None,
    end: datetime | None,
    metadata: Mapping[str, Any] | None,
) -> int:
    """``Checkout  3 recordings  (shop:Checkout.run 2, shop:Checkout.refund 1)`` per category; with
    ``-l``, each category's recordings and their metadata under it."""
    if known is None:
        raise ConfigurationError(f"{args.location} cannot list its categories: give --category")
    shown = 0
    width = max((len(category) for category in known), default=0)
    for category in known:
        if args.long or hasattr(cassette, "iter_recordings_metadata"):
            found = list(_with_metadata(cassette, category, start, end, metadata, args.limit))
        else:  # S3: the operations would cost a GET per recording; the count costs a LIST per 1,000
            ids = cassette.iter_recording_ids(category, start, end, metadata, args.limit)
            found = [(recording_id, {}) for recording_id in ids]
        if not found:
            continue
        shown += 1
        operations: dict[str, int] = {}
        for _, recorded in found:
            name = recorded.get("operation")
            if isinstance(name, str):
                operations[name] = operations.get(name, 0) + 1
        listed = ", ".join(f"{name} {count}" for name, count in sorted(operations.items()))
        count = plural(len(found), "recording")
        print(f"{category:<{width}}  {count}" + (f"  ({listed})" if listed else ""))
        if args.long:
            for recording_id, recorded in found:
                print(f"  {recording_id}  {json.dumps(_plain(recorded), sort_keys=True, ensure_ascii=False)}")
    if not shown:
        print(f"playback-dvd ls: no recordings in {args.location}", file=sys.stderr)
    return 0


def _with_metadata(
    cassette: Cassette,
    category: str,
    start: datetime | None,
    end: datetime | None,
    metadata: Mapping[str, Any] | None,
    limit: int | None,
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(id, metadata)`` of a search: in the search itself where the cassette offers it (the metadata was
    read to filter anyway), else one `get_recording_metadata` per id."""
    search = getattr(cassette, "iter_recordings_metadata", None)
    if search is not None:
        return search(category, start, end, metadata, limit)  # type: ignore[no-any-return]
    ids = cassette.iter_recording_ids(category, start, end, metadata, limit)
    return ((recording_id, cassette.get_recording_metadata(recording_id)) for recording_id in ids)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _body(data: bytes, limit: int) -> str:
    if not data:
        return ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(data)} bytes, binary>"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def _interaction_lines(number: int, interaction: Interaction, limit: int) -> list[str]:
    request = interaction.request
    lines = [f"  [{number}] {request.method} {request.url}"]
    if request.body:
        lines.append(f"      request body: {_body(request.body, limit)}")
    if interaction.exception is not None:
        lines.append(f"      raised {interaction.exception.type_name}: {interaction.exception.message}")
    elif interaction.response is not None:
        response = interaction.response
        lines.append(f"      -> {response.status_code} {response.reason_phrase} ({len(response.body)} bytes)")
        encoding = {name.lower(): value for name, value in response.headers}.get("content-encoding")
        if encoding:
            lines.append(f"      body: <{encoding}-encoded>")
        elif response.body:
            lines.append(f"      body: {_body(response.body, limit)}")
    return lines


def _dump(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False)


def _describe(document: DVDDocument, max_body: int) -> str:
    """Everything in a recording or DVD: metadata, inputs, outputs, HTTP interactions."""
    out = [f"id: {document.id}", f"category: {document.category}", "metadata:"]
    out.extend(f"  {key}: {_dump(value)}" for key, value in sorted(document.metadata.items()))
    out.append(f"inputs ({len(document.inputs)}):")
    for key, record in document.inputs.items():
        if record.exception is not None:
            out.append(f"  {key} raised {record.exception.type_name}: {record.exception.message}")
        else:
            out.append(f"  {key} = {_dump(record.value)}")
    out.append(f"outputs ({len(document.outputs)}):")
    for output in document.outputs:
        out.append(f"  {output.key}({_dump(output.arguments)}) -> {_dump(output.result)}")
        if output.exception is not None:
            out.append(f"    raised {output.exception.type_name}: {output.exception.message}")
    out.append(f"HTTP interactions ({len(document.interactions)}):")
    for number, interaction in enumerate(document.interactions, 1):
        out.extend(_interaction_lines(number, interaction, max_body))
    return "\n".join(out)
