"""A recorded operation whose output holds a timestamp and a uuid: noise on every run.

``ORDER_MODE`` (read at call time) stands for a code change: ``same``, or ``total`` (the total changes).
Module-level, so the command line and Dask workers import its player. A recording names the client library
it was made with (``client`` in its metadata, httpx or httpx2), and its replay uses that library again.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from types import ModuleType
from typing import Any

import httpx

from playback_dvd import DVD, MemoryCassette, Recorder

from .._clients import client_module

recorder = Recorder(MemoryCassette())


class Orders:
    def __init__(self, client: ModuleType = httpx) -> None:
        self.client = client

    @recorder.operation(
        metadata_extractor=lambda self, base_url, item_id: {
            "url": base_url,
            "item": item_id,
            "client": self.client.__name__,
        }
    )
    def place(self, base_url: str, item_id: str) -> dict[str, Any]:
        item = self.client.get(f"{base_url}/items", params={"id": item_id}).json()
        total = len(item["id"]) * 10 + (1 if os.environ.get("ORDER_MODE") == "total" else 0)
        order = {
            "order_id": str(uuid.uuid4()),
            "placed_at": datetime.now(timezone.utc).isoformat(),
            "lines": [{"item": item["id"], "line_id": uuid.uuid4().hex}],
            "total": total,
        }
        self.store(order)
        return order

    @recorder.intercept_output("orders.store")
    def store(self, order: dict[str, Any]) -> None:
        pass


def replay_order(dvd: DVD) -> dict[str, Any]:
    """The playback function."""
    return Orders(client_module(dvd.metadata["client"])).place(dvd.metadata["url"], dvd.metadata["item"])


def replay_order_or_die(dvd: DVD) -> dict[str, Any]:
    """The playback function, except that the order of item ``bb`` kills the process replaying it (as a
    crash in an extension would): a worker lost mid-run."""
    if dvd.metadata["item"] == "bb":
        os._exit(3)
    return replay_order(dvd)


def record_orders(
    cassette: Any,
    base_url: str,
    items: tuple[str, ...] = ("a", "bb", "ccc"),
    clients: Sequence[ModuleType] = (httpx,),
) -> list[str]:
    """Record one order per item into *cassette*, through each of *clients* in turn; returns the ids."""
    previous, recorder.cassette = recorder.cassette, cassette
    try:
        for item, client in zip(items, itertools.cycle(clients)):
            Orders(client).place(base_url, item)
        recorder.flush()
    finally:
        recorder.cassette = previous
    ids = list(cassette.iter_recording_ids("Orders"))
    assert len(ids) == len(items)
    return ids
