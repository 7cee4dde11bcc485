"""The benchmark harness: playback_dvd against plain httpx (the floor) and the peers that are installed.

    python benchmarks/run.py [--ns 100,10000,100000] [--reps 3] [--libs floor,playback_dvd,...] [--quick]

Installs nothing: every library of the ``bench`` extra that imports is measured (dvd-rw needs Python >= 3.12;
see docs/performance.md for the venv). Prints one table (also written to ``benchmarks/results/``), and saves
the plot ``docs/replay_cost.png`` when matplotlib is installed. Method (see ``_workload.py``): every figure
from a fresh process, rotated order, ratios to the floor taken inside one repetition, medians, CPU time.

Per library and N (distinct requests, ~1 KB JSON bodies, every 10th a POST):

- record: N requests through each library's recording into a new file, plus the save. The requests go to
  an in-process ``MockTransport`` "server" (the same for everyone), so only the library's cost is timed.
  Separately, ``recording vs live`` records 1,000 requests to a loopback server in another process against
  the same requests sent live (the DESIGN bar).
- file size, load (enter the replay context; playback_dvd's lazy index is built inside the timing).
- replay: up to 10,000 requests spread over the file, in recording order, shuffled, and through
  ``httpx.AsyncClient`` (sequential awaits); CPU µs per request and the ratio to the floor's.
- memory: peak RSS growth of the in-order replay process per interaction, less the body bytes.

Slow peers are sampled and the output says so: vcrpy looks requests up by a linear scan (O(N) per request),
so its replay at N >= 10,000 times a stratified sample; its big cassettes are written with the scan that
makes recording O(N^2) short-circuited (not timed). cassetter rebuilds its index on every recorded request
(O(N^2)), so it is not run at 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _peers as peers
import _workload as w
from _server import item_body

SOURCE = "http://api.bench.test"
REPLAYED = 10_000  # requests replayed per variant, spread over the file
VCRPY_SAMPLE = 20  # vcrpy replays of a stratified sample at N >= 10,000
DOCS = w.HERE.parent / "docs"


def source_transport() -> Any:
    """The in-process "server" recordings read from: the same bodies as `_server.py`, no network."""
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.path.rsplit("/", 1)[1])
        return httpx.Response(
            200,
            headers=[("Content-Type", "application/json"), ("Server", "bench")],
            content=item_body(number, request.content),
        )

    return httpx.MockTransport(handler)


FLOORS = ("floor", "floor_prebuilt")


def file_for(lib: str, count: int) -> Path:
    lib = "floor" if lib == "floor_prebuilt" else lib  # both floors replay the floor's recording
    return w.RESULTS / f"harness-{lib}-{count}{peers.SUFFIX[lib]}"


def skipped(lib: str, count: int, phase: str) -> str | None:
    """Why *lib* is not run for this phase at this N (None: it is run)."""
    if lib == "cassetter" and count > 10_000:
        return "cassetter: recording rebuilds the index per request (O(N^2), hours at 100,000)"
    if lib == "vcrpy" and count > 10_000:
        return "vcrpy: 100,000-interaction YAML loads in minutes at ~1.5 GB and each lookup scans (O(N))"
    if lib == "vcrpy" and count > 100 and phase == "record":
        return (
            "vcrpy: recording scans the cassette per request (O(N^2), ~40 min at 10,000); file made unscanned"
        )
    return None


# -- the measurements, each run in a fresh process ---------------------------------------------------------


def measure_record(lib: str, count: int, live: bool = False) -> dict[str, Any]:
    path = file_for(lib, count) if not live else w.RESULTS / f"live-{lib}.dvd"
    path.unlink(missing_ok=True)
    calls = w.calls(count)
    w.warm_up()
    peers.preload(lib)
    quiet_scan = lib == "vcrpy" and skipped(lib, count, "record") is not None
    if live:
        with w.local_server() as base:
            transport = None
            with w.Clock() as clock:
                context = peers.recording(lib, path) if lib != "live" else contextlib.nullcontext()
                with context, peers.make_client(lib, transport) as client:
                    for call in calls:
                        w.send(client, base, call)
        return {"wall": clock.wall, "cpu": clock.cpu}
    scan = peers.vcrpy_without_scan() if quiet_scan else contextlib.nullcontext()
    with (
        scan,
        w.Clock() as clock,
        peers.recording(lib, path),
        peers.make_client(lib, source_transport()) as client,
    ):
        for call in calls:
            w.send(client, SOURCE, call)
    return {"wall": clock.wall, "cpu": clock.cpu, "bytes": path.stat().st_size, "timed": not quiet_scan}


def replay_order(count: int, lib: str, variant: str) -> tuple[list[int], bool]:
    """The interactions replayed (and whether it is a stratified sample of a slow peer)."""
    sampled = lib == "vcrpy" and count >= 1_000
    wanted = VCRPY_SAMPLE if sampled else min(count, REPLAYED)
    step = count // wanted
    # One request from each of *wanted* equal slices: a lookup's cost depends on its position for vcrpy.
    order = [slice_start + (step // 2 if sampled else 0) for slice_start in range(0, step * wanted, step)]
    if variant == "shuffled":
        random.Random(7).shuffle(order)
    return order, sampled


def measure_replay(lib: str, count: int, variant: str) -> dict[str, Any]:
    path = file_for(lib, count)
    calls = w.calls(count)
    order, sampled = replay_order(count, lib, variant)
    # A small recording is replayed in several passes (each loads it afresh, untimed) so that at least
    # ~2,000 requests are timed: one pass of 100 is too short to time on a shared machine.
    passes = 1 if sampled else max(1, min(20, REPLAYED // 5 // len(order)))
    peers.preload(lib)
    w.warm_up()
    rss_before = w.current_rss_mb()
    wall = cpu = 0.0
    load = None
    for _ in range(passes):
        context = peers.replaying(lib, path)  # lazy for every library: the load is the __enter__
        with w.Clock() as loading:
            transport = (
                peers.floor_transport(path, prebuilt_responses=lib == "floor_prebuilt")
                if lib in FLOORS
                else None
            )
            entered = context.__enter__()
            peers.prepare_index(lib, entered)()
        load = load or loading
        try:
            if variant == "async":
                clock = asyncio.run(_replay_async(lib, transport, [calls[n] for n in order]))
            else:
                with peers.make_client(lib, transport) as client, w.Clock() as clock:
                    for number in order:
                        w.send(client, SOURCE, calls[number])
        finally:
            context.__exit__(None, None, None)
        wall += clock.wall
        cpu += clock.cpu
    timed = len(order) * passes
    return {
        "load_wall": load.wall,
        "load_cpu": load.cpu,
        "wall_us": wall / timed * 1e6,
        "cpu_us": cpu / timed * 1e6,
        "requests": timed,
        "sampled": sampled,
        "rss_delta_mb": w.peak_rss_mb() - rss_before,
    }


async def _replay_async(lib: str, transport: Any, calls: list[w.Call]) -> w.Clock:
    # Every request is timed, the first ones after the load included (they pay any deferred GC work).
    async with peers.make_client(lib, transport, asynchronous=True) as client:
        with w.Clock() as clock:
            for call in calls:
                await w.asend(client, SOURCE, call)
    return clock


def measure_operation() -> dict[str, Any]:
    """`@operation` with recording off: µs per call over a plain function (operation_overhead.py's figure)."""
    try:
        import operation_overhead
    except ImportError:  # a checkout without the Recorder
        return {"missing": True}
    timings = operation_overhead.idle_overhead_ns(200_000)
    base = timings["undecorated"]
    saving = operation_overhead.saving_cost_s()
    return {
        "us": (timings["recording disabled"] - base) / 1000,
        "sampling_zero_us": (timings["sampling_rate=0"] - base) / 1000,
        "saving_caller_s": saving["caller"],
        "saving_background_s": saving["background"],
        "saving_caller_wall_s": saving["caller_wall"],
        "saving_background_wall_s": saving["background_wall"],
    }


def worker(args: list[str]) -> dict[str, Any]:
    phase, lib, count = args[0], args[1], int(args[2])
    if phase == "record":
        return measure_record(lib, count)
    if phase == "live":
        return measure_record(lib, count, live=True)
    return measure_replay(lib, count, args[3])


# -- the orchestration -------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import os

    model = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    libs = [lib for lib in args.libs.split(",") if peers.available(lib)]
    missing = [lib for lib in args.libs.split(",") if lib not in libs]
    if missing:
        banner = (
            f"NOT INSTALLED, NOT MEASURED: {', '.join(missing)} (python3 tasks.py bench installs every peer)"
        )
        log("!" * len(banner) + "\n" + banner + "\n" + "!" * len(banner))
        if not args.allow_missing:
            raise SystemExit("run.py: peers missing; install them or pass --allow-missing")
    counts = [int(n) for n in args.ns.split(",")]
    script = Path(__file__)
    w.RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {
        "machine": machine(),
        "versions": {lib: peers.version(lib) for lib in args.libs.split(",")},
        "missing": missing,
        "record": {},
        "replay": {},
        "live": {},
        "notes": [],
        "live_n": args.live_n,
    }
    started = time.perf_counter()
    # Recording vs live, on the loopback server: 1,000 requests, rotated, medians.
    live_ns = [int(n) for n in str(args.live_n).split(",")]
    for live_n in live_ns:
        live_runs: dict[str, list[dict[str, Any]]] = {"live": [], "playback_dvd": []}
        for rep in range(args.reps):
            for lib in ["live", "playback_dvd"] if rep % 2 == 0 else ["playback_dvd", "live"]:
                live_runs[lib].append(w.run_worker(script, ["live", lib, str(live_n)]))
        results["live"][str(live_n)] = live_runs
    log(f"recording vs live done ({time.perf_counter() - started:.0f} s)")
    for count in counts:
        reps = 0 if args.record_only else 1 if count >= 100_000 else args.reps
        results["record"][count] = {}
        results["replay"][count] = {lib: {"inorder": [], "shuffled": [], "async": []} for lib in libs}
        for lib in libs:
            if lib == "floor_prebuilt":  # replays the floor's recording: nothing of its own to record
                continue
            why = skipped(lib, count, "make")
            if why:
                results["notes"].append(f"N={count:,}: {why}: not run")
                continue
            note = skipped(lib, count, "record")
            if note:
                results["notes"].append(f"N={count:,}: {note}")
            results["record"][count][lib] = w.run_worker(script, ["record", lib, str(count)])
        log(f"N={count:,}: recorded ({time.perf_counter() - started:.0f} s)")
        if "floor" in results["record"][count] and "floor_prebuilt" in libs:
            results["record"][count]["floor_prebuilt"] = {**results["record"][count]["floor"], "alias": True}
        runnable = [lib for lib in libs if lib in results["record"][count]]
        if args.record_only:  # the record column's inputs only: every library's replay is left out
            results["replay"][count] = {lib: {"inorder": [], "shuffled": [], "async": []} for lib in runnable}
        for rep in range(reps):
            rotated = runnable[rep % len(runnable) :] + runnable[: rep % len(runnable)]
            for variant in ("inorder", "shuffled", "async"):
                for lib in rotated:
                    results["replay"][count][lib][variant].append(
                        w.run_worker(script, ["replay", lib, str(count), variant])
                    )
            log(f"N={count:,}: replay repetition {rep + 1}/{reps} ({time.perf_counter() - started:.0f} s)")
        # Keep what is done: a long run stopped later still leaves its finished sizes of N.
        results["elapsed_s"] = time.perf_counter() - started
        (w.RESULTS / "harness-partial.json").write_text(json.dumps(results, indent=1))
    results["operation"] = measure_operation()
    results["elapsed_s"] = time.perf_counter() - started
    return results


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _ratio_median(runs: list[dict[str, Any]], floor: list[dict[str, Any]], key: str) -> float | None:
    if not runs or not floor:
        return None
    return w.median([run[key] / base[key] for run, base in zip(runs, floor, strict=False)])


def table(results: dict[str, Any]) -> str:
    body_bytes = sum(len(item_body(n)) for n in range(1000)) / 1000
    lines = [
        "| N | library | record s (xfloor) | file MB (xdvd-rw) | load s (CPU s) "
        "| replay µs/req in order (xfloor, xprebuilt) | shuffled (xfloor, xprebuilt) "
        "| async (xfloor, xprebuilt) "
        "| memory KB/interaction beyond bodies |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for count_key, libs in results["replay"].items():
        count = int(count_key)
        records = results["record"][count_key]
        floor_record = records.get("floor")
        dvd_rw_bytes = records.get("dvd_rw", {}).get("bytes")
        for lib, variants in libs.items():
            if lib not in records:
                continue
            record = records[lib]
            if record.get("alias"):
                record_text = "(floor's)"
            elif record.get("timed", True):
                ratio = f" ({record['cpu'] / floor_record['cpu']:.2f})" if floor_record else ""
                record_text = f"{record['wall']:.2f}{ratio}"
            else:
                record_text = "not timed (O(N²))"
            size = record["bytes"] / 1e6
            size_text = f"{size:.2f}" + (f" ({record['bytes'] / dvd_rw_bytes:.2f})" if dvd_rw_bytes else "")
            inorder = variants["inorder"]
            if not inorder:  # a --record-only run
                lines.append(f"| {count:,} | {lib} | {record_text} | {size_text} | | | | | |")
                continue
            load = w.median([run["load_wall"] for run in inorder])
            load_cpu = w.median([run["load_cpu"] for run in inorder])
            cells = []
            for variant in ("inorder", "shuffled", "async"):
                runs = variants[variant]
                cpu = w.median([run["cpu_us"] for run in runs])
                ratios = [
                    _ratio_median(runs, libs.get(floor, {}).get(variant, []), "cpu_us") for floor in FLOORS
                ]
                shown = ", ".join(f"{ratio:.2f}" for ratio in ratios if ratio is not None)
                mark = " ~sampled" if runs[0]["sampled"] else ""
                cells.append(f"{cpu:,.0f} ({shown}){mark}" if shown else f"{cpu:,.0f}{mark}")
            memory = w.median([run["rss_delta_mb"] for run in inorder]) * 1024 / count - body_bytes / 1024
            lines.append(
                f"| {count:,} | {lib} | {record_text} | {size_text} | {load:.3f} ({load_cpu:.3f}) | "
                + " | ".join(cells)
                + f" | {memory:.1f} |"
            )
    return "\n".join(lines)


def summary(results: dict[str, Any]) -> str:
    out = []
    m = results["machine"]
    out.append(
        f"machine: {m['cpus']} CPUs, {m['cpu']}, Python {m['python']}, load average at start {m['load']}"
    )
    out.append("versions: " + ", ".join(f"{lib} {v}" for lib, v in results["versions"].items()))
    if results["missing"]:
        out.append("not installed (skipped): " + ", ".join(results["missing"]))
    # Older results hold one size of N directly; newer ones one entry per N.
    by_n = results["live"] if "live" not in results["live"] else {str(results["live_n"]): results["live"]}
    for live_n, runs in by_n.items():
        live, ours = runs["live"], runs["playback_dvd"]
        out.append(
            f"recording vs live ({len(ours)} repetitions of {int(live_n):,} requests to a loopback server): "
            f"wall {_ratio_median(ours, live, 'wall'):.3f}x, CPU {_ratio_median(ours, live, 'cpu'):.3f}x "
            f"(live {w.median([r['wall'] for r in live]) / int(live_n) * 1e6:.0f} µs/request; bar <= 1.10)"
        )
    operation = results["operation"]
    if operation.get("missing"):
        out.append("@operation with recording off: not measured (no Recorder in this checkout)")
    else:
        out.append(
            f"@operation with recording off: {operation['us']:.2f} µs per call over the bare function "
            f"(sampling_rate=0: {operation['sampling_zero_us']:.2f} µs; bar <= 2 µs)"
        )
        if "saving_caller_s" in operation:
            caller, background = operation["saving_caller_s"], operation["saving_background_s"]
            out.append(
                f"200 recorded operations into a LocalCassette, CPU s: in the caller {caller:.2f}, "
                f"in the background with the flush {background:.2f} ({background / caller:.2f}x; bar <= 1); "
                f"wall {operation['saving_caller_wall_s']:.2f} "
                f"and {operation['saving_background_wall_s']:.2f}"
            )
    out.append("")
    out.append("Ratios are of CPU time, medians of per-repetition ratios; µs are CPU µs per request.")
    out.append(table(results))
    out.extend(f"- {note}" for note in results["notes"])
    out.append(f"harness time: {results['elapsed_s'] / 60:.1f} min")
    return "\n".join(out)


def plot(results: dict[str, Any]) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    series: dict[str, tuple[list[int], list[float]]] = {}
    for count_key, libs in results["replay"].items():
        for lib, variants in libs.items():
            if variants["inorder"]:
                xs, ys = series.setdefault(lib, ([], []))
                xs.append(int(count_key))
                ys.append(w.median([run["cpu_us"] for run in variants["inorder"]]))
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for lib, (xs, ys) in series.items():
        axes.plot(xs, ys, marker="o", label=lib + (" (sampled at N≥10k)" if lib == "vcrpy" else ""))
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("interactions in the recording (N)")
    axes.set_ylabel("replay CPU µs per request (log)")
    axes.set_title("Replay cost per request through httpx.Client, in recording order")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    target = DOCS / "replay_cost.png"
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ns", default="100,10000,100000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--live-n", default="100,1000,10000", help="sizes of the recording-vs-live runs")
    parser.add_argument("--libs", default=",".join(peers.SUFFIX))
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="run even when a peer is not installed (said in the table)",
    )
    parser.add_argument(
        "--record-only",
        action="store_true",
        help="recording vs live, recording into files, @operation and saving: no replay",
    )
    parser.add_argument("--quick", action="store_true", help="N=100,1000, one repetition: a smoke run")
    parser.add_argument("--table-only", action="store_true", help="reprint the table of the last run")
    parser.add_argument("--merge", nargs="+", metavar="JSON", help="combine saved runs into one table")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    saved = w.RESULTS / "harness.json"
    if args.merge:
        # Runs of different N (e.g. the big N alone, in parallel) combined into one table and plot.
        parts = [json.loads(Path(name).read_text()) for name in args.merge]
        results = parts[0]
        for part in parts[1:]:
            for section in ("record", "replay"):
                results[section].update(part[section])
            results["notes"] += [note for note in part["notes"] if note not in results["notes"]]
            for key in ("live", "operation", "live_n"):  # a partial run may not have reached these
                mine = results.get(key)
                if not mine or (isinstance(mine, dict) and mine.get("missing")):
                    results[key] = part.get(key) or results.get(key)
            results["elapsed_s"] = results.get("elapsed_s", 0) + part.get("elapsed_s", 0)
        results.setdefault("operation", {"missing": True})
        results.setdefault("elapsed_s", 0)
        saved.write_text(json.dumps(results, indent=1))
    elif args.table_only:
        results = json.loads(saved.read_text())
    else:
        if args.quick:
            args.ns, args.reps, args.live_n = "100,1000", 1, "200"
        results = run(args)
        saved.write_text(json.dumps(results, indent=1))
    text = summary(results)
    (w.RESULTS / "harness.md").write_text(text + "\n")
    print(text)
    target = plot(results)
    if target is not None:
        print(f"plot: {target}")


if __name__ == "__main__":
    main()
