"""The upstream price API the quote service calls: a tiny Starlette app (run it with uvicorn)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

PRICES = {"apple": 1.25, "bread": 3.40, "cheese": 7.10, "dates": 5.00}


async def price(request: Request) -> JSONResponse:
    sku = request.path_params["sku"]
    if sku not in PRICES:
        return JSONResponse({"error": f"unknown sku {sku}"}, status_code=404)
    return JSONResponse({"sku": sku, "price": PRICES[sku]})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/prices/{sku}", price), Route("/health", health)])
