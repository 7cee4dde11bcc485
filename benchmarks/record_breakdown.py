"""Where a recorded request's own cost goes: live requests to a loopback server, recorded step by step.

    python benchmarks/record_breakdown.py [--rounds 20] [--n 100] [--mock]

The same requests (the harness's traffic: GETs with a query, every 10th a POST; ~1 KB answers of random
hex) go to the loopback server of ``benchmarks/_server.py`` (another process) through one
``httpx.Client``, in passes of *n* requests; the variants alternate pass by pass and each keeps its
minimum client-thread CPU per request (the server's CPU is not counted; minima resist a shared machine's
load). Each recorded pass records into a new ``.dvd``. With ``--mock`` the answers come from an in-process
``httpx.MockTransport`` built from the server's bodies instead: no network, whose cost moves between runs,
so the steps' own costs show more steadily (its ``live`` is the MockTransport's cost, not a request's).

- ``live``: no recording;
- ``seam``: a handler that only forwards (the patched clients, the handler transport, the guard's
  ContextVar): what being intercepted costs;
- ``recorded, rules off``: ``use_dvd(record_mode="all", redact_secrets=False)``, the save excluded;
- ``recorded``: the same with the secret rules (the default);
- ``recorded + save``: the default, the save at the block's end included (what the harness's
  "recording vs live" times);
- ``recorded, rules off, - DVD.record``: the rules off and `DVD.record` made a no-op (its index update
  and the recorded models the garbage collector then visits, are off the path);
- ``recorded, rules off, - DVD.record, - filters``: and `Filters.request`/`response` hand back what they
  get: what is left is the seam, the conversion to models, the tee and the response around it.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import _server
import _workload as w
import httpx

import playback_dvd as pd
from playback_dvd.dvd._dvd import DVD
from playback_dvd.filters._pipeline import Filters
from playback_dvd.http import _guard
from playback_dvd.http._activation import activated


class _Forward:
    def handle(self, request: Any, send: Callable[[Any], Any]) -> Any:
        return send(request)

    async def ahandle(self, request: Any, send: Any) -> Any:
        return await send(request)


@contextlib.contextmanager
def _answering(mock: bool) -> Iterator[tuple[str, httpx.Client]]:
    """The base URL and client of the requests: the loopback server, or a MockTransport with its bodies."""
    if not mock:
        with w.local_server() as base, httpx.Client() as client:
            yield base, client
        return

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.path.rsplit("/", 1)[-1])
        body = _server.item_body(number, request.content)
        return httpx.Response(200, headers=[(b"content-type", b"application/json")], content=body)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        yield "http://svc.test", client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--mock", action="store_true", help="answer from a MockTransport, no network")
    args = parser.parse_args()
    calls = w.calls(args.n)
    _guard.ensure_hook()  # installed by the first recording anyway; every variant pays it alike
    folder = Path(tempfile.mkdtemp())
    passes = iter(range(10**9))

    @contextlib.contextmanager
    def recording(**options: Any) -> Iterator[None]:
        with pd.use_dvd(folder / f"{next(passes)}.dvd", record_mode="all", **options):
            yield

    @contextlib.contextmanager
    def without(*steps: tuple[type[Any], str, Callable[..., Any]]) -> Iterator[None]:
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in steps]
        for owner, name, replacement in steps:
            setattr(owner, name, replacement)
        try:
            with recording(redact_secrets=False):
                yield
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)

    no_record = (DVD, "record", lambda self, interaction, url_parts=None: None)
    no_filters = [
        (Filters, "request", lambda self, request, found=None: request),
        (Filters, "response", lambda self, response, found=None: response),
    ]
    variants: dict[str, Callable[[], contextlib.AbstractContextManager[Any]]] = {
        "live": contextlib.nullcontext,
        "seam": lambda: activated(_Forward()),
        "recorded, rules off": lambda: recording(redact_secrets=False),
        "recorded": recording,
        "recorded, rules off, - DVD.record": lambda: without(no_record),
        "recorded, rules off, - DVD.record, - filters": lambda: without(no_record, *no_filters),
    }
    best = dict.fromkeys([*variants, "recorded + save"], float("inf"))
    with _answering(args.mock) as (base, client):
        for call in calls:  # warm the connection and the code
            w.send(client, base, call)
        names = list(variants)
        for round_number in range(args.rounds):
            for name in names[round_number % len(names) :] + names[: round_number % len(names)]:
                began = time.thread_time()
                with variants[name]():
                    for call in calls:
                        w.send(client, base, call)
                    sent = time.thread_time()
                saved = time.thread_time()
                best[name] = min(best[name], (sent - began) / args.n)
                if name == "recorded":
                    best["recorded + save"] = min(best["recorded + save"], (saved - began) / args.n)
    live = best["live"]
    print(f"{args.n} requests per pass, {args.rounds} rounds; client-thread CPU µs per request, minima")
    print("| variant | µs per request | over live |")
    print("|---|---|---|")
    for name, value in best.items():
        print(f"| {name} | {value * 1e6:.1f} | +{(value - live) * 1e6:.1f} ({value / live:.3f}x) |")


if __name__ == "__main__":
    main()
