"""What the secure defaults (issue 15) cost per recorded request, and how fast ``playback-dvd scan`` is.

1. The filters alone, per request + response pair, with the secret rules off (``redact_secrets=False``), on
   traffic holding no secret, and on traffic holding secrets (an ``Authorization`` header, an ``api_key``
   query parameter, a JSON response with an ``access_token`` echoed in a later request), the save-time
   replacement by value included (amortized over a session of 100 requests).
2. Recording through `use_dvd` end to end (httpx ``MockTransport``, so no network noise), rules on and off.
3. ``playback-dvd scan`` on a directory of 1,000 DVDs (10 interactions each) in each format, as a
   pre-commit hook runs it: a fresh process, wall time and its CPU time.

Run: ``.venv/bin/python benchmarks/secrets_cost.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import playback_dvd as pd
from playback_dvd._models import DVDDocument, Interaction, Request, Response
from playback_dvd._options import resolve_options
from playback_dvd.formats._files import write_document

HEADERS = (
    ("Host", "api.example.com"),
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip, deflate"),
    ("Connection", "keep-alive"),
    ("User-Agent", "python-httpx/0.28"),
    ("X-Request-Id", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
)


def traffic(number: int, secret: bool, fresh_tokens: bool = False) -> tuple[Request, Response]:
    """One request/response pair of a typical JSON API (1 KB answer), with or without secrets in it.

    With secrets: the same credentials on every request, and an ``access_token`` in the first answer
    (echoed in the ``next`` link of every answer); *fresh_tokens* issues a new token in every answer, the
    worst case for replacement by value (one more value to search for after each request).
    """
    headers = HEADERS + ((("Authorization", "Bearer live-token-0123456789abcdef"),) if secret else ())
    query = f"id={number}&page=3&sort=name" + ("&api_key=k-9f8e7d6c5b4a3921" if secret else "")
    items = [{"id": n, "name": f"item {n}", "price": n * 1.5, "tags": ["a", "b"]} for n in range(12)]
    token = f"issued-token-{number if fresh_tokens else 0:012d}"
    data: dict[str, object] = {
        "items": items,
        "next": f"/items?page={number + 1}" + (f"&t={token}" if secret else ""),
    }
    if secret and (fresh_tokens or number == 0):
        data["access_token"] = token
    body = json.dumps(data).encode()
    response_headers = (("Content-Type", "application/json"), ("Content-Length", str(len(body))))
    return Request("GET", f"https://api.example.com/items?{query}", headers), Response(
        200, response_headers, body
    )


def filters_us_per_request(
    options: dict[str, object], secret: bool, sessions: int, fresh_tokens: bool = False
) -> float:
    """Median µs per request+response of the filters, save-time replacement by value included."""
    filters = resolve_options(options).filters
    pairs = [traffic(number, secret, fresh_tokens) for number in range(100)]
    timings = []
    for _ in range(sessions):
        started = time.perf_counter()
        found = filters.new_secret_values()
        interactions = []
        for request, response in pairs:
            kept_request = filters.request(request, found)
            kept_response = filters.response(response, found)
            assert kept_request is not None
            assert kept_response is not None
            interactions.append(Interaction(kept_request, kept_response))
        filters.conceal(DVDDocument(interactions=tuple(interactions)), found)
        timings.append((time.perf_counter() - started) / len(pairs) * 1e6)
    return statistics.median(timings)


def use_dvd_us_per_request(options: dict[str, object], requests: int, runs: int) -> float:
    """Median µs per request recorded through use_dvd (MockTransport: no network), file saved."""
    body = traffic(0, True)[1].body

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "application/json"}, content=body)

    timings = []
    with tempfile.TemporaryDirectory() as directory:
        for run in range(runs):
            path = Path(directory) / f"run{run}.dvd"
            started = time.perf_counter()
            with pd.use_dvd(path, **options), httpx.Client(transport=httpx.MockTransport(handler)) as client:  # type: ignore[arg-type]
                for number in range(requests):
                    client.get(
                        f"https://api.example.com/items?id={number}&api_key=k-9f8e7d6c5b4a3921",
                        headers={"Authorization": "Bearer live-token-0123456789abcdef"},
                    )
            timings.append((time.perf_counter() - started) / requests * 1e6)
    return statistics.median(timings)


def write_dvds(directory: Path, count: int, suffix: str) -> None:
    """*count* DVDs of 10 interactions each, recorded as the secure defaults store them (no finding)."""
    filters = resolve_options({}).filters
    for number in range(count):
        found = filters.new_secret_values()
        interactions = []
        for index in range(10):
            request, response = traffic(number * 10 + index, secret=True)
            kept_request, kept_response = filters.request(request, found), filters.response(response, found)
            assert kept_request is not None
            assert kept_response is not None
            interactions.append(Interaction(kept_request, kept_response))
        document = filters.conceal(DVDDocument(interactions=tuple(interactions)), found)
        write_document(directory / f"{number // 100:02d}" / f"test_{number}{suffix}", document)


def scan_seconds(directory: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``playback-dvd scan DIRECTORY`` in a fresh process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "playback_dvd.cli", "scan", str(directory)], capture_output=True, text=True
        )
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and DVDs (a smoke run)")
    args = parser.parse_args()
    sessions, runs, dvds = (5, 2, 100) if args.quick else (41, 7, 1000)

    print("1. filters per recorded request + response (median µs, 100-request sessions)")
    off = filters_us_per_request({"redact_secrets": False}, True, sessions)
    clean = filters_us_per_request({}, False, sessions)
    secret = filters_us_per_request({}, True, sessions)
    fresh = filters_us_per_request({}, True, sessions, fresh_tokens=True)
    print(f"   rules off (redact_secrets=False)   {off:7.1f} µs")
    print(f"   rules on, no secret in the traffic {clean:7.1f} µs  (+{clean - off:.1f})")
    print(f"   rules on, secrets redacted         {secret:7.1f} µs  (+{secret - off:.1f})")
    print(f"   rules on, a new token every answer {fresh:7.1f} µs  (+{fresh - off:.1f})")

    print(f"2. use_dvd recording, {runs} runs x 1,000 requests (median µs per request, file saved)")
    rules_off = use_dvd_us_per_request({"redact_secrets": False}, 1000, runs)
    rules_on = use_dvd_us_per_request({}, 1000, runs)
    print(
        f"   rules off {rules_off:7.1f} µs   rules on {rules_on:7.1f} µs   ratio {rules_on / rules_off:.2f}x"
    )

    print(f"3. playback-dvd scan of {dvds} DVDs x 10 interactions (fresh process, median of {runs})")
    for suffix in (".dvd.json", ".dvd"):
        with tempfile.TemporaryDirectory() as directory:
            write_dvds(Path(directory), dvds, suffix)
            wall, cpu = scan_seconds(Path(directory), runs)
        print(
            f"   {suffix:<10} wall {wall:5.2f} s   cpu {cpu:5.2f} s   ({wall / dvds * 1000:.2f} ms per DVD)"
        )


if __name__ == "__main__":
    main()
