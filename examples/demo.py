"""Demo: record real HTTP traffic into a DVD, stop the server, replay it with no network, show the DVD.

Run it with ``python3 tasks.py demo`` (or ``python examples/demo.py`` inside the project's venv).
"""

from __future__ import annotations

import json
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

import playback_dvd as pd


class PriceService(BaseHTTPRequestHandler):
    """A stand-in for a real upstream API: answers /price?sku=... with a JSON price."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # http.server's naming
        sku = self.path.rsplit("=", 1)[-1]
        body = json.dumps({"sku": sku, "price": 10 * len(sku)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the base class's name
        pass


def quote(client: httpx.Client, base_url: str, skus: list[str]) -> int:
    """The code under test: sums the prices of some SKUs fetched from the upstream API."""
    return sum(client.get(f"{base_url}/price", params={"sku": sku}).json()["price"] for sku in skus)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PriceService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    dvd_path = Path(tempfile.mkdtemp()) / "quote.dvd.json"
    skus = ["apple", "kiwi", "banana"]

    with pd.use_dvd(dvd_path) as dvd, httpx.Client() as client:
        total = quote(client, base_url, skus)
    print(f"1. recorded   total={total} from the live server; {len(dvd)} interactions saved to {dvd_path}")

    server.shutdown()
    server.server_close()
    print("2. the server is stopped: nothing answers on", base_url)

    with pd.use_dvd(dvd_path, record_mode="none") as dvd, httpx.Client() as client:
        replayed = quote(client, base_url, skus)
    print(
        f"3. replayed   total={replayed} with no network; played {dvd.play_count} of {len(dvd)} interactions"
    )

    try:
        with pd.use_dvd(dvd_path, record_mode="none"), httpx.Client() as client:
            quote(client, base_url, ["cherry"])
    except pd.UnmatchedRequestError as error:
        print(f"4. a request that was never recorded fails clearly (reason={error.reason!r}):")
        print("   " + str(error).replace("\n", "\n   "))

    first = json.loads(dvd_path.read_text())["interactions"][0]
    print(
        "5. the DVD is readable JSON; its first request is",
        first["request"]["method"],
        first["request"]["url"],
    )
    assert total == replayed


if __name__ == "__main__":
    main()
