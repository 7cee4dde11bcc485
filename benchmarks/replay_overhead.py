"""Replay overhead of `use_dvd` over the httpx floor, at N = 100, 10,000 and 100,000 recorded interactions.

    python benchmarks/replay_overhead.py [--reps 5] [--ns 100,10000,100000] [--requests 10000]

First records the largest N distinct requests (~1 KB JSON bodies, every 10th a POST) with ``use_dvd(...,
record_mode="all")`` against a local server in its own process, once (kept in ``benchmarks/results/``); the
smaller DVDs are its first N interactions. Then, in a fresh process per measurement, replays 10,000 requests
through ``httpx.Client`` with ``use_dvd(..., record_mode="none")`` (spread over the whole DVD; at N=100, 100
passes with a rewind between them) and the same requests through the floor: ``httpx.Client(transport=
httpx.MockTransport(handler))`` whose handler looks the prebuilt response parts up in a dict. Prints the
median µs per request (wall and CPU) and the median of the per-repetition ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _peers as peers
import _workload as w


def dvd_path(count: int) -> Path:
    return w.RESULTS / f"replay-{count}.dvd"


def record(count: int) -> None:
    """Record *count* distinct requests against the local server into ``replay-{count}.dvd``."""
    import httpx

    import playback_dvd as pd

    w.RESULTS.mkdir(exist_ok=True)
    target = dvd_path(count)
    target.unlink(missing_ok=True)
    # The recorded URLs carry the server's random port; the workers read the base URL back from the DVD.
    with (
        w.local_server() as base,
        w.Clock() as clock,
        pd.use_dvd(target, record_mode="all"),
        httpx.Client() as c,
    ):
        for call in w.calls(count):
            w.send(c, base, call)
    print(f"recorded {count} interactions into {target} in {clock.wall:.1f} s", file=sys.stderr)


def schedule(count: int, requests: int) -> list[int]:
    """Which recorded interactions to replay, in order: spread over the DVD, each at most once a pass."""
    if count >= requests:
        step = count // requests
        return list(range(0, step * requests, step))
    return [n % count for n in range(requests)]


def worker(lib: str, count: int, requests: int) -> dict[str, Any]:
    import httpx

    import playback_dvd as pd
    from playback_dvd.formats._files import read_document

    path = dvd_path(count)
    document = read_document(path)
    assert document is not None
    interactions = document.interactions[:count]
    base = interactions[0].request.url.split("/items/", 1)[0]
    every = w.calls(count)
    order = schedule(count, requests)
    w.warm_up()
    if lib == "floor":
        prebuilt = {
            (i.request.method, i.request.url): (
                i.response.status_code,
                [(k.encode("latin-1"), v.encode("latin-1")) for k, v in i.response.headers],
                i.response.body,
            )
            for i in interactions
            if i.response is not None
        }
        with httpx.Client(transport=peers.prebuilt_transport(prebuilt)) as client, w.Clock() as clock:
            for number in order:
                w.send(client, base, every[number])
    else:
        with pd.use_dvd(path, record_mode="none") as dvd, httpx.Client() as client:
            dvd._build_index()  # private: the index is built on the first lookup; that is load, not replay
            with w.Clock() as clock:
                for position, number in enumerate(order):
                    if position and number == 0:
                        dvd.rewind()  # the next pass over a small DVD (O(N) once per N requests)
                    w.send(client, base, every[number])
    return {"wall_us": clock.wall / requests * 1e6, "cpu_us": clock.cpu / requests * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--ns", default="100,10000,100000")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--worker", nargs=3, metavar=("LIB", "N", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        lib, count, requests = args.worker
        print(json.dumps(worker(lib, int(count), int(requests))))
        return
    counts = [int(n) for n in args.ns.split(",")]
    biggest = max(counts)
    from playback_dvd.formats._files import read_document, write_document

    if not dvd_path(biggest).exists():
        record(biggest)
    full = read_document(dvd_path(biggest))
    assert full is not None
    for count in counts:
        if not dvd_path(count).exists():
            import attrs

            write_document(dvd_path(count), attrs.evolve(full, interactions=full.interactions[:count]))
    libs = ["floor", "use_dvd"]
    results: dict[int, dict[str, list[dict[str, float]]]] = {n: {lib: [] for lib in libs} for n in counts}
    for rep in range(args.reps):
        for count in counts:
            rotated = libs[rep % 2 :] + libs[: rep % 2]  # rotate which goes first
            for lib in rotated:
                results[count][lib].append(
                    w.run_worker(Path(__file__), [lib, str(count), str(args.requests)])
                )
        print(f"repetition {rep + 1}/{args.reps} done", file=sys.stderr)
    print(
        f"\nreplay of {args.requests} requests, median of {args.reps} fresh-process repetitions "
        "(µs/request)\n"
    )
    print("| N | floor wall | use_dvd wall | ratio wall | floor CPU | use_dvd CPU | ratio CPU |")
    print("|---|---|---|---|---|---|---|")
    summary = {}
    for count in counts:
        floor, ours = results[count]["floor"], results[count]["use_dvd"]
        ratio_wall = w.median([o["wall_us"] / f["wall_us"] for o, f in zip(ours, floor, strict=True)])
        ratio_cpu = w.median([o["cpu_us"] / f["cpu_us"] for o, f in zip(ours, floor, strict=True)])
        row = {
            "floor_wall": w.median([f["wall_us"] for f in floor]),
            "dvd_wall": w.median([o["wall_us"] for o in ours]),
            "floor_cpu": w.median([f["cpu_us"] for f in floor]),
            "dvd_cpu": w.median([o["cpu_us"] for o in ours]),
            "ratio_wall": ratio_wall,
            "ratio_cpu": ratio_cpu,
        }
        summary[count] = row
        print(
            f"| {count:,} | {row['floor_wall']:.0f} | {row['dvd_wall']:.0f} | {ratio_wall:.3f} | "
            f"{row['floor_cpu']:.0f} | {row['dvd_cpu']:.0f} | {ratio_cpu:.3f} |"
        )
    (w.RESULTS / "replay_overhead.json").write_text(
        json.dumps({"raw": results, "summary": summary}, indent=1)
    )


if __name__ == "__main__":
    main()
