"""Demo: the example web service records real requests, its code changes, ``playback-dvd compare`` catches it.

1. The upstream price API and the quote service (``examples/webservice``) run under uvicorn; three requests
   are recorded by the service into a LocalCassette directory (HTTP calls, the database read, the audit
   write, the result).
2. Both servers stop and the database is deleted: replays need none of them.
3. ``playback-dvd compare`` replays every recording on the service's code as it is: all Equal, exit 0.
4. The code changes (a copy of the service with the gold discount raised from 10% to 25%, the one-line edit
   a developer would make) and the same command reports the two gold customers' quotes as Different, path
   by path, exits 1 and writes an HTML report.

Run it with ``.venv/bin/python examples/compare_demo.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from record_and_replay import HERE, free_port, make_database, uvicorn  # the web service example's helpers

REQUESTS = [(1, "apple,bread"), (2, "cheese,dates,apple"), (1, "dates")]


def record(work: Path, env: dict[str, str]) -> None:
    """Run the upstream API and the recording quote service, send REQUESTS, stop both, delete the database."""
    make_database(work / "shop.sqlite")
    with uvicorn("upstream", free_port(), env) as upstream:
        env["QUOTE_UPSTREAM"] = upstream  # replays must call the same URL: requests are matched on it
        with uvicorn("quote_service", free_port(), env) as service:
            for customer_id, skus in REQUESTS:
                answer = httpx.get(f"{service}/quote/{customer_id}", params={"skus": skus}).json()
                print(f"recorded  GET /quote/{customer_id}?skus={skus} -> {answer}")
    (work / "shop.sqlite").unlink()
    print("upstream and service stopped, database deleted")


def change_the_code(work: Path) -> Path:
    """A copy of the service's code with the gold discount raised: the change under review."""
    changed = work / "webservice-v2"
    shutil.copytree(HERE, changed, ignore=shutil.ignore_patterns("__pycache__"))
    source = changed / "quote_service.py"
    text = source.read_text()
    if "GOLD_DISCOUNT = 0.10" not in text:
        raise SystemExit(f"{source}: no 'GOLD_DISCOUNT = 0.10' line to change")
    source.write_text(text.replace("GOLD_DISCOUNT = 0.10", "GOLD_DISCOUNT = 0.25"))
    print("\nchanged   quote_service.py: GOLD_DISCOUNT = 0.10 -> 0.25")
    return changed


def compare(recordings: Path, code: Path, env: dict[str, str], *extra: str) -> int:
    """Run ``playback-dvd compare`` as a user would, on the service code in *code*; returns its exit code."""
    arguments = [str(recordings), "--category", "QuoteService", "--player", "replay:replay_quote", *extra]
    print(f"\n$ PYTHONPATH={code} playback-dvd compare {' '.join(arguments)}")
    command = [sys.executable, "-m", "playback_dvd.cli", "compare", *arguments, "--quiet"]
    environment = {**os.environ, **env, "PYTHONPATH": str(code)}
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    print(result.stdout + result.stderr, end="")
    print(f"(exit code {result.returncode})")
    return result.returncode


def main(argv: list[str]) -> int:
    # The HTML report is kept after the demo, to be opened: in the temp dir unless a path is given.
    report = Path(argv[0]) if argv else Path(tempfile.gettempdir()) / "compare-demo-report.html"
    with tempfile.TemporaryDirectory(prefix="compare-demo-") as directory:
        work = Path(directory)
        recordings = work / "recordings"
        env = {"QUOTE_DATABASE": str(work / "shop.sqlite"), "QUOTE_RECORDINGS": str(recordings)}
        record(work, env)
        unchanged = compare(recordings, HERE, env)
        changed_code = change_the_code(work)
        changed = compare(recordings, changed_code, env)
        compare(recordings, changed_code, env, "--format", "html", "--output", str(report))
    caught = unchanged == 0 and changed == 1
    print("\nregression caught" if caught else "\nunexpected exit codes")
    return 0 if caught else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
