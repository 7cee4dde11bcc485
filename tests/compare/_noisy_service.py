"""A recorded operation whose output holds a timestamp and a uuid: noise on every run.

``ORDER_MODE`` (read at call time) stands for a code change: ``same``, or ``total`` (the total changes).
Module-level, so the command line and Dask workers import its player.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from typing import Any

import httpx

from playback_dvd import DVD, MemoryCassette, Recorder

recorder = Recorder(MemoryCassette())


class Orders:
    @recorder.operation(metadata_extractor=lambda self, base_url, item_id: {"url": base_url, "item": item_id})
    def place(self, base_url: str, item_id: str) -> dict[str, Any]:
        item = httpx.get(f"{base_url}/items", params={"id": item_id}).json()
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
    return Orders().place(dvd.metadata["url"], dvd.metadata["item"])


def replay_order_or_die(dvd: DVD) -> dict[str, Any]:
    """The playback function, except that the order of item ``bb`` kills the process replaying it (as a
    crash in an extension would): a worker lost mid-run."""
    if dvd.metadata["item"] == "bb":
        os._exit(3)
    return replay_order(dvd)


def record_orders(cassette: Any, base_url: str, items: tuple[str, ...] = ("a", "bb", "ccc")) -> list[str]:
    """Record one order per item into *cassette*; returns the ids."""
    previous, recorder.cassette = recorder.cassette, cassette
    try:
        for item in items:
            Orders().place(base_url, item)
        recorder.flush()
    finally:
        recorder.cassette = previous
    ids = list(cassette.iter_recording_ids("Orders"))
    assert len(ids) == len(items)
    return ids
