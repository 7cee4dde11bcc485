"""Where a replayed request's own cost goes, measured in place: each step in turn made free.

    python benchmarks/replay_breakdown.py [--rounds 30] [--n 1000]

Profilers and isolated timings mislead here: a step timed alone, in a tight loop, runs about twice as
fast as it does between httpx's own code (caches), and a profiler inflates Python-heavy code most. So
this replays the same requests through a real ``httpx.Client`` inside ``use_dvd`` while taking one step
after another off the replay path (each made free by answering it from a table filled beforehand), and
reports what each removal saved, against the floor (``MockTransport`` building ``httpx.Response(status,
headers=..., content=body)`` from prebuilt parts, the issue's floor). Variants run in their own process,
floor and replay alternate in passes of 100 requests, and each keeps the minimum per request (client
thread CPU): minima resist a shared machine's load.

Variants (cumulative):

- ``replay``: the replay as it ships (the direct path of ``http/_direct.py``);
- ``- row decode``: the stored row's wire form is taken from a table (no msgpack, checks or encoding);
- ``- filter check``: `Filters.keep_match_features` answers True at once;
- ``- index key``: the key comes from a table by (method, URL parts).

What is left after the last is the seam itself: the patched ``_transport_for_url``, the handler
transport, the ContextVar lookups, the lookup and play count under the DVD's lock, and the response built
around a stream rather than pre-read content.
"""

from __future__ import annotations

import argparse
import contextvars
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

VARIANTS = ["replay", "- row decode", "- filter check", "- index key"]
SOURCE = "http://svc.test"


def _calls(count: int) -> list[tuple[str, str, bytes]]:
    made = []
    for number in range(count):
        if number % 10 == 9:
            made.append(("POST", f"/items/{number}", json.dumps({"item": number, "op": "update"}).encode()))
        else:
            made.append(("GET", f"/items/{number}?q=v{number}&page={number % 7}", b""))
    return made


def _send(client: httpx.Client, call: tuple[str, str, bytes]) -> httpx.Response:
    method, target, body = call
    if body:
        return client.request(
            method, SOURCE + target, content=body, headers={"content-type": "application/json"}
        )
    return client.request(method, SOURCE + target)


def _record(path: Path, count: int) -> None:
    import playback_dvd as pd

    def server(request: httpx.Request) -> httpx.Response:
        payload = {"id": str(request.url), "data": os.urandom(480).hex()}  # incompressible, ~1 KB
        return httpx.Response(200, json=payload)

    with pd.use_dvd(path, record_mode="all"), httpx.Client(transport=httpx.MockTransport(server)) as client:
        for call in _calls(count):
            _send(client, call)


def _make_free(level: int) -> None:
    """Take the first *level* steps off the replay path (answered from tables filled on first use)."""
    from playback_dvd.dvd._dvd import DVD
    from playback_dvd.filters._pipeline import Filters
    from playback_dvd.http._direct import DirectReplay

    if level >= 1:
        wire_response = DVD.wire_response
        rows: dict[int, Any] = {}

        def cached_wire(self: DVD, position: int) -> Any:
            if position not in rows:
                rows[position] = wire_response(self, position)
            return rows[position]

        DVD.wire_response = cached_wire  # type: ignore[method-assign]
    if level >= 2:
        Filters.keep_match_features = lambda self, *args: True  # type: ignore[method-assign]
    if level >= 3:
        init = DirectReplay.__init__

        def keyed_init(self: DirectReplay, dvd: Any, filters: Any, found: Any, parts_key: Any) -> None:
            keys: dict[Any, Any] = {}

            def table_key(method: str, parts: Any, digest: Any) -> Any:
                if (method, parts) not in keys:
                    keys[method, parts] = parts_key(method, parts, digest)
                return keys[method, parts]

            init(self, dvd, filters, found, table_key)

        DirectReplay.__init__ = keyed_init  # type: ignore[method-assign]


def _worker(path: Path, level: int, count: int, rounds: int) -> dict[str, float]:
    import playback_dvd as pd

    calls = _calls(count)
    parts: dict[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
    with pd.use_dvd(path, record_mode="none"), httpx.Client() as client:
        for call in calls:
            response = _send(client, call)
            parts[call[0], SOURCE + call[1]] = (
                response.status_code,
                list(response.headers.raw),
                response.content,
            )

    def floor(request: httpx.Request) -> httpx.Response:
        status, headers, body = parts[request.method, str(request.url)]
        return httpx.Response(status, headers=headers, content=body)

    _make_free(level)
    floor_client = httpx.Client(transport=httpx.MockTransport(floor))
    outside = contextvars.Context()  # no handler in charge: the floor's requests bypass use_dvd
    best = {"floor": float("inf"), "replay": float("inf")}
    with pd.use_dvd(path, record_mode="none", allow_playback_repeats=True), httpx.Client() as client:
        for round_number in range(rounds):
            for start in range(0, count, 100):
                chunk = calls[start : start + 100]

                def timed(target: httpx.Client, chunk: list[tuple[str, str, bytes]] = chunk) -> float:
                    began = time.thread_time()
                    for call in chunk:
                        _send(target, call)
                    return (time.thread_time() - began) / len(chunk)

                order = ["floor", "replay"] if round_number % 2 else ["replay", "floor"]
                for name in order:
                    took = outside.run(timed, floor_client) if name == "floor" else timed(client)
                    best[name] = min(best[name], took)
    return {name: value * 1e6 for name, value in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(Path(args.worker[0]), int(args.worker[1]), args.n, args.rounds)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "replay.dvd"
        _record(path, args.n)
        previous = None
        print(
            f"{args.n:,} interactions (.dvd), {args.rounds} rounds; client-thread CPU µs per request, minima"
        )
        print("| variant | floor | replay | over the floor | saved by this step |")
        print("|---|---|---|---|---|")
        for level, name in enumerate(VARIANTS):
            command = [sys.executable, __file__, "--worker", str(path), str(level), "--n", str(args.n)]
            command += ["--rounds", str(args.rounds)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            figures = json.loads(done.stdout)
            over = figures["replay"] - figures["floor"]
            saved = "" if previous is None else f"{previous - over:.1f}"
            ratio = figures["replay"] / figures["floor"]
            cells = [
                name,
                f"{figures['floor']:.1f}",
                f"{figures['replay']:.1f}",
                f"+{over:.1f} ({ratio:.3f}x)",
                saved,
            ]
            print("| " + " | ".join(cells) + " |")
            previous = over


if __name__ == "__main__":
    main()
