"""httpx and httpx2 side by side: one DVD format, each library's own types on replay, QUERY, websockets."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

import playback_dvd as pd
from playback_dvd.formats._files import read_document
from playback_dvd.http import _patching

from .._server import LocalServer

if sys.version_info < (3, 11):
    pytest.skip("httpx2 needs Python >= 3.11", allow_module_level=True)
import httpx2  # after the version check: the dev extra installs it on 3.11+ only


@pytest.mark.parametrize(("recording", "replaying"), [("httpx", "httpx2"), ("httpx2", "httpx")])
def test_a_dvd_recorded_through_one_library_replays_through_the_other(
    recording: str, replaying: str, tmp_path: Path, server: LocalServer
) -> None:
    libraries = {"httpx": httpx, "httpx2": httpx2}
    path = tmp_path / "shared.dvd.json"
    with pd.use_dvd(path), libraries[recording].Client() as client:
        recorded = client.post(f"{server.url}/echo", json={"a": 1}).json()
        with client.stream("GET", f"{server.url}/stream?chunks=3") as streamed:
            recorded_lines = list(streamed.iter_lines())
    hits = len(server.hits)
    with pd.use_dvd(path, record_mode="none") as dvd, libraries[replaying].Client() as client:
        response = client.post(f"{server.url}/echo", json={"a": 1})
        with client.stream("GET", f"{server.url}/stream?chunks=3") as streamed:
            replayed_lines = list(streamed.iter_lines())
    assert len(server.hits) == hits, "the replay reached the network"
    assert type(response) is libraries[replaying].Response
    assert response.json() == recorded
    assert replayed_lines == recorded_lines == ["chunk 0", "chunk 1", "chunk 2"]
    assert dvd.all_played


def test_the_dvd_file_does_not_say_which_library_recorded_it(tmp_path: Path, server: LocalServer) -> None:
    through_httpx, through_httpx2 = tmp_path / "a.dvd.json", tmp_path / "b.dvd.json"
    with pd.use_dvd(through_httpx):
        httpx.get(f"{server.url}/items?id=1", headers={"user-agent": "test"})
    with pd.use_dvd(through_httpx2):
        httpx2.get(f"{server.url}/items?id=1", headers={"user-agent": "test"})
    first, second = read_document(str(through_httpx)), read_document(str(through_httpx2))
    assert first is not None
    assert second is not None
    # Only the server's answer (its hit counter, date) may differ; the request is the same record.
    assert [i.request.method for i in first.interactions] == [i.request.method for i in second.interactions]
    assert first.interactions[0].request.url == second.interactions[0].request.url


def test_a_recorded_exception_replays_as_the_calling_librarys_class(tmp_path: Path) -> None:
    path = tmp_path / "errors.dvd.json"
    with pd.use_dvd(path), pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/never")
    with pd.use_dvd(path, record_mode="none"), pytest.raises(httpx2.ConnectError) as replayed:
        httpx2.get("http://127.0.0.1:9/never")
    assert not isinstance(replayed.value, httpx.ConnectError)


def test_both_libraries_in_one_block_record_into_one_dvd(tmp_path: Path, server: LocalServer) -> None:
    with pd.use_dvd(tmp_path / "both.dvd.json") as dvd, httpx.Client() as one, httpx2.Client() as two:
        one.get(f"{server.url}/items?id=httpx")
        two.get(f"{server.url}/items?id=httpx2")
    assert [request.url.rsplit("=", 1)[1] for request in dvd.requests] == ["httpx", "httpx2"]
    assert not _patching.installed()


def test_the_patch_restores_both_libraries_exactly() -> None:
    originals = (httpx.Client._transport_for_url, httpx2.Client._transport_for_url)
    with pd.use_dvd(Path("unused.dvd.json"), record_mode="none"):
        assert httpx2.Client._transport_for_url is not originals[1]
        assert httpx2.AsyncClient._transport_for_url is not httpx2.Client._transport_for_url
    assert (httpx.Client._transport_for_url, httpx2.Client._transport_for_url) == originals


def test_the_query_method_is_recorded_and_replayed(tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "query.dvd.json"
    with pd.use_dvd(path):
        recorded = httpx2.query(f"{server.url}/echo", json={"filter": "open"}).json()
    with pd.use_dvd(path, record_mode="none") as dvd:
        replayed = httpx2.query(f"{server.url}/echo", json={"filter": "open"}).json()
    assert recorded == replayed
    assert replayed["method"] == "QUERY"
    assert dvd.interactions[0].request.method == "QUERY"
    assert len(server.hits) == 1


def test_an_explicit_httpx2_handler_transport_works_without_the_patch(
    tmp_path: Path, server: LocalServer
) -> None:
    from playback_dvd.http import Httpx2HandlerTransport

    client = httpx2.Client(transport=Httpx2HandlerTransport(httpx2.HTTPTransport()))
    with client, pd.use_dvd(tmp_path / "explicit.dvd.json") as dvd:
        assert client.get(f"{server.url}/items?id=1").status_code == 200
    assert len(dvd) == 1


@pytest.mark.anyio
async def test_an_async_httpx2_client_made_before_the_block_streams_and_replays(
    tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "async.dvd"
    async with httpx2.AsyncClient(base_url=server.url) as client:

        async def action() -> list[str]:
            async with client.stream("GET", "/stream?chunks=3") as response:
                return [line async for line in response.aiter_lines()]

        async with pd.use_dvd(path):
            recorded = await action()
        async with pd.use_dvd(path, record_mode="none"):
            replayed = await action()
    assert recorded == replayed == ["chunk 0", "chunk 1", "chunk 2"]
    assert len(server.hits) == 1


def _handshake_headers() -> dict[str, str]:
    return {
        "connection": "upgrade",
        "upgrade": "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    }


def test_a_websocket_is_refused_in_a_replay_naming_its_url(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    with (
        pd.use_dvd(tmp_path / "ws.dvd.json", record_mode="none"),
        pytest.raises(pd.NetworkBlockedError, match=r"websocket http://127\.0\.0\.1:\d+/ws"),
    ):
        hx.get(f"{server.url}/ws", headers=_handshake_headers())
    assert server.hits == []


def test_a_websocket_is_not_recorded_and_a_warning_says_so(
    hx: ModuleType, tmp_path: Path, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="playback_dvd"),
        pd.use_dvd(tmp_path / "ws.dvd.json") as dvd,
    ):
        hx.get(f"{server.url}/ws", headers=_handshake_headers())
    assert len(dvd) == 0
    assert "websocket" in caplog.text
    assert "is not captured" in caplog.text
