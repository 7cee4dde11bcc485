"""Load a 10,000-interaction vcrpy YAML cassette with vcrpy, against the converted ``.dvd`` with playback_dvd.

Run: ``.venv/bin/python benchmarks/vcrpy_load.py [--interactions 10000] [--repeat 3]``

The cassette is written by vcrpy's own serializer (1 KB JSON bodies of random hex, distinct URLs).
vcrpy's figure is ``use_cassette(...).__enter__()`` in record mode ``none`` (parse + its load-time
filters); ours is ``read_document`` + ``DVD.from_document`` + the first lookup. Prints the best of
*repeat* runs and the ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import vcr
from vcr.request import Request as VcrRequest
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from playback_dvd.dvd._dvd import DVD
from playback_dvd.formats._files import read_document, write_document


def build_cassette(path: Path, count: int) -> None:
    """Write a vcrpy version-1 YAML cassette of *count* GET interactions with 1 KB JSON bodies."""
    requests, responses = [], []
    for index in range(count):
        requests.append(
            VcrRequest(
                "GET",
                f"https://api.example.test/v1/items/{index}?page={index % 7}",
                None,
                {"accept": "application/json", "user-agent": "python-httpx/0.28.1"},
            )
        )
        # Random hex (seeded: the same file every run) so compression cannot flatter the .dvd size.
        body = json.dumps(
            {"id": index, "name": f"item-{index}", "blob": random.Random(index).randbytes(480).hex()}
        )
        responses.append(
            {
                "status": {"code": 200, "message": "OK"},
                "headers": {"content-type": ["application/json"], "content-length": [str(len(body))]},
                "body": {"string": body},
            }
        )
    path.write_text(serialize({"requests": requests, "responses": responses}, yamlserializer))


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def load_with_vcrpy(path: Path) -> None:
    context = vcr.VCR().use_cassette(str(path), record_mode="none")
    cassette = context.__enter__()
    try:
        assert len(cassette) > 0
    finally:
        context.__exit__(None, None, None)


def load_with_playback_dvd(path: Path) -> None:
    document = read_document(path)
    assert document is not None
    dvd = DVD.from_document(document, record_mode="none")
    assert dvd.play(document.interactions[0].request) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        yaml_path, dvd_path = Path(directory) / "cassette.yaml", Path(directory) / "cassette.dvd"
        build_cassette(yaml_path, args.interactions)
        imported = best_of(1, lambda: write_document(dvd_path, read_document(yaml_path)))  # type: ignore[arg-type]
        vcrpy_seconds = best_of(args.repeat, lambda: load_with_vcrpy(yaml_path))
        ours_seconds = best_of(args.repeat, lambda: load_with_playback_dvd(dvd_path))
        print(
            f"interactions: {args.interactions}  yaml: {yaml_path.stat().st_size / 1e6:.1f} MB  "
            f"dvd: {dvd_path.stat().st_size / 1e6:.2f} MB"
        )
        print(f"one-time conversion (playback-dvd convert): {imported:.2f} s")
        print(f"vcrpy use_cassette load (YAML):             {vcrpy_seconds:.3f} s")
        print(f"playback_dvd load + first lookup (.dvd):    {ours_seconds:.3f} s")
        print(f"ratio: playback_dvd is {vcrpy_seconds / ours_seconds:.0f}x faster")


if __name__ == "__main__":
    main()
