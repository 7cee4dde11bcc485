"""The docs run as written: every Python block of the README (its HTTP sent to the loopback server, its S3
to a local S3 server), and every ``$ command`` transcript of the README and docs/compare.md, whose output
must be what the page shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ._docs import iter_python_blocks, matches, transcripts
from ._s3_servers import isolated_aws_environment, moto_server

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMPARE_DOCS = ROOT / "docs" / "compare.md"

# Run before a README block, never shown to readers: the hosts of the examples (api.example.com...) are
# answered by the test server on 127.0.0.1, at the transport under every client.
LOOPBACK = textwrap.dedent(
    """
    import os, httpx
    _port = int(os.environ["DOCS_SERVER_PORT"])
    def _local(request):
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=_port)
        return request
    _sync, _async = httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request
    httpx.HTTPTransport.handle_request = lambda self, request: _sync(self, _local(request))
    httpx.AsyncHTTPTransport.handle_async_request = lambda self, request: _async(self, _local(request))
    """
)
QUICK_START = ROOT / "examples" / "compare_quickstart" / "shop.py"
BLOCKS = list(iter_python_blocks(README))


@pytest.fixture(scope="module")
def s3_environment():
    """A local S3 server with the README's bucket, and the environment that points boto3 at it."""
    with isolated_aws_environment(), moto_server() as server:
        client = server.client()
        client.create_bucket(Bucket="acme-recordings")
        yield {
            "AWS_ENDPOINT_URL": server.endpoint_url,
            **{k: v for k, v in os.environ.items() if k.startswith("AWS_")},
        }


def quick_start_recordings(directory: Path) -> None:
    """The README's shell steps before its Python comparison: shop.py, 3 recordings, the code changed."""
    shop = directory / "shop.py"
    shutil.copy(QUICK_START, shop)
    script = "import shop; [shop.Checkout().run(n) for n in (1, 2, 3)]"
    subprocess.run([sys.executable, "-c", script], cwd=directory, check=True, timeout=60)
    shop.write_text(shop.read_text().replace("DISCOUNT = 0.10", "DISCOUNT = 0.15"))


@pytest.mark.parametrize(("number", "code"), BLOCKS, ids=[f"block{n}" for n, _ in BLOCKS])
def test_every_python_block_of_the_readme_runs_as_written(number, code, tmp_path, server, s3_environment):
    if "from shop import" in code:
        quick_start_recordings(tmp_path)
    script = tmp_path / f"readme_block_{number}.py"
    script.write_text(LOOPBACK + "\n" + code)
    environment = {
        **os.environ,
        **s3_environment,
        "DOCS_SERVER_PORT": str(server.server_address[1]),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),  # CachedS3Cassette's cache stays in the test's folder
        "TOKEN": "secret-token",  # the filters example reads it
        "PYTHONPATH": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )
    assert result.returncode == 0, f"README block {number} failed:\n{code}\n{result.stderr}"
    # A `print(...)  # shown` line promises what it prints.
    promised = [m[1] for m in re.finditer(r"^print\(.*\)\s+#\s*(.*)$", code, re.MULTILINE)]
    printed = result.stdout.splitlines()
    for shown, line in zip(promised, printed, strict=False):  # then: at least as many lines as promised
        assert matches((shown.split(";")[0].strip(),), [line]), (shown, line)
    assert len(printed) >= len(promised)


def run_transcript(steps, directory: Path) -> list[tuple[object, list[str], int]]:
    """Run each step's command in one bash session in *directory*; its output lines and exit code."""
    bin_dir = str(Path(sys.executable).parent)
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    environment.pop("PYTHONPATH", None)
    results = []
    for step in steps:
        command = step.command.replace("/tmp/quickstart", str(directory / "quickstart"))
        command = command.replace("examples/", f"{ROOT}/examples/")
        if command.startswith("cd "):
            directory = Path(command.rsplit("cd ", 1)[1])
        first = command.split(" && cd ")[0]
        done = subprocess.run(
            ["bash", "-c", first], capture_output=True, text=True, cwd=directory, env=environment, timeout=120
        )
        if " && cd " in command:
            directory = Path(command.split(" && cd ")[1])
        # What a person sees: stdout, then stderr without the progress lines (cleared on a terminal).
        errors = [line for line in done.stderr.splitlines() if not line.startswith("compared ")]
        results.append((step, done.stdout.splitlines() + errors, done.returncode))
    return results


def check(results) -> None:
    for step, lines, code in results:
        if step.exit_code is not None:
            assert code == step.exit_code, (step.command, code, lines)
        else:
            assert code == 0, (step.command, code, lines)
        assert matches(step.expected, lines), "\n".join(
            [f"$ {step.command}", "shown:", *step.expected, "got:", *lines]
        )


def test_the_readme_compare_walkthrough_prints_what_it_shows(tmp_path):
    (walkthrough,) = [steps for steps in transcripts(README) if "compare" in steps[-1].command]
    check(run_transcript(walkthrough, tmp_path))


def test_the_compare_docs_quick_start_prints_what_it_shows(tmp_path):
    shutil.copy(QUICK_START, tmp_path / "shop.py")
    steps = [step for block in transcripts(COMPARE_DOCS) for step in block]
    assert len(steps) >= 4
    check(run_transcript(steps, tmp_path))


def test_the_sample_error_in_the_http_docs_is_the_real_one(server, tmp_path, monkeypatch):
    import httpx

    import playback_dvd as pd

    from ._docs import code_blocks

    (shown,) = [b for b in code_blocks(ROOT / "docs" / "http.md", "") if b.startswith("Can't replay")]
    monkeypatch.chdir(tmp_path)
    with pd.use_dvd("quote.dvd.json", record_mode="once"):
        for sku in ("apple", "banana", "pear"):
            httpx.get(f"{server.url}/price?sku={sku}")
    with pytest.raises(pd.UnmatchedRequestError) as raised, pd.use_dvd("quote.dvd.json", record_mode="none"):
        httpx.get(f"{server.url}/price?sku=cherry")
    port = str(server.server_address[1])
    assert str(raised.value) == shown.rstrip("\n").replace("34513", port)
