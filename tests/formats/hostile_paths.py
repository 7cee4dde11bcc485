"""Every reading path, run on one file: what came out, and what it cost.

Used by ``test_hostile.py`` (in a subprocess, to measure memory apart from the test runner) and by
``benchmarks/hostile_inputs.py`` (for the times in ``docs/performance.md``). Run it as
``python -m tests.formats.hostile_paths FILE...``: it prints one JSON object per line,
``{"file", "path", "outcome", "seconds", "rss_growth_mib"}``, where ``outcome`` is ``"DVDFormatError"``
when the path refused the file as it should (the CLI: exit 2 and one line on stderr), else what happened,
and ``rss_growth_mib`` is how much the process's peak RSS grew past what it was after a warm-up on a
real recording (an upper bound of what the file cost).
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import playback_dvd as pd
from playback_dvd import cli
from playback_dvd._errors import DVDFormatError
from playback_dvd._models import DVDDocument
from playback_dvd.cassettes._ids import new_recording_id

from .._s3_servers import S3Server, isolated_aws_environment, moto_server

CATEGORY = "Hostile"
REFUSED = "DVDFormatError"
SEED = Path(__file__).parent / "seeds" / "recording.dvd"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Paths:
    """The reading paths, each a function of a file's bytes returning the outcome."""

    def __init__(self, scratch: Path, s3: S3Server) -> None:
        self.scratch = scratch
        self.directory = scratch / "recordings"
        self.local = pd.LocalCassette(self.directory)
        self.recording_id = new_recording_id(CATEGORY)
        self.local.save_recording(DVDDocument(id=self.recording_id, category=CATEGORY, metadata={"n": 1}))
        self.dvd_path = self.local.recording_path(self.recording_id)
        self.meta_path = self.dvd_path.with_name(self.dvd_path.name[: -len(".dvd")] + ".meta.json")
        self.memory = pd.MemoryCassette()
        client = s3.client()
        self.bucket = s3.new_bucket(client)
        self.s3 = pd.S3Cassette(self.bucket, "hostile", client=client)
        self.s3.save_recording(DVDDocument(id=self.recording_id, category=CATEGORY, metadata={"n": 1}))
        self.s3_key = self.s3._dvd_key_of(self.recording_id)
        self.cached = pd.CachedS3Cassette(self.s3, local_path=scratch / "cache")

    def for_file(self, name: str) -> dict[str, Callable[[bytes], str]]:
        """The paths that read a file of this kind (a ``.meta.json`` is read by searches, not as a DVD)."""
        if name.endswith(".meta.json"):
            return {
                "local-search": self.local_search,
                "local-metadata": self.local_metadata,
                "cli-ls": self.cli_ls,
            }
        return {
            "use_dvd": self.use_dvd,
            "local": self.local_get,
            "memory": self.memory_get,
            "s3": self.s3_get,
            "cached-s3": self.cached_get,
            "recorder.play": self.play,
            "cli-show": self.cli_show,
            "cli-convert": self.cli_convert,
        }

    # -- the paths -----------------------------------------------------------------------------------------

    def use_dvd(self, payload: bytes) -> str:
        path = self.scratch / "use_dvd" / "test.dvd"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(payload)
        return _refused(lambda: _enter(pd.use_dvd(path, record_mode="none")))

    def local_get(self, payload: bytes) -> str:
        self.dvd_path.write_bytes(payload)
        return _refused(lambda: self.local.get_recording(self.recording_id))

    def memory_get(self, payload: bytes) -> str:
        self.memory._payloads[self.recording_id] = payload  # bytes a save could never store: planted
        return _refused(lambda: self.memory.get_recording(self.recording_id))

    def s3_get(self, payload: bytes) -> str:
        self.s3.client.put_object(Bucket=self.bucket, Key=self.s3_key, Body=payload)
        return _refused(lambda: self.s3.get_recording(self.recording_id))

    def cached_get(self, payload: bytes) -> str:
        self.s3.client.put_object(Bucket=self.bucket, Key=self.s3_key, Body=payload)
        self.cached.clear()
        return _refused(lambda: self.cached.get_recording(self.recording_id))

    def play(self, payload: bytes) -> str:
        self.dvd_path.write_bytes(payload)
        called = []
        playback = pd.Recorder(self.local).play(self.recording_id, called.append)
        error = playback.playback_error
        if called or error is None:
            return f"played: {playback!r}"
        return REFUSED if error.type_name == REFUSED else f"{error.type_name}: {error.message}"

    def cli_show(self, payload: bytes) -> str:
        self.dvd_path.write_bytes(payload)
        return _cli(["show", str(self.directory), self.recording_id])

    def cli_convert(self, payload: bytes) -> str:
        source = self.scratch / "convert" / "source"
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(payload)
        return _cli(["convert", str(source), str(self.scratch / "convert" / "out.dvd"), "--force"])

    def local_search(self, payload: bytes) -> str:
        self.meta_path.write_bytes(payload)
        return _refused(lambda: list(self.local.iter_recording_ids(CATEGORY, metadata={"n": 1})))

    def local_metadata(self, payload: bytes) -> str:
        self.meta_path.write_bytes(payload)
        return _refused(lambda: self.local.get_recording_metadata(self.recording_id))

    def cli_ls(self, payload: bytes) -> str:
        self.meta_path.write_bytes(payload)
        return _cli(["ls", str(self.directory), "--category", CATEGORY, "--long"])


def _enter(context: Any) -> None:
    with context:
        pass


def _refused(action: Callable[[], object]) -> str:
    try:
        result = action()
    except DVDFormatError:
        return REFUSED
    except BaseException as error:  # reported, so that the test names what escaped
        return f"{type(error).__name__}: {str(error)[:200]}"
    return f"loaded: {str(result)[:200]}"


def _cli(arguments: list[str]) -> str:
    errors, output = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(output):
            code = cli.main(arguments)
    except BaseException as error:  # reported, so that the test names what escaped
        return f"{type(error).__name__}: {str(error)[:200]}"
    lines = errors.getvalue().splitlines()
    if code == 2 and len(lines) == 1 and "cannot read DVD" in lines[0]:
        return REFUSED
    return f"exit {code}, stderr {lines!r}"


@contextlib.contextmanager
def paths() -> Iterator[Paths]:
    """Every path, set up in a scratch directory and on an S3 server of this process."""
    scratch = Path(tempfile.mkdtemp(prefix="hostile-"))
    try:
        with isolated_aws_environment(), moto_server() as s3:
            yield Paths(scratch, s3)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(files: list[Path]) -> Iterator[dict[str, Any]]:
    """Each file through each of its paths, after a warm-up of every path on a real recording."""
    with paths() as every:
        for warm_up in every.for_file("x.dvd").values():
            warm_up(SEED.read_bytes())
        for probe in every.for_file("x.meta.json").values():
            probe(b'{"metadata": {"n": 1}}')
        baseline = _peak_mib()
        for file in files:
            payload = file.read_bytes()
            for name, path in every.for_file(file.name).items():
                started = time.perf_counter()
                outcome = path(payload)
                yield {
                    "file": file.name,
                    "path": name,
                    "outcome": outcome,
                    "seconds": round(time.perf_counter() - started, 4),
                    "rss_growth_mib": round(max(0.0, _peak_mib() - baseline), 1),
                }


def main() -> None:
    """Print the outcome of every path for the files named on the command line."""
    for result in run([Path(name) for name in sys.argv[1:]]):
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
