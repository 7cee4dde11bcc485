"""One recorder, many operations at once: 20 threads and 200 asyncio tasks each get their own recording."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from types import ModuleType

import pytest

from playback_dvd import Recorder

from .._server import LocalServer
from .conftest import only_recording, recordings


def make_operation(  # type: ignore[no-untyped-def]
    recorder: Recorder, server: LocalServer, barrier: threading.Barrier, hx: ModuleType
):
    @recorder.intercept_input("load")
    def load(n: int) -> int:
        return n * 10

    @recorder.intercept_output("save")
    def save(n: int) -> None:
        pass

    @recorder.operation(category="threads")
    def handle(n: int) -> int:
        barrier.wait(timeout=30)  # every thread is inside its operation before any makes a call
        value = load(n)
        response = hx.get(f"{server.url}/items?id={n}")
        barrier.wait(timeout=30)
        save(n)
        return value + int(response.json()["id"])

    return handle


def assert_each_recording_holds_only_its_own_calls(recorder: Recorder, category: str, count: int) -> None:
    found = recordings(recorder, category)
    assert len(found) == count
    seen = set()
    for recording in found:
        (result,) = [o.result for o in recording.outputs if o.key == "operation"]
        n = result // 11
        seen.add(n)
        assert list(recording.inputs) == [f'load {{"n":{n}}}']
        assert [(o.key, o.arguments) for o in recording.outputs[:-1]] == [("save #1", {"n": n})]
        assert [i.request.url.rsplit("=", 1)[1] for i in recording.interactions] == [str(n)]
    assert seen == set(range(count))


def test_twenty_threads_record_twenty_separate_operations(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    handle = make_operation(recorder, server, threading.Barrier(20), hx)
    results: dict[int, int] = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, handle(n))) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {n: n * 11 for n in range(20)}
    assert_each_recording_holds_only_its_own_calls(recorder, "threads", 20)
    assert recorder.stats.recorded == 20


@pytest.mark.anyio
async def test_two_hundred_tasks_record_two_hundred_separate_operations(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    started = 0
    everyone_in = asyncio.Event()

    @recorder.intercept_input("load")
    async def load(n: int) -> int:
        return n * 10

    @recorder.intercept_output("save")
    async def save(n: int) -> None:
        pass

    async with hx.AsyncClient(limits=hx.Limits(max_connections=20)) as client:  # shared by all tasks

        @recorder.operation(category="tasks")
        async def handle(n: int) -> int:
            nonlocal started
            started += 1
            if started == 200:
                everyone_in.set()
            await everyone_in.wait()
            value = await load(n)
            response = await client.get(f"{server.url}/items?id={n}")
            await save(n)
            return value + int(response.json()["id"])

        results = await asyncio.gather(*(handle(n) for n in range(200)))
    assert results == [n * 11 for n in range(200)]
    assert_each_recording_holds_only_its_own_calls(recorder, "tasks", 200)


def test_a_thread_joins_the_operation_only_with_a_copied_context(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    @recorder.intercept_input("load")
    def load(n: int) -> int:
        return n

    def work(n: int) -> None:
        load(n)
        hx.get(f"{server.url}/items?id={n}")

    @recorder.operation(category="spawn")
    def handle() -> None:
        plain = threading.Thread(target=work, args=(1,))
        joined = threading.Thread(target=contextvars.copy_context().run, args=(work, 2))
        plain.start()
        joined.start()
        plain.join()
        joined.join()

    handle()
    recording = only_recording(recorder, "spawn")
    assert list(recording.inputs) == ['load {"n":2}']
    assert [i.request.url for i in recording.interactions] == [f"{server.url}/items?id=2"]
    assert len(server.hits) == 2


@pytest.mark.anyio
async def test_asyncio_to_thread_joins_the_operation(
    hx: ModuleType, recorder: Recorder, server: LocalServer
) -> None:
    def fetch() -> int:
        return hx.get(f"{server.url}/items?id=t").status_code

    @recorder.operation(category="to_thread")
    async def handle() -> int:
        return await asyncio.to_thread(fetch)

    assert await handle() == 200
    assert len(only_recording(recorder, "to_thread").interactions) == 1
