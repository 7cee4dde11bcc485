"""A small recorded service for the end-to-end comparison tests; also the player module the CLI imports.

``PRICING_MODE`` (read at call time) changes its behaviour the way a code change would: ``same``,
``double`` (prices change), ``double_bb`` (only item bb's price changes), ``raise`` (the operation fails),
``extra_call`` (a new HTTP request), ``other_customer`` (asks for an input the recording lacks), ``slow``
(item bb's replay hangs). A recording names the client library it was made with (``client`` in its
metadata, httpx or httpx2), and its replay uses that library again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from playback_dvd import DVD, LocalCassette, MemoryCassette, Recorder

from .._clients import client_module

recorder = Recorder(MemoryCassette())


def _metadata(self: Pricing, item_id: str) -> dict[str, str]:
    return {"item_id": item_id, "base_url": self.base_url, "client": self.client.__name__}


class Pricing:
    def __init__(self, base_url: str, client: ModuleType = httpx) -> None:
        self.base_url = base_url
        self.client = client

    @recorder.operation(metadata_extractor=_metadata)
    def quote(self, item_id: str) -> dict[str, Any]:
        mode = os.environ.get("PRICING_MODE", "same")
        customer = self.load_customer("someone else" if mode == "other_customer" else item_id)
        with self.client.Client() as client:
            item = client.get(f"{self.base_url}/items", params={"id": item_id}).json()
            if mode == "extra_call":
                client.get(f"{self.base_url}/items", params={"id": "extra"})
        if mode == "raise":
            raise RuntimeError("pricing broke")
        if mode == "slow" and item_id == "bb":
            time.sleep(30)
        doubled = mode == "double" or (mode == "double_bb" and item_id == "bb")
        price = len(item["id"]) * 10 * (2 if doubled else 1)
        self.publish({"item": item["id"], "price": price, "customer": customer})
        return {"price": price, "note": "<script>alert(1)</script>"}

    @recorder.operation(metadata_extractor=_metadata)
    def refund(self, item_id: str) -> dict[str, Any]:
        """Another operation of the same class: its recordings share the category ``Pricing``."""
        return {"refunded": item_id}

    @recorder.intercept_input("pricing.load_customer")
    def load_customer(self, item_id: str) -> dict[str, str]:
        return {"name": f"customer-{item_id}"}

    @recorder.intercept_output("pricing.publish")
    def publish(self, quote: dict[str, Any]) -> None:
        pass


def replay_quote(dvd: DVD) -> dict[str, Any]:
    """The playback function: the operation again, from the recording's metadata."""
    return Pricing(dvd.metadata["base_url"], client_module(dvd.metadata["client"])).quote(
        dvd.metadata["item_id"]
    )


class AsyncPricing:
    """Pricing.quote as an ``async def`` operation (an async web service's handler)."""

    def __init__(self, client: ModuleType = httpx) -> None:
        self.client = client

    @recorder.operation(
        metadata_extractor=lambda self, base_url, item_id: {
            "item_id": item_id,
            "url": base_url,
            "client": self.client.__name__,
        }
    )
    async def quote(self, base_url: str, item_id: str) -> dict[str, Any]:
        async with self.client.AsyncClient() as client:
            item = (await client.get(f"{base_url}/items", params={"id": item_id})).json()
        if os.environ.get("PRICING_MODE") == "slow" and item_id == "bb":
            await asyncio.sleep(30)
        price = len(item["id"]) * 10 * (2 if os.environ.get("PRICING_MODE") == "double" else 1)
        return {"price": price}


async def replay_aquote(dvd: DVD) -> dict[str, Any]:
    """The async playback function: the Equalizer's players run it with ``recorder.aplay``."""
    client = client_module(dvd.metadata["client"])
    return await AsyncPricing(client).quote(dvd.metadata["url"], dvd.metadata["item_id"])


ITEMS = ("a", "bb", "ccc")


@contextlib.contextmanager
def recorder_into(directory: Path) -> Iterator[LocalCassette]:
    """Point the module's recorder at a LocalCassette in *directory* for the block (the service records)."""
    cassette = LocalCassette(directory)
    previous, recorder.cassette = recorder.cassette, cassette
    try:
        yield cassette
    finally:
        recorder.cassette = previous


def record_items(tmp_path, server, monkeypatch, *, refunds: int = 0, client: ModuleType = httpx):
    """Record one Pricing.quote per item (and *refunds* Pricing.refund) through *client* into a
    LocalCassette under *tmp_path* (the real server answers), then empty the server's hit log so a test can
    prove replays use no network. Returns (directory, ids).
    """
    monkeypatch.delenv("PRICING_MODE", raising=False)
    directory = tmp_path / "recordings"
    with recorder_into(directory):
        for item in ITEMS:
            Pricing(server.url, client).quote(item)
        for item in ITEMS[:refunds]:
            Pricing(server.url, client).refund(item)
    ids = list(LocalCassette(directory).iter_recording_ids("Pricing"))
    assert len(ids) == len(ITEMS) + refunds
    server.reset()
    return directory, ids
