"""Demo: record checkouts, change the code, and let ``playback-dvd compare`` catch the regression.

1. A small price API runs on 127.0.0.1; five checkouts are recorded (their HTTP calls, an intercepted input
   and an intercepted output) into a LocalCassette directory.
2. The API is stopped. ``playback-dvd compare`` replays every recording on the same code: all Equal, exit 0.
3. The code changes (``CHECKOUT_VERSION=2``: a "simpler" rounding of member discounts), and the same command
   reports what changed, path by path, and exits 1.

Run it with ``.venv/bin/python examples/compare_demo.py``. The module is also the player the command imports
(``--player compare_demo:replay_checkout``), as your own service module would be.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx

from playback_dvd import DVD, LocalCassette, Recorder

HERE = Path(__file__).resolve().parent

# The module-level recorder a service would have. Its cassette is pointed at the demo's directory in main().
recorder = Recorder(LocalCassette(os.environ.get("COMPARE_DEMO_RECORDINGS", "compare-demo-recordings")))

# Stands in for a database: what load_order reads.
ORDERS: dict[int, dict[str, Any]] = {
    1: {"skus": ["apple", "pear"], "member": False},
    2: {"skus": ["apple", "melon", "fig"], "member": True},
    3: {"skus": ["kiwi"], "member": True},
    4: {"skus": ["pear", "pear", "fig"], "member": False},
    5: {"skus": ["melon", "grape"], "member": True},
}


class Checkout:
    """The operation under watch: prices come from an HTTP API, the order from a database."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    @recorder.operation(metadata_extractor=lambda self, order_id: {"order_id": order_id, "api": self.api_url})
    def run(self, order_id: int) -> dict[str, Any]:
        order = self.load_order(order_id)
        with httpx.Client(base_url=self.api_url) as client:
            prices = [client.get("/price", params={"sku": sku}).json()["price"] for sku in order["skus"]]
        subtotal = sum(prices)
        discounted = subtotal * 0.85 if order["member"] else subtotal
        if os.environ.get("CHECKOUT_VERSION", "1") == "2":
            total = float(math.floor(discounted))  # the "simplification" that changes totals
        else:
            total = round(discounted, 2)
        invoice = {
            "order_id": order_id,
            "lines": dict(zip(order["skus"], prices, strict=True)),
            "total": total,
        }
        self.save_invoice(invoice)
        return {"order_id": order_id, "total": total}

    @recorder.intercept_input("checkout.load_order")
    def load_order(self, order_id: int) -> dict[str, Any]:
        return ORDERS[order_id]

    @recorder.intercept_output("checkout.save_invoice")
    def save_invoice(self, invoice: dict[str, Any]) -> None:
        pass  # would write to the database; on replay it is captured, not run


def replay_checkout(dvd: DVD) -> dict[str, Any]:
    """The playback function: run the operation again with what the recording's metadata holds."""
    return Checkout(dvd.metadata["api"]).run(dvd.metadata["order_id"])


class PriceAPI(BaseHTTPRequestHandler):
    """The upstream price service, only alive while recording."""

    protocol_version = "HTTP/1.1"
    PRICES: ClassVar[dict[str, float]] = {
        "apple": 1.25,
        "pear": 2.1,
        "melon": 4.35,
        "fig": 0.85,
        "kiwi": 3.3,
        "grape": 5.15,
    }

    def do_GET(self) -> None:  # http.server's naming
        sku = self.path.rsplit("=", 1)[-1]
        body = json.dumps({"sku": sku, "price": self.PRICES[sku]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
        pass


def compare(directory: str, version: str) -> int:
    """Run ``playback-dvd compare`` as a user would, with the code at *version*; returns its exit code."""
    environment = {**os.environ, "CHECKOUT_VERSION": version, "PYTHONPATH": str(HERE)}
    command = [sys.executable, "-m", "playback_dvd.cli", "compare", directory, "--category", "Checkout"]
    command += ["--player", "compare_demo:replay_checkout"]
    print(f"\n$ CHECKOUT_VERSION={version} playback-dvd compare {directory} --category Checkout --player ...")
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    print(result.stdout, end="")
    print(f"(exit code {result.returncode})")
    return result.returncode


def main() -> int:
    directory = tempfile.mkdtemp(prefix="compare-demo-")
    recorder.cassette = LocalCassette(directory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), PriceAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_url = f"http://127.0.0.1:{server.server_address[1]}"
    for order_id in ORDERS:
        Checkout(api_url).run(order_id)
    server.shutdown()
    server.server_close()
    print(f"recorded {len(ORDERS)} checkouts into {directory}; the price API is now stopped")
    unchanged, changed = compare(directory, "1"), compare(directory, "2")
    caught = unchanged == 0 and changed == 1
    print("\nregression caught" if caught else "\nunexpected exit codes")
    return 0 if caught else 1


if __name__ == "__main__":
    sys.exit(main())
