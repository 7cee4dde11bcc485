"""Recordings to store in the contract tests: a full document, and small ones made on a given day."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from typing import Any

from playback_dvd import DVDDocument, ExceptionInfo, InputRecord, Interaction, OutputRecord, Request, Response
from playback_dvd.cassettes import Cassette, new_recording_id

CATEGORY = "Checkout"


def full_document(recording_id: str, category: str = CATEGORY) -> DVDDocument:
    """A document using every part of the model: binary bodies, exceptions, inputs, outputs, nested data."""
    return DVDDocument(
        id=recording_id,
        category=category,
        metadata={
            "order_id": 42,
            "customer": {"name": "Ada", "tags": ["vip", "beta"], "address": {"city": "Zürich"}},
            "amount": 12.5,
            "raised": False,
            "note": None,
            "recorded_at": "2026-03-04T05:06:07.123456+00:00",
        },
        interactions=(
            Interaction(
                request=Request(
                    "POST",
                    "https://api.example.com/orders?id=42",
                    (("content-type", "application/json"), ("x-trace", "a"), ("x-trace", "b")),
                    b'{"id": 42}',
                ),
                response=Response(
                    201,
                    (("content-encoding", "gzip"), ("set-cookie", "a=1"), ("set-cookie", "b=2")),
                    gzip.compress(b'{"ok": true}', mtime=0),
                    "HTTP/1.1",
                    "Created",
                ),
            ),
            Interaction(
                request=Request("GET", "https://cdn.example.com/logo.png"),
                response=Response(200, (("content-type", "image/png"),), bytes(range(256)) * 4),
            ),
            Interaction(
                request=Request("GET", "https://slow.example.com/"),
                exception=ExceptionInfo("ReadTimeout", "timed out after 5 s"),
            ),
            Interaction(
                request=Request("GET", "https://api.example.com/stream"),
                response=Response(200, (), b"partial", body_complete=False),
            ),
        ),
        inputs={
            'checkout.load_order({"order_id": 42})': InputRecord(value={"id": 42, "lines": [1, 2, 3]}),
            'checkout.load_stock({"sku": "x"})': InputRecord(exception=ExceptionInfo("KeyError", "'x'")),
        },
        outputs=(
            OutputRecord(key="checkout.save_invoice#1", arguments={"invoice": {"total": 12.5}}, result=True),
            OutputRecord(
                key="checkout.notify#1",
                arguments={"to": "ada@example.com"},
                exception=ExceptionInfo("ConnectionError", "refused"),
            ),
            OutputRecord(key="Checkout.run#result", result={"status": "done"}),
        ),
    )


def save_small(
    cassette: Cassette,
    recorded_at: datetime,
    category: str = CATEGORY,
    *,
    with_recorded_at: bool = True,
    **metadata: Any,
) -> str:
    """Save a small recording of *category* made at *recorded_at* (naive = UTC); return its id."""
    when = recorded_at if recorded_at.tzinfo else recorded_at.replace(tzinfo=timezone.utc)
    recording_id = new_recording_id(category, when)
    if with_recorded_at:
        metadata = {"recorded_at": when.isoformat(), **metadata}
    cassette.save_recording(
        DVDDocument(
            id=recording_id,
            category=category,
            metadata=metadata,
            interactions=(Interaction(Request("GET", f"https://example.com/{recording_id}"), Response(200)),),
        )
    )
    return recording_id
