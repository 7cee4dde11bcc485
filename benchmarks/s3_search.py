"""How much a metadata search costs on S3: S3Cassette's index listing against one GET per candidate.

Stores N small recordings (default 10,000, over 10 days) in a real S3 server on 127.0.0.1 (moto's server
mode, and SeaweedFS when its ``weed`` binary is installed), then finds 10 matches by metadata:

- ``S3Cassette.iter_recording_ids``: lists the index, whose key names carry the metadata;
- naive: lists per-recording metadata objects and GETs each one until 10 match (what playback did).

Two searches: a rare value (10 recordings in N: both scan everything) and a common one (10% match: both
stop early). Requests are counted with a botocore event hook (retries included); times are wall clock.

Run: ``.venv/bin/python benchmarks/s3_search.py [--recordings N] [--servers moto,seaweedfs]`` (about 3.5 min
with the defaults, mostly spent storing the recordings; both servers take about 10 min).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playback_dvd import S3Cassette  # noqa: E402
from playback_dvd._models import DVDDocument, Interaction, Request, Response  # noqa: E402
from playback_dvd.cassettes import new_recording_id, parse_recording_id  # noqa: E402
from playback_dvd.cassettes._search import metadata_matches  # noqa: E402
from tests._s3_servers import (  # noqa: E402
    S3Server,
    ServerUnavailable,
    isolated_aws_environment,
    moto_server,
    seaweedfs_server,
    weed_binary,
)

CATEGORY = "Checkout"
START = datetime(2026, 3, 1, tzinfo=timezone.utc)
DAYS = 10
WANTED = 10


def _document(index: int, total: int) -> DVDDocument:
    recorded_at = START + timedelta(seconds=index * DAYS * 86400 // total)
    rare = "vip" if index % (total // WANTED) == total // (2 * WANTED) else "regular"
    metadata = {
        "recorded_at": recorded_at.isoformat(),
        "duration": 0.0123,
        "order_id": index,
        "customer": f"customer-{index % 997}",
        "tier": rare,
        "channel": "web" if index % 10 == 3 else "app",
    }
    request = Request("GET", f"https://api.example.com/orders/{index}")
    response = Response(200, (("content-type", "application/json"),), b'{"ok": true}')
    return DVDDocument(
        interactions=(Interaction(request, response),),
        id=new_recording_id(CATEGORY, recorded_at),
        category=CATEGORY,
        metadata=metadata,
    )


class Requests:
    """Counts the HTTP requests a boto3 client sends, by operation."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-send.s3", self._count)

    def _count(self, event_name: str, **_: Any) -> None:
        self.calls[event_name.rsplit(".", 1)[-1]] += 1


def _naive_key(recording_id: str) -> str:
    parts = parse_recording_id(recording_id)
    assert parts is not None
    return f"naive-metadata/{parts.category}/{parts.day:%Y/%m/%d}/{parts.unique}"


def _store(server: S3Server, total: int) -> tuple[Any, str, str]:
    """Save the recordings with S3Cassette, and their metadata objects (naive layout) in another bucket."""
    client = server.client()
    bucket, naive_bucket = server.new_bucket(client), server.new_bucket(client)
    cassette = S3Cassette(bucket, "bench", client=client)

    def save(index: int) -> None:
        document = _document(index, total)
        cassette.save_recording(document)
        body = json.dumps(dict(document.metadata)).encode()
        client.put_object(Bucket=naive_bucket, Key=_naive_key(document.id or ""), Body=body)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(save, range(total)))
    return client, bucket, naive_bucket


def _naive_search(client: Any, bucket: str, wanted: Mapping[str, Any], limit: int) -> Iterator[str]:
    """playback's way: list the metadata objects of the category, GET each, match it in Python."""
    found = 0
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=f"naive-metadata/{CATEGORY}/"
    )
    for page in pages:
        for item in page.get("Contents", ()):
            metadata = json.loads(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
            if metadata_matches(metadata, wanted):
                yield item["Key"]
                found += 1
                if found >= limit:
                    return


def _measure(client: Any, search: Callable[[], list[str]]) -> tuple[int, Counter[str], float]:
    requests = Requests(client)
    started = time.perf_counter()
    found = search()
    elapsed = time.perf_counter() - started
    client.meta.events.unregister("before-send.s3", requests._count)
    return len(found), requests.calls, elapsed


def run_server(name: str, server: S3Server, total: int) -> list[str]:
    started = time.perf_counter()
    client, bucket, naive_bucket = _store(server, total)
    print(f"{name}: stored {total} recordings in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    cassette = S3Cassette(bucket, "bench", client=client, read_only=True)
    rows = []
    for label, wanted in (("rare (10 in N)", {"tier": "vip"}), ("common (10%)", {"channel": "web"})):
        for approach, search in (
            (
                "S3Cassette index",
                lambda w=wanted: list(cassette.iter_recording_ids(CATEGORY, metadata=w, limit=WANTED)),
            ),
            (
                "naive GET per candidate",
                lambda w=wanted: list(_naive_search(client, naive_bucket, w, WANTED)),
            ),
        ):
            found, calls, elapsed = _measure(client, search)
            detail = ", ".join(f"{count} {operation}" for operation, count in sorted(calls.items()))
            cost = f"{sum(calls.values())} ({detail})"
            rows.append(f"| {name} | {label} | {approach} | {found} | {cost} | {elapsed:.2f} s |")
            print(rows[-1], file=sys.stderr)
    return rows


@contextlib.contextmanager
def _server(name: str) -> Iterator[S3Server]:
    with moto_server() if name == "moto" else seaweedfs_server() as server:
        yield server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=10_000)
    # SeaweedFS by default when it runs here: storing 10,000 recordings takes it ~2.5 min, moto ~4.5 min.
    default = "seaweedfs" if weed_binary() else "moto"
    parser.add_argument(
        "--servers", default=default, help=f"comma-separated: moto,seaweedfs (default {default})"
    )
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    rows = []
    with isolated_aws_environment():
        for name in args.servers.split(","):
            try:
                with _server(name) as server:
                    rows += run_server(name, server, args.recordings)
            except ServerUnavailable as reason:
                print(f"{name}: skipped: {reason}", file=sys.stderr)
    print(
        f"Find {WANTED} matches by metadata among {args.recordings} recordings ({DAYS} days, one category):\n"
    )
    print("| server | search | approach | found | S3 requests | time |")
    print("|---|---|---|---:|---|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
