"""The service of docs/compare.md's quick start: one recorded operation, an intercepted input and output."""

from __future__ import annotations

from typing import Any

from playback_dvd import DVD, LocalCassette, Recorder

recorder = Recorder(LocalCassette("recordings"))
DISCOUNT = 0.10


class Checkout:
    @recorder.operation(metadata_extractor=lambda self, order_id: {"order_id": order_id})
    def run(self, order_id: int) -> dict[str, Any]:
        order = self.load_order(order_id)
        total = round(sum(order["prices"]) * (1 - DISCOUNT), 2)
        self.save_invoice(order_id, total)
        return {"order_id": order_id, "total": total}

    @recorder.intercept_input("db.load_order")
    def load_order(self, order_id: int) -> dict[str, Any]:
        return {"prices": [10.0, 5.5 * order_id]}  # a database read in real life

    @recorder.intercept_output("db.save_invoice")
    def save_invoice(self, order_id: int, total: float) -> None:
        pass  # a database write in real life


def replay_checkout(dvd: DVD) -> dict[str, Any]:
    """The playback function: run the operation again from the recording's metadata."""
    return Checkout().run(dvd.metadata["order_id"])
