"""Record the seed files of the fuzzers (tests/formats/seeds/) against the local test server.

Real recordings, made by the code under test and by vcrpy itself: a ``use_dvd`` DVD in both formats, a
`Recorder` recording (``.dvd`` and its ``.meta.json``) with inputs, outputs and metadata, and a vcrpy
cassette in YAML and JSON. Run it again when a format changes: ``python fuzz/make_seeds.py``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import httpx
import vcr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import playback_dvd as pd  # noqa: E402  # after the path is set
from playback_dvd.formats._serialization import dumps_binary_v1, loads  # noqa: E402  # after the path is set
from tests._server import LocalServer  # noqa: E402  # after the path is set

SEEDS = ROOT / "tests" / "formats" / "seeds"


def _traffic(client: httpx.Client, server: LocalServer, *, binary: bool = True) -> None:
    client.get(f"{server.url}/items?id=1")
    client.post(f"{server.url}/echo", json={"name": "dvd"})
    client.get(f"{server.url}/cookies")
    if binary:  # vcrpy's JSON serializer refuses binary bodies
        client.get(f"{server.url}/gzip")
        client.get(f"{server.url}/binary")


class Shop:
    """A small operation with an input, an output and an HTTP call, recorded by a `Recorder`."""

    def __init__(self, recorder: pd.Recorder, server: LocalServer) -> None:
        self.server = server

        @recorder.intercept_input("shop.load")
        def load(order_id: int) -> dict[str, object]:
            return {"order_id": order_id, "items": [1, 2.5, "three", None, True], "raw": b"\x00\xff"}

        @recorder.intercept_output("shop.save")
        def save(invoice: dict[str, object]) -> None:
            """Not executed on replay."""

        @recorder.operation(metadata_extractor=lambda order_id: {"order_id": order_id, "tags": ["a", "b"]})
        def run(order_id: int) -> dict[str, object]:
            order = load(order_id)
            with httpx.Client() as client:
                client.get(f"{server.url}/items?id={order_id}")
            save({"total": 3.5, "order": order["order_id"]})
            return {"ok": True}

        self.run = run


def main() -> None:
    """Write the seeds, replacing the old ones."""
    server = LocalServer().start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch)
            for name in ("use_dvd.dvd", "use_dvd.dvd.json"):
                with pd.use_dvd(work / name, record_mode="all"), httpx.Client() as client:
                    _traffic(client, server)
                shutil.copy(work / name, SEEDS / name)
            for suffix in ("yaml", "json"):
                path = work / f"vcrpy.{suffix}"
                serializer = "yaml" if suffix == "yaml" else "json"
                with vcr.use_cassette(str(path), serializer=serializer) as cassette, httpx.Client() as client:
                    cassette.get_metadata("seed", 42)
                    _traffic(client, server, binary=suffix == "yaml")
                shutil.copy(path, SEEDS / f"vcrpy.{suffix}")
            recorder = pd.Recorder(pd.LocalCassette(work / "recordings"))
            Shop(recorder, server).run(7)
            for found in (work / "recordings").rglob("*"):
                if found.name.endswith(".dvd"):
                    shutil.copy(found, SEEDS / "recording.dvd")
                elif found.name.endswith(".meta.json"):
                    shutil.copy(found, SEEDS / "recording.meta.json")
    finally:
        server.stop()
    # The writer makes schema 2 files; schema 1 files still load, so they are seeds too.
    for name in ("use_dvd", "recording"):
        document = loads((SEEDS / f"{name}.dvd").read_bytes(), name)
        (SEEDS / f"{name}.v1.dvd").write_bytes(dumps_binary_v1(document))
    for seed in sorted(SEEDS.iterdir()):
        print(f"{seed.name}: {seed.stat().st_size} bytes")


if __name__ == "__main__":
    main()
