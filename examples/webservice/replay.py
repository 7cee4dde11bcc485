"""The playback function for the quote service: ``playback-dvd compare ... --player replay:replay_quote``.

The command imports this module (with ``examples/webservice`` on ``PYTHONPATH``) in the process that replays,
so it imports the service's code as it is now: change ``quote_service.py`` and the next compare replays the
changed code. Configuration comes from the same environment variables as the service's.
"""

from __future__ import annotations

from typing import Any

from quote_service import service

from playback_dvd import DVD


async def replay_quote(dvd: DVD) -> dict[str, Any]:
    """Run ``QuoteService.quote`` again with the arguments the recording's metadata holds."""
    return await service.quote(dvd.metadata["customer_id"], dvd.metadata["skus"])
