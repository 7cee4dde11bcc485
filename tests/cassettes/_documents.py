"""Recordings to store in the cassette tests: small, real DVD documents with an id and metadata."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

from playback_dvd import DVDDocument, InputRecord, Interaction, OutputRecord, Request, Response
from playback_dvd.cassettes import new_recording_id


def make_document(
    category: str = "Checkout",
    recorded_at: datetime | None = None,
    body_size: int = 16,
    **metadata: Any,
) -> DVDDocument:
    """A recording of *category* made at *recorded_at* (default now) with *metadata* and one interaction.

    The response body is *body_size* random bytes (incompressible, so the stored size follows it).
    """
    when = recorded_at or datetime.now(timezone.utc)
    request = Request("GET", "https://api.example.com/items?id=1", (("accept", "application/json"),))
    response = Response(200, (("content-type", "application/octet-stream"),), os.urandom(body_size))
    return DVDDocument(
        interactions=(Interaction(request, response),),
        id=new_recording_id(category, when),
        category=category,
        metadata={"recorded_at": when.isoformat(), **metadata},
        inputs={"checkout.load_order": InputRecord({"order": 42})},
        outputs=(OutputRecord("checkout.save_invoice", [{"total": 10}], None),),
    )
