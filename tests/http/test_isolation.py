"""Sessions are context-local: threads and tasks never see each other's traffic; nesting works."""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import anyio
import pytest

import playback_dvd as pd
from playback_dvd.http import _patching

from .._server import LocalServer


def test_two_threads_each_record_only_their_own_traffic(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    barrier = threading.Barrier(2)
    dvds: dict[str, pd.DVD] = {}

    def worker(name: str) -> None:
        with pd.use_dvd(tmp_path / f"{name}.dvd.json") as dvd, hx.Client() as client:
            barrier.wait()
            for number in range(20):
                client.get(f"{server.url}/items?id={name}-{number}")
            barrier.wait()
        dvds[name] = dvd

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, dvd in dvds.items():
        assert len(dvd) == 20
        assert all(f"id={name}-" in request.url for request in dvd.requests)


def test_a_thread_outside_any_block_is_not_recorded(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    with pd.use_dvd(tmp_path / "main.dvd.json") as dvd, ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: hx.get(f"{server.url}/items?id=other-thread")).result()
        hx.get(f"{server.url}/items?id=mine")
    assert [request.url.rsplit("=", 1)[1] for request in dvd.requests] == ["mine"]


def test_a_thread_joins_the_block_when_the_context_is_propagated(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    with pd.use_dvd(tmp_path / "shared.dvd.json") as dvd, ThreadPoolExecutor(1) as pool:
        context = contextvars.copy_context()
        pool.submit(context.run, lambda: hx.get(f"{server.url}/items?id=propagated")).result()
    assert [request.url.rsplit("=", 1)[1] for request in dvd.requests] == ["propagated"]


def test_many_threads_replaying_one_dvd_each_get_a_distinct_interaction(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "pool.dvd.json"
    with pd.use_dvd(path):
        recorded = {hx.get(f"{server.url}/items?id=same").json()["hit"] for _ in range(40)}
    with pd.use_dvd(path, record_mode="none") as dvd, ThreadPoolExecutor(8) as pool:
        context = contextvars.copy_context()
        futures = [pool.submit(context.copy().run, hx.get, f"{server.url}/items?id=same") for _ in range(40)]
        replayed = {future.result().json()["hit"] for future in futures}
    assert replayed == recorded
    assert dvd.all_played


def test_nested_blocks_innermost_wins(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    with pd.use_dvd(tmp_path / "outer.dvd.json") as outer:
        hx.get(f"{server.url}/items?id=outer-1")
        with pd.use_dvd(tmp_path / "inner.dvd.json") as inner:
            hx.get(f"{server.url}/items?id=inner")
        hx.get(f"{server.url}/items?id=outer-2")
    assert [r.url.rsplit("=", 1)[1] for r in outer.requests] == ["outer-1", "outer-2"]
    assert [r.url.rsplit("=", 1)[1] for r in inner.requests] == ["inner"]
    assert not _patching.installed()


def test_one_decorated_function_runs_in_many_threads_at_once(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    barrier = threading.Barrier(4)
    decorator = pd.use_dvd(tmp_path / "shared-decorator.dvd.json", record_mode="all")

    @decorator
    def fetch(number: int) -> int:
        barrier.wait()
        return int(hx.get(f"{server.url}/items?id={number}").status_code)

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(fetch, range(4))) == [200] * 4
    assert not _patching.installed()


@pytest.mark.anyio
async def test_concurrent_tasks_each_record_their_own_dvd(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    dvds: dict[int, pd.DVD] = {}

    async def task(number: int) -> None:
        async with pd.use_dvd(tmp_path / f"task-{number}.dvd.json") as dvd, hx.AsyncClient() as client:
            for step in range(3):
                await client.get(f"{server.url}/items?id={number}-{step}")
                await anyio.sleep(0)
        dvds[number] = dvd

    async with anyio.create_task_group() as group:
        for number in range(20):
            group.start_soon(task, number)
    for number, dvd in dvds.items():
        assert [r.url.rsplit("=", 1)[1] for r in dvd.requests] == [f"{number}-{step}" for step in range(3)]
