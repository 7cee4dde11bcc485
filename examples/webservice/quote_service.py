"""A small web service whose endpoint is a recorded operation: it reads a database and calls an upstream API.

Run it with uvicorn (``uvicorn --app-dir examples/webservice quote_service:app``). Configuration comes from
the environment: ``QUOTE_UPSTREAM`` (the price API), ``QUOTE_DATABASE`` (a sqlite file with ``customers``
and ``audit`` tables) and ``QUOTE_RECORDINGS`` (the directory of the `LocalCassette`).
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from playback_dvd import LocalCassette, Recorder

UPSTREAM = os.environ.get("QUOTE_UPSTREAM", "http://127.0.0.1:8001")
DATABASE = os.environ.get("QUOTE_DATABASE", "quotes.sqlite")
GOLD_DISCOUNT = 0.10

recorder = Recorder(LocalCassette(os.environ.get("QUOTE_RECORDINGS", "recordings")), code_version="v1")


class QuoteService:
    """Prices a basket for a customer: customer from the database, prices from upstream, audit row written."""

    @recorder.intercept_input("db.load_customer")
    def load_customer(self, customer_id: int) -> dict[str, Any]:
        with sqlite3.connect(DATABASE) as db:
            row = db.execute("select name, tier from customers where id = ?", (customer_id,)).fetchone()
        if row is None:
            raise LookupError(f"no customer {customer_id}")
        return {"name": row[0], "tier": row[1]}

    @recorder.intercept_output("db.write_audit")
    def write_audit(self, customer_id: int, total: float) -> None:
        with sqlite3.connect(DATABASE) as db:
            db.execute("insert into audit (customer_id, total) values (?, ?)", (customer_id, total))

    @recorder.operation(
        metadata_extractor=lambda self, customer_id, skus: {"customer_id": customer_id, "skus": skus}
    )
    async def quote(self, customer_id: int, skus: list[str]) -> dict[str, Any]:
        customer = self.load_customer(customer_id)
        async with httpx.AsyncClient(base_url=UPSTREAM) as client:
            prices = [(await client.get(f"/prices/{sku}")).json()["price"] for sku in skus]
        discount = GOLD_DISCOUNT if customer["tier"] == "gold" else 0.0
        total = round(sum(prices) * (1 - discount), 2)
        self.write_audit(customer_id, total)
        return {"customer": customer["name"], "items": len(skus), "total": total}


service = QuoteService()


async def quote_endpoint(request: Request) -> JSONResponse:
    skus = [sku for sku in request.query_params.get("skus", "").split(",") if sku]
    try:
        result = await service.quote(int(request.path_params["customer_id"]), skus)
    except LookupError as error:
        return JSONResponse({"error": str(error)}, status_code=404)
    return JSONResponse(result)


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/quote/{customer_id:int}", quote_endpoint), Route("/health", health)])
