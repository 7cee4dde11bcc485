"""A stream its caller closes early is complete when the end of its message had already arrived.

An SDK stops at the end of its protocol (``data: [DONE]``) and closes before the iterator returns its
end. The tee then finishes the message from what is already on this machine, and never waits for the
network: a stream whose server is still sending closes at once and stays incomplete.
"""

from __future__ import annotations

import select
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import playback_dvd as pd

from .._server import Gate, LocalServer

CHUNKS = 3
BODY = b"".join(f"data: {number}\n\n".encode() for number in range(CHUNKS))
#: Only a failing test waits this long (for bytes the server has already sent).
GENEROUS = 10.0


@pytest.fixture
def gate(server: LocalServer) -> Iterator[tuple[str, Gate]]:
    """A held stream's URL and its gate; the server is released at the end whatever happened."""
    name = uuid.uuid4().hex
    held = server.gate(name)
    yield f"{server.url}/held-stream?gate={name}&chunks={CHUNKS}", held
    held.release.set()


def _end_received(response: Any, gate: Gate) -> None:
    # Let the server send the end, and wait until its bytes are in this socket: a close then finds them.
    gate.release.set()
    assert gate.ended.wait(GENEROUS)
    sock = response.extensions["network_stream"].get_extra_info("socket")
    readable, _, _ = select.select([sock], [], [], GENEROUS)
    assert readable


def _stored_complete(dvd: pd.DVD) -> bool:
    stored = dvd.interactions[0].response
    assert stored is not None
    assert stored.body == BODY
    return stored.body_complete


def test_a_stream_closed_after_its_last_event_is_complete_and_its_connection_reused(
    hx: ModuleType, tmp_path: Path, gate: tuple[str, Gate]
) -> None:
    # As the openai SDK does: it stops iterating at data: [DONE], keeps its iterator, closes the response.
    url, held = gate
    with pd.use_dvd(tmp_path / "sse.dvd.json") as dvd, hx.Client() as client:
        with client.stream("GET", url) as response:
            raw, read = response.iter_raw(), b""
            for chunk in raw:
                read += chunk
                if read == BODY:
                    break
            _end_received(response, held)
            connection = response.extensions["network_stream"]
        again = client.get(url.replace("held-stream", "items"))
    assert _stored_complete(dvd)
    assert again.extensions["network_stream"] is connection, "the connection went back to the pool"


def test_a_loop_left_after_the_last_event_is_complete_and_its_connection_reused(
    hx: ModuleType, tmp_path: Path, gate: tuple[str, Gate]
) -> None:
    # Leaving the loop drops the iterator, which closes the stream's generators before the response.
    url, held = gate
    with pd.use_dvd(tmp_path / "sse.dvd.json") as dvd, hx.Client() as client:
        with client.stream("GET", url) as response:
            read = b""
            for chunk in response.iter_raw():
                read += chunk
                if read == BODY:
                    _end_received(response, held)
                    break
            connection = response.extensions["network_stream"]
        again = client.get(url.replace("held-stream", "items"))
    assert _stored_complete(dvd)
    assert again.extensions["network_stream"] is connection, "the connection went back to the pool"


def test_a_stream_closed_while_its_server_still_sends_is_incomplete_and_closes_at_once(
    hx: ModuleType, tmp_path: Path, gate: tuple[str, Gate]
) -> None:
    url, held = gate
    with pd.use_dvd(tmp_path / "held.dvd.json") as dvd, hx.Client() as client:
        with client.stream("GET", url) as response:
            read = b""
            for chunk in response.iter_raw():
                read += chunk
                if read == BODY:
                    break
            assert held.holding.wait(GENEROUS)
            connection = response.extensions["network_stream"]
        assert not held.ended.is_set(), "the close waited for the server"
        again = client.get(url.replace("held-stream", "items"))
    assert not _stored_complete(dvd)
    assert again.extensions["network_stream"] is not connection, "an unfinished connection is not reused"


def test_a_stream_closed_before_its_caller_read_every_event_is_incomplete(
    hx: ModuleType, tmp_path: Path, gate: tuple[str, Gate]
) -> None:
    url, held = gate
    with (
        pd.use_dvd(tmp_path / "early.dvd.json") as dvd,
        hx.Client() as client,
        client.stream("GET", url) as response,
    ):
        raw = response.iter_raw()
        first = next(raw)
        _end_received(response, held)
    stored = dvd.interactions[0].response
    assert stored is not None
    assert stored.body == first != BODY
    assert not stored.body_complete


@pytest.mark.anyio
async def test_an_async_stream_closed_after_its_last_event_is_complete_and_its_connection_reused(
    hx: ModuleType, tmp_path: Path, gate: tuple[str, Gate]
) -> None:
    url, held = gate
    with pd.use_dvd(tmp_path / "sse.dvd.json") as dvd:
        async with hx.AsyncClient() as client:
            async with client.stream("GET", url) as response:
                read = b""
                async for chunk in response.aiter_raw():
                    read += chunk
                    if read == BODY:
                        break
                _end_received(response, held)
                connection = response.extensions["network_stream"]
            again = await client.get(url.replace("held-stream", "items"))
    assert _stored_complete(dvd)
    assert again.extensions["network_stream"] is connection, "the connection went back to the pool"


@pytest.mark.anyio
async def test_an_async_stream_closed_while_its_server_still_sends_is_incomplete_and_closes_at_once(
    hx: ModuleType, tmp_path: Path, gate: tuple[str, Gate]
) -> None:
    url, held = gate
    with pd.use_dvd(tmp_path / "held.dvd.json") as dvd:
        async with hx.AsyncClient() as client:
            async with client.stream("GET", url) as response:
                read = b""
                async for chunk in response.aiter_raw():
                    read += chunk
                    if read == BODY:
                        break
                assert held.holding.wait(GENEROUS)
                connection = response.extensions["network_stream"]
            assert not held.ended.is_set(), "the close waited for the server"
            again = await client.get(url.replace("held-stream", "items"))
    assert not _stored_complete(dvd)
    assert again.extensions["network_stream"] is not connection, "an unfinished connection is not reused"
