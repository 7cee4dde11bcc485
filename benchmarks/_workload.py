"""What every benchmark shares: the traffic, the loopback server process, the floor, and the statistics.

The method is the one of the baseline measurement (see docs/performance.md): every figure comes from a
fresh process, each repetition runs the variants in a rotated order, ratios are taken inside one
repetition, and the reported value is the median over repetitions. CPU time is reported next to wall time
because the machine is shared and its wall clock is noisy.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"  # git-ignored: recorded DVDs, peer cassettes, raw figures

# One request: (method, path-and-query, JSON body or b"").
Call = tuple[str, str, bytes]


def calls(count: int) -> list[Call]:
    """*count* distinct requests: GETs with a query, every 10th a POST with a small JSON body."""
    made: list[Call] = []
    for number in range(count):
        if number % 10 == 9:
            body = json.dumps({"item": number, "op": "update"}).encode()
            made.append(("POST", f"/items/{number}", body))
        else:
            made.append(("GET", f"/items/{number}?q=v{number}&page={number % 7}", b""))
    return made


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """Run `_server.py` in its own process; yield its base URL; stop it (and check it stopped) on exit."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_server.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def send(client: Any, base: str, call: Call) -> Any:
    """Send one call with a sync httpx client and check the answer is this request's own."""
    method, target, body = call
    if body:
        response = client.request(
            method, base + target, content=body, headers={"content-type": "application/json"}
        )
    else:
        response = client.request(method, base + target)
    _check(response, target)
    return response


async def asend(client: Any, base: str, call: Call) -> Any:
    """`send` for an `httpx.AsyncClient`."""
    method, target, body = call
    if body:
        response = await client.request(
            method, base + target, content=body, headers={"content-type": "application/json"}
        )
    else:
        response = await client.request(method, base + target)
    _check(response, target)
    return response


def _check(response: Any, target: str) -> None:
    # A cheap proof the right recording answered: the body names the item the URL names (cassetter replays
    # JSON re-serialized, with spaces, so both spellings count).
    number = target.split("?", 1)[0].rsplit("/", 1)[1]
    head = response.content[:40]
    if response.status_code != 200 or (
        f'"id":{number},'.encode() not in head and f'"id": {number},'.encode() not in head
    ):
        raise AssertionError(f"wrong answer for {target}: {response.status_code} {response.content[:60]!r}")


def warm_up() -> None:
    """Pay httpx's one-time lazy work (imports, SSL context, codecs) before anything is timed."""
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"id":0,}')

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.get("http://warm.up/items/0")
        client.post("http://warm.up/items/0", content=b"{}")


class Clock:
    """Wall and CPU time of a block (``with Clock() as clock: ...; clock.wall, clock.cpu``)."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB (Linux reports ru_maxrss in KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_worker(
    script: Path, args: Sequence[str], python: str = sys.executable, timeout: float = 1800
) -> dict[str, Any]:
    """Run one measurement in a fresh process; it prints one JSON line last."""
    done = subprocess.run(
        [python, str(script), "--worker", *args], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
