"""One handler transport per client and wrapped transport, made on the first request inside a session."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import playback_dvd as pd

from .._server import LocalServer


def test_a_client_reuses_its_handler_transport_and_outside_a_session_gets_its_own(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    with hx.Client() as client, hx.Client() as other:
        with pd.use_dvd(tmp_path / "a.dvd", record_mode="all"):
            first = client._transport_for_url(hx.URL(server.url))
            assert client._transport_for_url(hx.URL(server.url)) is first
            assert other._transport_for_url(hx.URL(server.url)) is not first
            assert first.transport is client._transport  # type: ignore[attr-defined]
            assert client.get(f"{server.url}/items?id=1").status_code == 200
        assert client._transport_for_url(hx.URL(server.url)) is client._transport
    with pd.use_dvd(tmp_path / "a.dvd", record_mode="none"), hx.Client() as client:
        assert client.get(f"{server.url}/items?id=1").status_code == 200


def test_a_replaced_transport_gets_a_wrapper_of_its_own(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    with hx.Client() as client, pd.use_dvd(tmp_path / "b.dvd", record_mode="all"):
        before = client._transport_for_url(hx.URL(server.url))
        client._transport = hx.HTTPTransport()
        after = client._transport_for_url(hx.URL(server.url))
        assert after is not before
        assert after.transport is client._transport  # type: ignore[attr-defined]
