"""``playback-dvd ls LOCATION`` lists recordings; ``playback-dvd show LOCATION ID`` prints one."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from .._errors import ConfigurationError, PlaybackDVDError
from .._models import DVDDocument, Interaction
from ..cassettes import Cassette
from ..cassettes._open import open_cassette


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``ls`` or ``show`` (one module serves both: the parser's name says which)."""
    parser.add_argument("location", metavar="LOCATION", help="a recordings directory, or s3://bucket/prefix")
    if parser.prog.endswith(" show"):
        parser.add_argument("recording_id", metavar="ID", help="the recording to print")
        parser.add_argument("--max-body", type=int, default=200, help="characters of each body shown")
        return
    parser.add_argument("--category", action="append", required=True, help="list this category (repeatable)")
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
    """Run ``ls`` or ``show``; 0 on success, 2 on a bad location, option or id."""
    command = args.command
    try:
        cassette = open_cassette(args.location)
    except ConfigurationError as error:
        return _fail(command, str(error))
    try:
        if command == "show":
            return _show(cassette, args)
        return _list(cassette, args)
    except (ConfigurationError, PlaybackDVDError) as error:
        return _fail(command, str(error))
    finally:
        cassette.close()


def _list(cassette: Cassette, args: argparse.Namespace) -> int:
    start = _parse_date(args.since, "--since") if args.since else None
    end = _parse_date(args.until, "--until") if args.until else None
    metadata = _parse_where(args.where) or None
    for category in args.category:
        if not args.long:
            for recording_id in cassette.iter_recording_ids(category, start, end, metadata, args.limit):
                print(recording_id)
            continue
        for recording_id, found in _with_metadata(cassette, category, start, end, metadata, args.limit):
            print(f"{recording_id}  {json.dumps(_plain(found), sort_keys=True, ensure_ascii=False)}")
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


def _show(cassette: Cassette, args: argparse.Namespace) -> int:
    document: DVDDocument = cassette.get_recording(args.recording_id)
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
        out.extend(_interaction_lines(number, interaction, args.max_body))
    print("\n".join(out))
    return 0
