"""The connection guard: a hermetic replay refuses every connection that bypasses httpx and httpx2."""

from __future__ import annotations

import asyncio
import contextvars
import socket
import sys
import tempfile
import threading
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest

import playback_dvd as pd
from playback_dvd import MemoryCassette, NetworkBlockedError, Recorder
from playback_dvd.http import _guard

from .._server import LocalServer


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A recorder on a MemoryCassette."""
    recorder = Recorder(MemoryCassette())
    yield recorder
    recorder.close()


def _address(server: LocalServer) -> tuple[str, int]:
    parts = urlsplit(server.url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def _record(
    recorder: Recorder, hx: ModuleType, server: LocalServer, bypass: bool = False
) -> tuple[str, Callable[[], list[object]]]:
    """Record an operation that calls the server through *hx* and, when *bypass*, also through urllib."""

    @recorder.operation(category="Guarded")
    def run() -> list[object]:
        results: list[object] = [hx.get(f"{server.url}/items?id=1").json()["id"]]
        if bypass:
            with urllib.request.urlopen(f"{server.url}/items?id=2") as answer:
                results.append(answer.status)
        return results

    run()
    (recording_id,) = recorder.cassette.iter_recording_ids("Guarded")
    server.reset()
    return recording_id, run


def _raw_connect(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=2):
        pass


def test_a_replay_refuses_urllib_and_a_raw_socket_and_the_server_sees_nothing(
    recorder: Recorder, hx: ModuleType, server: LocalServer
) -> None:
    recording_id, _ = _record(recorder, hx, server)
    errors: list[NetworkBlockedError] = []

    def replay(dvd: pd.DVD) -> object:
        replayed = hx.get(f"{server.url}/items?id=1").json()["id"]
        for attempt in (
            lambda: urllib.request.urlopen(f"{server.url}/items?id=2"),
            lambda: _raw_connect(_address(server)),
        ):
            with pytest.raises(NetworkBlockedError) as refused:
                attempt()
            errors.append(refused.value)
        return replayed

    playback = recorder.play(recording_id, replay)
    assert playback.playback_error is None
    assert server.hits == []
    host, port = _address(server)
    assert [(error.host, error.port) for error in errors] == [(host, port), (host, port)]
    assert f"{host}:{port}" in str(errors[0])
    assert "recorder.play(..., allowed_hosts=['127.0.0.1'])" in str(errors[0])
    assert "allow_network=True" in str(errors[0])
    assert playback.blocked_connections == (f"tcp {host}:{port} (urllib)", f"tcp {host}:{port} (tests)")


def test_an_operation_whose_bypassing_call_is_refused_reports_it_in_the_playback(
    recorder: Recorder, hx: ModuleType, server: LocalServer
) -> None:
    recording_id, run = _record(recorder, hx, server, bypass=True)
    playback = recorder.play(recording_id, lambda dvd: run())
    assert playback.playback_error is not None
    assert playback.playback_error.type_name == "NetworkBlockedError"
    host, port = _address(server)
    assert playback.blocked_connections == (f"tcp {host}:{port} (urllib)",)
    assert server.hits == []


def test_allowed_hosts_and_allow_network_let_a_connection_through(
    recorder: Recorder, hx: ModuleType, server: LocalServer
) -> None:
    recording_id, _ = _record(recorder, hx, server)
    address = _address(server)
    allowed = recorder.play(recording_id, lambda dvd: _raw_connect(address), allowed_hosts=["127.0.0.1"])
    by_port = recorder.play(
        recording_id, lambda dvd: _raw_connect(address), allowed_hosts=[f"*:{address[1]}"]
    )
    by_name = recorder.play(recording_id, lambda dvd: _raw_connect(address), allowed_hosts=["localhost"])
    free = recorder.play(recording_id, lambda dvd: _raw_connect(address), allow_network=True)
    assert [p.playback_error for p in (allowed, by_port, by_name, free)] == [None] * 4
    assert allowed.blocked_connections == ()


def test_other_threads_are_untouched_by_a_replay(
    recorder: Recorder, hx: ModuleType, server: LocalServer
) -> None:
    recording_id, _ = _record(recorder, hx, server)
    address = _address(server)

    def replay(dvd: pd.DVD) -> None:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(_raw_connect, address).result()  # a plain thread starts without the replay's context
            propagated = pool.submit(contextvars.copy_context().run, _raw_connect, address)
            with pytest.raises(NetworkBlockedError):
                propagated.result()

    assert recorder.play(recording_id, replay).playback_error is None
    _raw_connect(address)  # and after the replay, this thread is free again


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="this platform has no unix sockets")
def test_unix_sockets_pass(recorder: Recorder, hx: ModuleType, server: LocalServer) -> None:
    recording_id, _ = _record(recorder, hx, server)
    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / "s")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(1)

        def replay(dvd: pd.DVD) -> None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(path)

        try:
            assert recorder.play(recording_id, replay).playback_error is None
        finally:
            listener.close()


def test_asyncio_streams_are_refused_in_an_async_replay(
    recorder: Recorder, hx: ModuleType, server: LocalServer
) -> None:
    host, port = _address(server)

    @recorder.operation(category="AsyncGuarded")
    async def run() -> str:
        async with hx.AsyncClient() as client:
            answer = await client.get(f"{server.url}/items?id=a")
        return str(answer.json()["id"])

    async def replay_then_bypass() -> object:
        result = await run()
        with pytest.raises(NetworkBlockedError, match=f"{host}:{port}"):
            await asyncio.open_connection(host, port)
        return result

    asyncio.run(run())
    (recording_id,) = recorder.cassette.iter_recording_ids("AsyncGuarded")
    server.reset()

    async def main() -> pd.Playback:
        return await recorder.aplay(recording_id, lambda dvd: replay_then_bypass())

    playback = asyncio.run(main())
    assert playback.playback_error is None
    assert server.hits == []


def test_use_dvd_blocks_the_network_when_asked(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "blocked.dvd.json"
    # Recording with block_network: the intercepted client reaches the server, urllib does not.
    with pd.use_dvd(path, block_network=True):
        assert hx.get(f"{server.url}/items?id=1").status_code == 200
        with pytest.raises(NetworkBlockedError, match=r"use_dvd\(\.\.\., allowed_hosts=\['127\.0\.0\.1'\]\)"):
            urllib.request.urlopen(f"{server.url}/items?id=2")
    with (
        pd.use_dvd(path, block_network=True, allowed_hosts=["127.0.0.1"]),
        urllib.request.urlopen(f"{server.url}/items?id=3") as answer,
    ):
        assert answer.status == 200
    assert [hit[1] for hit in server.hits] == ["/items?id=1", "/items?id=3"]


def test_without_block_network_use_dvd_leaves_other_connections_alone(
    tmp_path: Path, server: LocalServer
) -> None:
    with pd.use_dvd(tmp_path / "free.dvd.json"), urllib.request.urlopen(f"{server.url}/items?id=1") as answer:
        assert answer.status == 200


def test_outside_a_session_the_installed_hook_refuses_nothing(server: LocalServer) -> None:
    _guard.ensure_hook()
    done = threading.Event()

    def elsewhere() -> None:
        _raw_connect(_address(server))
        done.set()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert done.is_set()
    _raw_connect(_address(server))


# -- recording: what is not captured is reported -----------------------------------------------------


def test_a_recording_lists_counts_and_warns_once_about_uncaptured_connections(
    recorder: Recorder,
    hx: ModuleType,
    server: LocalServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_guard.BypassLog, "_warned", set())  # once per process: start this test afresh
    host, port = _address(server)

    @recorder.operation(category="Leaky")
    def run() -> None:
        hx.get(f"{server.url}/items?id=1")
        for _ in range(2):
            with urllib.request.urlopen(f"{server.url}/items?id=2"):
                pass
        _raw_connect((host, port))

    with caplog.at_level("WARNING", logger="playback_dvd"):
        run()
        run()
    recordings = [
        recorder.cassette.get_recording(rid) for rid in recorder.cassette.iter_recording_ids("Leaky")
    ]
    assert len(recordings) == 2
    expected = [f"tcp {host}:{port} (urllib)", f"tcp {host}:{port} (tests)"]
    assert [document.metadata["not_captured"] for document in recordings] == [expected, expected]
    assert all(len(document.interactions) == 1 for document in recordings), "httpx traffic is still recorded"
    assert recorder.stats.uncaptured_connections == 4
    warnings = [record.getMessage() for record in caplog.records if "is not captured" in record.getMessage()]
    assert len(warnings) == 2, "one warning per (host, library) per process"
    assert f"{host}:{port} opened by urllib" in warnings[0]
    assert f"{host}:{port} opened by tests" in warnings[1]


def test_a_recording_without_uncaptured_connections_says_nothing(
    recorder: Recorder, hx: ModuleType, server: LocalServer
) -> None:
    @recorder.operation(category="Clean")
    def run() -> None:
        hx.get(f"{server.url}/items?id=1")

    run()
    (recording_id,) = recorder.cassette.iter_recording_ids("Clean")
    assert "not_captured" not in recorder.cassette.get_recording(recording_id).metadata
    assert recorder.stats.uncaptured_connections == 0


def test_a_name_looked_up_before_connecting_names_the_connection(server: LocalServer) -> None:
    _, port = _address(server)
    log = _guard.BypassLog()
    _guard.ensure_hook()
    token = _guard.current_connection_policy.set(log.policy())
    try:
        _raw_connect(("localhost", port))
    finally:
        _guard.current_connection_policy.reset(token)
    # The first address tried carries the name (localhost may resolve to ::1 first, then 127.0.0.1).
    assert log.entries[0] == f"tcp localhost:{port} (tests)"


# -- asyncio resolves names in an executor thread ----------------------------------------------------

_watched: set[str] = set()
_looked_up: list[str] = []


def _watch_lookups(event: str, args: tuple[object, ...]) -> None:
    # Sees every lookup of the process, in whatever thread runs it: a refused one must never start.
    if event == "socket.getaddrinfo" and args[0] in _watched:
        _looked_up.append(str(args[0]))


@pytest.fixture(scope="module")
def lookups() -> Iterator[Callable[[str], list[str]]]:
    """Start watching a name: the returned list gets it each time ``socket.getaddrinfo`` is asked for it."""
    sys.addaudithook(_watch_lookups)  # once: audit hooks cannot be removed

    def watch(name: str) -> list[str]:
        _watched.add(name)
        _looked_up.clear()
        return _looked_up

    yield watch
    _watched.clear()


def test_asyncio_lookups_are_refused_in_a_hermetic_replay_and_never_start(
    tmp_path: Path, lookups: Callable[[str], list[str]]
) -> None:
    name = f"{uuid.uuid4().hex}.invalid"
    looked_up = lookups(name)

    async def bypass() -> list[NetworkBlockedError]:
        refused = []
        with pd.use_dvd(tmp_path / "dns.dvd.json", record_mode="none", block_network=True):
            for attempt in (
                lambda: asyncio.open_connection(name, 80),
                lambda: asyncio.get_running_loop().getaddrinfo(name, 443),
            ):
                with pytest.raises(NetworkBlockedError) as error:
                    await attempt()
                refused.append(error.value)
        return refused

    refused = asyncio.run(bypass())
    assert [str(error).split(" (")[0] for error in refused] == [
        f"playback_dvd blocked a connection to {name}:80",
        f"playback_dvd blocked a connection to {name}:443",
    ]
    assert "allowed_hosts=" in str(refused[0])
    assert looked_up == [], "the lookup reached the resolver"


def test_asyncio_lookups_of_other_tasks_and_outside_a_session_are_free(
    tmp_path: Path, lookups: Callable[[str], list[str]]
) -> None:
    looked_up = lookups("localhost")  # resolved from the hosts file: nothing leaves the machine

    async def main() -> None:
        loop = asyncio.get_running_loop()
        replaying, resolved = asyncio.Event(), asyncio.Event()

        async def other_task() -> None:
            await replaying.wait()
            assert await loop.getaddrinfo("localhost", 80)
            resolved.set()

        other = asyncio.create_task(other_task())
        with pd.use_dvd(tmp_path / "dns.dvd.json", record_mode="none", block_network=True):
            replaying.set()
            await resolved.wait()
            with pytest.raises(NetworkBlockedError):
                await loop.getaddrinfo("localhost", 80)
        await other
        assert await loop.getaddrinfo("localhost", 80)

    asyncio.run(main())
    assert looked_up == ["localhost", "localhost"], "the other task's lookup and the one after the session"


def test_an_asyncio_connection_in_a_recording_is_named_by_its_lookup(
    recorder: Recorder, server: LocalServer
) -> None:
    _, port = _address(server)

    @recorder.operation(category="AsyncLeaky")
    async def run() -> None:
        _, writer = await asyncio.open_connection("localhost", port)
        writer.close()
        await writer.wait_closed()

    asyncio.run(run())
    (recording_id,) = recorder.cassette.iter_recording_ids("AsyncLeaky")
    not_captured = recorder.cassette.get_recording(recording_id).metadata["not_captured"]
    assert not_captured[0] == f"tcp localhost:{port} (asyncio)"
