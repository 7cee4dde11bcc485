"""A comparison run of many recordings, as a team sees one after a release candidate changed things.

Two operations (``Checkout.run`` and ``Refund.run``) are recorded N times with a `Recorder` (code version
``v41``), then replayed on "v42": a rounding change alters most checkout totals, gold customers get a new
field, a few orders now raise, refunds are unchanged. The HTML report of 1,000 recordings is what
docs/compare.md shows; regenerate its screenshot with::

    .venv/bin/python -m tests.compare._large_run docs/compare_report.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playback_dvd import DVD, MemoryCassette, Recorder
from playback_dvd.compare import ComparisonReport, Equalizer, write_report

CHROMIUM = "/usr/bin/chromium"
# Flags that let headless chromium run as root in a container and reach nothing beyond the machine.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

VERSION = {"code": "v41"}
recorder = Recorder(MemoryCassette(), code_version="v41")


def _code_version() -> str:
    return VERSION["code"]


class Checkout:
    @recorder.operation(metadata_extractor=lambda self, order_id, tier: {"order_id": order_id, "tier": tier})
    def run(self, order_id: int, tier: str) -> dict[str, Any]:
        order = self.load_order(order_id)
        new = _code_version() == "v42"
        if new and order_id % 199 == 0:
            raise RuntimeError(f"order {order_id}: no price for sku {order['sku']!r}")
        total = sum(order["prices"])
        total = round(total * 0.95, 1 if new else 2) if tier != "basic" else total
        result: dict[str, Any] = {"order_id": order_id, "total": total}
        if new and tier == "gold":
            result["loyalty_points"] = int(total)
        self.save_invoice(order_id, total)
        return result

    @recorder.intercept_input("db.load_order")
    def load_order(self, order_id: int) -> dict[str, Any]:
        return {"sku": f"sku-{order_id % 17}", "prices": [10.25, 3.15 * (order_id % 7)]}

    @recorder.intercept_output("db.save_invoice")
    def save_invoice(self, order_id: int, total: float) -> None:
        pass


class Refund:
    @recorder.operation(metadata_extractor=lambda self, order_id: {"order_id": order_id})
    def run(self, order_id: int) -> dict[str, Any]:
        return {"order_id": order_id, "refunded": True}


def replay(dvd: DVD) -> Any:
    """The playback function of both categories."""
    if dvd.category == "Refund":
        return Refund().run(dvd.metadata["order_id"])
    return Checkout().run(dvd.metadata["order_id"], dvd.metadata["tier"])


def large_report(recordings: int) -> ComparisonReport:
    """Record *recordings* operations (one in five a refund) on v41, replay them all on v42."""
    recorder.cassette = MemoryCassette()
    VERSION["code"], recorder.code_version = "v41", "v41"
    tiers = ("basic", "silver", "gold")
    for number in range(1, recordings + 1):
        if number % 5 == 0:
            Refund().run(number)
        else:
            Checkout().run(number, tiers[number % 3])
    VERSION["code"], recorder.code_version = "v42", "v42"
    ids = [
        *recorder.cassette.iter_recording_ids("Checkout"),
        *recorder.cassette.iter_recording_ids("Refund"),
    ]
    equalizer = Equalizer(ids, lambda recording_id: recorder.play(recording_id, replay))
    context = {"location": "s3://acme-recordings/checkout/prod", "player": "shop.replay:replay"}
    return ComparisonReport.collect(equalizer.run_comparison(), planned=len(ids), context=context)


def chromium(url: str, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Headless chromium on *url* with a fresh profile (``--dump-dom`` prints the page after its script)."""
    with tempfile.TemporaryDirectory(prefix="playback-dvd-chromium-") as profile:
        return subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )


def screenshot(page: Path, target: Path, width: int = 1280, height: int = 1100) -> None:
    """A PNG of *page* as a browser window of *width* x *height* shows it."""
    chromium(page.resolve().as_uri(), f"--screenshot={target.resolve()}", f"--window-size={width},{height}")


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/compare_report.png")
    report = large_report(1000)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        write_report(report, page, "html")
        screenshot(page, target)
    print(f"{report.summary()} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
