"""use_dvd records and replays every kind of httpx and httpx2 traffic, sync and async, on a real server."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import ModuleType

import pytest

import playback_dvd as pd

from .._server import LocalServer


@pytest.fixture(params=["json", "binary"])
def dvd_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A DVD path in each format."""
    return tmp_path / ("test.dvd.json" if request.param == "json" else "test.dvd")


def record_then_replay(dvd_path: Path, server: LocalServer, action, **options):  # type: ignore[no-untyped-def]
    """Run *action* once recording and once replaying; return both results and the server hits of each."""
    with pd.use_dvd(dvd_path, **options):
        recorded = action()
    hits_after_recording = len(server.hits)
    with pd.use_dvd(dvd_path, record_mode="none", **options) as dvd:
        replayed = action()
    assert len(server.hits) == hits_after_recording, "the replay reached the network"
    return recorded, replayed, dvd


def test_module_level_get_is_recorded_and_replayed(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    recorded, replayed, dvd = record_then_replay(
        dvd_path, server, lambda: hx.get(f"{server.url}/items?id=1").json()
    )
    assert recorded == replayed
    assert dvd.play_count == 1


def test_client_with_base_url(hx: ModuleType, dvd_path: Path, server: LocalServer) -> None:
    def action() -> object:
        with hx.Client(base_url=server.url) as client:
            return client.get("/items", params={"id": "7"}).json()

    recorded, replayed, _ = record_then_replay(dvd_path, server, action)
    assert replayed == recorded
    assert replayed["id"] == "7"


def test_client_created_before_the_block_is_covered(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    client = hx.Client()
    try:
        recorded, replayed, _ = record_then_replay(
            dvd_path, server, lambda: client.get(f"{server.url}/items?id=early").json()
        )
    finally:
        client.close()
    assert recorded == replayed


def test_mounted_and_custom_transports_are_covered(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    class CountingTransport(hx.HTTPTransport):
        calls = 0

        def handle_request(self, request: hx.Request) -> hx.Response:
            CountingTransport.calls += 1
            return super().handle_request(request)

    def action() -> object:
        mounts = {"http://": CountingTransport()}
        with hx.Client(mounts=mounts) as client:
            return client.get(f"{server.url}/items?id=mounted").json()

    recorded, replayed, _ = record_then_replay(dvd_path, server, action)
    assert recorded == replayed
    assert CountingTransport.calls == 1, "the custom transport ran on recording only"


def test_redirects_record_each_hop(hx: ModuleType, dvd_path: Path, server: LocalServer) -> None:
    def action() -> tuple[object, int]:
        response = hx.get(f"{server.url}/redirect?to=/items?id=target", follow_redirects=True)
        return response.json(), len(response.history)

    recorded, replayed, dvd = record_then_replay(dvd_path, server, action)
    assert recorded == replayed
    assert replayed[1] == 1
    assert [interaction.response.status_code for interaction in dvd.interactions] == [302, 200]  # type: ignore[union-attr]


def test_gzip_body_is_stored_as_on_the_wire_and_decoded_on_replay(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "gzip.dvd.json"
    # Wire fidelity: the secure defaults store compressed text decoded (tests/filters/test_secrets.py).
    recorded, replayed, dvd = record_then_replay(
        path, server, lambda: hx.get(f"{server.url}/gzip").json(), redact_secrets=False
    )
    assert recorded == replayed == {"compressed": "gzip"}
    stored = dvd.interactions[0].response
    assert stored is not None
    assert gzip.decompress(stored.body) == b'{"compressed": "gzip"}'
    assert ("Content-Encoding", "gzip") in stored.headers
    assert "body_base64" in json.loads(path.read_text())["interactions"][0]["response"]


def test_brotli_body_is_replayed(hx: ModuleType, dvd_path: Path, server: LocalServer) -> None:
    recorded, replayed, _ = record_then_replay(dvd_path, server, lambda: hx.get(f"{server.url}/br").json())
    assert recorded == replayed == {"compressed": "br"}


def test_binary_body_round_trips_exactly(hx: ModuleType, dvd_path: Path, server: LocalServer) -> None:
    recorded, replayed, _ = record_then_replay(
        dvd_path, server, lambda: hx.get(f"{server.url}/binary").content
    )
    assert replayed == recorded == bytes(range(256)) * 4


def test_repeated_headers_reason_and_version_are_kept(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    def action() -> tuple[object, ...]:
        response = hx.get(f"{server.url}/cookies")
        teapot = hx.get(f"{server.url}/status/418?reason=Short+and+stout")
        return (
            response.headers.get_list("set-cookie"),
            response.http_version,
            response.reason_phrase,
            teapot.status_code,
            teapot.reason_phrase,
        )

    recorded, replayed, _ = record_then_replay(dvd_path, server, action, redact_secrets=False)
    assert replayed == recorded
    assert replayed == (["a=1; Path=/", "b=2; Path=/"], "HTTP/1.1", "OK", 418, "Short and stout")


def test_cookies_set_by_a_replayed_response_reach_the_client(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    def action() -> dict[str, str]:
        with hx.Client() as client:
            client.get(f"{server.url}/cookies")
            return dict(client.cookies)

    recorded, replayed, _ = record_then_replay(dvd_path, server, action, redact_secrets=False)
    assert replayed == recorded == {"a": "1", "b": "2"}


def test_post_bodies_are_recorded(hx: ModuleType, dvd_path: Path, server: LocalServer) -> None:
    recorded, replayed, dvd = record_then_replay(
        dvd_path, server, lambda: hx.post(f"{server.url}/echo", json={"b": 1, "a": [1, 2]}).json()
    )
    assert replayed == recorded
    assert json.loads(dvd.interactions[0].request.body) == {"b": 1, "a": [1, 2]}


def test_streamed_response_streams_while_recording(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    def action() -> list[str]:
        with hx.Client() as client, client.stream("GET", f"{server.url}/stream?chunks=4") as response:
            return list(response.iter_lines())

    recorded, replayed, dvd = record_then_replay(dvd_path, server, action)
    assert recorded == replayed == [f"chunk {n}" for n in range(4)]
    assert dvd.interactions[0].response.body_complete  # type: ignore[union-attr]


def test_streaming_releases_pooled_connections_while_recording(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    # With one pooled connection, the second stream would time out if the tee kept the first one checked out.
    limits = hx.Limits(max_connections=1)
    with (
        pd.use_dvd(tmp_path / "pool.dvd.json"),
        hx.Client(limits=limits, timeout=hx.Timeout(5, pool=1)) as client,
    ):
        for number in range(3):
            with client.stream("GET", f"{server.url}/items?id={number}") as response:
                response.read()
    assert len(server.hits) == 3


def test_stream_closed_early_is_recorded_as_incomplete(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    with (
        pd.use_dvd(tmp_path / "partial.dvd.json") as dvd,
        hx.Client() as client,
        client.stream("GET", f"{server.url}/stream?chunks=50") as response,
    ):
        first = next(response.iter_raw())
    stored = dvd.interactions[0].response
    assert stored is not None
    assert not stored.body_complete
    assert stored.body.startswith(first)


def test_a_stream_closed_after_its_last_byte_is_complete(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    # An SDK stops at the end of its protocol and closes: the iterator never ended, but every byte the
    # response announced was read.
    with (
        pd.use_dvd(tmp_path / "whole.dvd.json") as dvd,
        hx.Client() as client,
        client.stream("GET", f"{server.url}/binary") as response,
    ):
        read = 0
        for chunk in response.iter_raw():
            read += len(chunk)
            if read == 1024:
                break
    stored = dvd.interactions[0].response
    assert stored is not None
    assert stored.body == bytes(range(256)) * 4
    assert stored.body_complete


def test_max_body_bytes_cuts_the_recording_not_the_caller(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    with pd.use_dvd(tmp_path / "cut.dvd.json", max_body_bytes=100) as dvd:
        content = hx.get(f"{server.url}/binary").content
    assert len(content) == 1024
    stored = dvd.interactions[0].response
    assert stored is not None
    assert len(stored.body) == 100
    assert not stored.body_complete


def test_unclosed_stream_is_committed_at_the_end_of_the_block(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    client = hx.Client()
    try:
        with pd.use_dvd(tmp_path / "open.dvd.json") as dvd:
            response = client.send(client.build_request("GET", f"{server.url}/items?id=open"), stream=True)
        assert len(dvd.interactions) == 1
        assert not dvd.interactions[0].response.body_complete  # type: ignore[union-attr]
    finally:
        response.close()
        client.close()


def test_connect_error_is_recorded_and_replayed_as_the_same_type(hx: ModuleType, tmp_path: Path) -> None:
    closed_port_url = "http://127.0.0.1:9/never"
    path = tmp_path / "errors.dvd.json"
    with pd.use_dvd(path), pytest.raises(hx.ConnectError):
        hx.get(closed_port_url)
    with pd.use_dvd(path, record_mode="none"), pytest.raises(hx.ConnectError) as replayed:
        hx.get(closed_port_url)
    assert replayed.value.request.url == closed_port_url


def test_timeout_is_recorded_and_replayed_as_the_same_type(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "timeout.dvd.json"
    with pd.use_dvd(path), pytest.raises(hx.ReadTimeout):
        hx.get(f"{server.url}/slow?seconds=1", timeout=0.1)
    with pd.use_dvd(path, record_mode="none"), pytest.raises(hx.ReadTimeout):
        hx.get(f"{server.url}/slow?seconds=1", timeout=0.1)


def test_outside_a_block_httpx_is_untouched(hx: ModuleType, server: LocalServer) -> None:
    original = hx.Client._transport_for_url
    with pd.use_dvd(Path("unused.dvd.json"), record_mode="none"):
        assert hx.Client._transport_for_url is not original
    assert hx.Client._transport_for_url is original
    assert hx.get(f"{server.url}/items?id=free").status_code == 200


def test_decorator_on_a_sync_function(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "decorated.dvd.json"

    @pd.use_dvd(path)
    def fetch() -> object:
        return hx.get(f"{server.url}/items?id=deco").json()

    first = fetch()
    second = fetch()
    assert first == second
    assert len(server.hits) == 1


# -- async twins ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_client_is_recorded_and_replayed(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    async def action() -> object:
        async with hx.AsyncClient(base_url=server.url) as client:
            first = (await client.get("/items?id=a1")).json()
            second = (await client.get("/gzip")).json()
            return first, second

    async with pd.use_dvd(dvd_path):
        recorded = await action()
    hits = len(server.hits)
    async with pd.use_dvd(dvd_path, record_mode="none") as dvd:
        replayed = await action()
    assert len(server.hits) == hits
    assert replayed == recorded
    assert dvd.all_played


@pytest.mark.anyio
async def test_async_stream_is_teed_and_replayed(hx: ModuleType, dvd_path: Path, server: LocalServer) -> None:
    async def action() -> list[str]:
        async with (
            hx.AsyncClient() as client,
            client.stream("GET", f"{server.url}/stream?chunks=3") as response,
        ):
            return [line async for line in response.aiter_lines()]

    async with pd.use_dvd(dvd_path):
        recorded = await action()
    async with pd.use_dvd(dvd_path, record_mode="none"):
        replayed = await action()
    assert recorded == replayed == ["chunk 0", "chunk 1", "chunk 2"]


@pytest.mark.anyio
async def test_async_redirects_and_errors(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "async.dvd"

    async def action() -> tuple[object, str]:
        async with hx.AsyncClient(follow_redirects=True) as client:
            moved = (await client.get(f"{server.url}/redirect?to=/items?id=x")).json()
            try:
                await client.get("http://127.0.0.1:9/never")
            except hx.ConnectError as error:
                return moved, type(error).__name__
        raise AssertionError("the closed port answered")

    async with pd.use_dvd(path):
        recorded = await action()
    async with pd.use_dvd(path, record_mode="none") as dvd:
        replayed = await action()
    assert replayed == recorded
    assert len(dvd) == 3


@pytest.mark.anyio
async def test_decorator_on_an_async_function(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "async-decorated.dvd.json"

    @pd.use_dvd(path, record_mode="once")
    async def fetch() -> object:
        async with hx.AsyncClient() as client:
            return (await client.get(f"{server.url}/items?id=adeco")).json()

    assert await fetch() == await fetch()
    assert len(server.hits) == 1
