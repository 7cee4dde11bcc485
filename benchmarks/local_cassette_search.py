"""What a `LocalCassette` search costs, with its metadata files, against loading every DVD (playback's way).

Run: ``.venv/bin/python benchmarks/local_cassette_search.py [--recordings 10000] [--days 10]``

Saves *recordings* recordings (20 interactions of 1 KB bodies each) of one category spread over *days*
days, then times: a save; a search with no filter (names only); a search by metadata over every day; the
same restricted to one day; and, for scale, finding the same recordings by decoding every DVD (what
playback's file cassette did). It also times reading one per-day index file holding the same metadata as
JSON lines, the alternative layout weighed against one metadata file per recording.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from playback_dvd._models import DVDDocument, Interaction, Request, Response
from playback_dvd.cassettes import LocalCassette, new_recording_id
from playback_dvd.cassettes._search import metadata_matches

START = datetime(2026, 3, 1, tzinfo=timezone.utc)


def document(index: int, days: int) -> DVDDocument:
    recorded_at = START + timedelta(days=index % days, seconds=index)
    body = (f"{index:08x}" * 128).encode()
    return DVDDocument(
        id=new_recording_id("Checkout", recorded_at),
        category="Checkout",
        metadata={
            "recorded_at": recorded_at.isoformat(),
            "order_id": index,
            "country": ["CH", "DE"][index % 2],
        },
        interactions=tuple(
            Interaction(Request("GET", f"https://api.example.test/items/{n}"), Response(200, (), body))
            for n in range(20)
        ),
    )


def timed(label: str, action: Callable[[], Any]) -> Any:
    began = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - began
    print(f"{label:<62} {elapsed * 1000:10.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recordings", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        cassette = LocalCassette(directory)
        documents = [document(index, options.days) for index in range(options.recordings)]
        began = time.perf_counter()
        for item in documents:
            cassette.save_recording(item)
        per_save = (time.perf_counter() - began) / options.recordings
        print(f"{'save (DVD + metadata file, 2 fsyncs)':<62} {per_save * 1e6:10.0f} us each")
        wanted = {"order_id": {"operator": "<", "value": 100}, "country": "C?"}
        ids = timed(
            "search, no filter (lists names only)", lambda: list(cassette.iter_recording_ids("Checkout"))
        )
        found = timed(
            f"search by metadata, all {options.days} days (reads {len(ids)} metadata files)",
            lambda: list(cassette.iter_recording_ids("Checkout", metadata=wanted)),
        )
        timed(
            "search by metadata, one day (folder skipping)",
            lambda: list(
                cassette.iter_recording_ids(
                    "Checkout", start_date=START, end_date=START + timedelta(days=1), metadata=wanted
                )
            ),
        )
        timed(
            "search by metadata, limit=10",
            lambda: list(cassette.iter_recording_ids("Checkout", metadata={"country": "DE"}, limit=10)),
        )
        decoded = timed(
            "same search by decoding every DVD (playback's file cassette)",
            lambda: [i for i in ids if metadata_matches(cassette.get_recording(i).metadata, wanted)],
        )
        assert decoded == found, "both searches must agree"
        day_folder = next(Path(directory).glob("Checkout/*/*/*"))
        index_path = Path(directory) / "index.jsonl"
        lines = [(path.read_text() + "\n") for path in sorted(day_folder.glob("*.meta.json"))]
        index_path.write_text("".join(lines))
        timed(
            f"one day: {len(lines)} metadata files",
            lambda: [json.loads(path.read_bytes()) for path in sorted(day_folder.glob("*.meta.json"))],
        )
        timed(
            f"one day: one index file of {len(lines)} JSON lines (alternative)",
            lambda: [json.loads(line) for line in index_path.read_bytes().splitlines()],
        )
        size = sum(
            entry.stat().st_size for entry in os.scandir(day_folder) if entry.name.endswith(".meta.json")
        )
        print(f"metadata file size: {size / len(lines):.0f} bytes each; {len(found)} matches")


if __name__ == "__main__":
    main()
