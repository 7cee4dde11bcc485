"""Recordings of the small service in `_service`, made against the real local server."""

from __future__ import annotations

import pytest


@pytest.fixture
def recordings(hx, tmp_path, server, monkeypatch):
    """A LocalCassette directory with one recording of Pricing.quote per item (through each client
    library), and their ids."""
    from ._service import record_items

    return record_items(tmp_path, server, monkeypatch, client=hx)
