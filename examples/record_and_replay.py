"""Record a real web service in action, take its dependencies away, and replay what it did.

1. Starts the upstream price API and the quote service (each a uvicorn server in its own process), the
   service recording every request into a `LocalCassette` directory.
2. Sends a few requests.
3. Stops the upstream and deletes the database.
4. Replays each recording here with ``recorder.aplay`` (no network, no database) and prints the recorded
   and replayed outputs side by side; then once more with a changed discount, to show a regression.

Run: ``python examples/record_and_replay.py``
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent / "webservice"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def uvicorn(module: str, port: int, env: dict[str, str]) -> Iterator[str]:
    """Run ``module:app`` under uvicorn on 127.0.0.1:*port* until the block ends."""
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE), f"{module}:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{module} did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def make_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("create table customers (id integer primary key, name text, tier text)")
        db.execute("create table audit (customer_id integer, total real)")
        db.executemany("insert into customers values (?, ?, ?)", [(1, "Ada", "gold"), (2, "Grace", "silver")])


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="playback-dvd-example-") as directory:
        return run(Path(directory))


def run(work: Path) -> int:
    env = {
        "QUOTE_DATABASE": str(work / "shop.sqlite"),
        "QUOTE_RECORDINGS": str(work / "recordings"),
    }
    make_database(work / "shop.sqlite")
    requests = [(1, "apple,bread"), (2, "cheese,dates,apple"), (1, "dates")]

    upstream_port, service_port = free_port(), free_port()
    with uvicorn("upstream", upstream_port, env) as upstream:
        env["QUOTE_UPSTREAM"] = upstream
        with uvicorn("quote_service", service_port, env) as service:
            for customer_id, skus in requests:
                answer = httpx.get(f"{service}/quote/{customer_id}", params={"skus": skus}).json()
                print(f"recorded  GET /quote/{customer_id}?skus={skus} -> {answer}")
    (work / "shop.sqlite").unlink()
    print("upstream stopped, database deleted")

    # Replay in this process, on the service's code, reading the recordings the server wrote.
    os.environ.update(env)
    sys.path.insert(0, str(HERE))
    import quote_service  # imported only now: its configuration comes from env above

    recorder, service_object = quote_service.recorder, quote_service.service
    recording_ids = sorted(recorder.cassette.iter_recording_ids("QuoteService"))
    print(f"{len(recording_ids)} recordings in {env['QUOTE_RECORDINGS']}")

    def replay_all(label: str) -> int:
        matching = 0
        for recording_id in recording_ids:
            playback = asyncio.run(
                recorder.aplay(
                    recording_id,
                    lambda dvd: service_object.quote(dvd.metadata["customer_id"], dvd.metadata["skus"]),
                )
            )
            same = playback.playback_outputs == playback.recorded_outputs and playback.playback_error is None
            matching += same
            recorded, replayed = playback.recorded_outputs[-1].value, playback.playback_outputs[-1].value
            verdict = "same" if same else "DIFFERENT"
            print(f"{label}  {recording_id}: recorded {recorded} | replayed {replayed} -> {verdict}")
        print(f"{label}  {matching} of {len(recording_ids)} replays match")
        return matching

    replay_all("replay  ")
    quote_service.GOLD_DISCOUNT = 0.25  # a "code change": gold customers now get 25% off
    replay_all("changed ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
