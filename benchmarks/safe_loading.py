"""What safe loading costs: the reproducers through every path, and honest files against the bare parse.

Run: ``.venv/bin/python benchmarks/safe_loading.py [--interactions 100000] [--repeat 5]``

1. Every file of ``tests/formats/hostile/`` through every reading path (``tests/formats/hostile_paths.py``,
   in a subprocess): the slowest path's time and the growth of the process's peak RSS.
2. Loading an honest ``.dvd`` of N interactions (distinct URLs, 100-byte random bodies) with `loads`,
   against the bare parse of the same bytes (one-shot zstd + msgpack) and against the loader before issue
   14 (the bare parse, then models built from the rows with no check): what the bounds and the field
   checks add. The same for ``.dvd.json`` (bare parse: ``json.loads``). Median of *repeat* runs, rotated,
   in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgpack
import zstandard

from playback_dvd._models import DVDDocument, Interaction, Request, Response
from playback_dvd.formats._serialization import dumps_binary, dumps_json, loads, paused_gc

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "formats" / "hostile"


def hostile_table() -> None:
    """Print the slowest path and the RSS growth of each reproducer."""
    files = sorted(str(path) for path in HOSTILE.iterdir() if path.suffix != ".md")
    output = subprocess.run(
        [sys.executable, "-m", "tests.formats.hostile_paths", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    results = [json.loads(line) for line in output.splitlines()]
    print("| file | paths | all refused | slowest path | peak RSS growth |")
    print("|---|---:|---|---:|---:|")
    for name in sorted({result["file"] for result in results}):
        mine = [result for result in results if result["file"] == name]
        slowest = max(mine, key=lambda result: result["seconds"])
        refused = all(result["outcome"] == "DVDFormatError" for result in mine)
        growth = max(result["rss_growth_mib"] for result in mine)
        print(
            f"| `{name}` | {len(mine)} | {'yes' if refused else 'NO'} | "
            f"{slowest['seconds'] * 1000:.1f} ms ({slowest['path']}) | {growth:.1f} MiB |"
        )


def _bare_binary(payload: bytes) -> object:
    with paused_gc():
        return msgpack.unpackb(zstandard.ZstdDecompressor().decompress(payload[10:]), raw=False)


def _pairs(flat: list[str]) -> tuple[tuple[str, str], ...]:
    iterator = iter(flat)
    return tuple(zip(iterator, iterator, strict=True))


def _unchecked_binary(payload: bytes) -> object:
    """The loader before issue 14: no bound, no check (kept here as the baseline only)."""
    with paused_gc():
        data = msgpack.unpackb(zstandard.ZstdDecompressor().decompress(payload[10:]), raw=False)
        return [
            Interaction(
                Request(method, url, _pairs(headers), body),
                None if response is None else Response(response[0], _pairs(response[1]), *response[2:]),
            )
            for method, url, headers, body, response, _ in data["interactions"]
        ]


def _bare_json(payload: bytes) -> object:
    with paused_gc():
        return json.loads(payload)


def load_table(interactions: int, repeat: int) -> None:
    """Print the median load time of each format against its bare parse."""
    document = DVDDocument(
        interactions=tuple(
            Interaction(
                Request("GET", f"https://api.example.com/items?id={n}", (("host", "api.example.com"),)),
                Response(200, (("content-type", "application/json"),), os.urandom(100), reason_phrase="OK"),
            )
            for n in range(interactions)
        ),
        metadata={"duration": 1.0},
    )
    print(f"\n| {interactions:,} interactions | size | bare parse | before issue 14 | `loads` | vs before |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, payload, bare, unchecked in (
        (".dvd", dumps_binary(document), _bare_binary, _unchecked_binary),
        (".dvd.json", dumps_json(document), _bare_json, None),
    ):
        variants: list[tuple[str, Callable[[bytes], object]]] = [("bare", bare), ("loads", loads)]
        if unchecked is not None:
            variants.append(("before", unchecked))
        times: dict[str, list[float]] = {label: [] for label, _ in variants}
        for round_number in range(repeat):
            shift = round_number % len(variants)
            for label, function in variants[shift:] + variants[:shift]:
                started = time.perf_counter()
                function(payload)
                times[label].append(time.perf_counter() - started)
        median = {label: statistics.median(values) for label, values in times.items()}
        before = f"{median['before']:.3f} s" if "before" in median else "-"
        ratio = f"{median['loads'] / median['before']:.2f}" if "before" in median else "-"
        print(
            f"| `{name}` | {len(payload) / 1e6:.1f} MB | {median['bare']:.3f} s | {before} | "
            f"{median['loads']:.3f} s | {ratio} |"
        )


def main() -> None:
    """Both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    hostile_table()
    load_table(args.interactions, args.repeat)


if __name__ == "__main__":
    main()
