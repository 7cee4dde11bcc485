"""Exit code 2 and one line on stderr for whatever keeps a command from running: S3 down, a missing bucket,
no boto3, a corrupt file; ``--debug`` adds the traceback (real subprocesses, real S3 servers)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .._s3_servers import isolated_aws_environment, moto_server
from .test_compare import PLAYER, ROOT

# A Python that cannot import boto3, as on an installation without the s3 extra.
WITHOUT_BOTO3 = "import sys; sys.modules['boto3'] = None; from playback_dvd.cli import main; sys.exit(main())"


def run(
    *args: str, env: dict[str, str] | None = None, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "playback_dvd", *args]
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    environment = {**(env or os.environ), "PYTHONPATH": path}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT, env=environment)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def stopped_s3():
    """The environment of a CLI whose S3 endpoint is a server that was just stopped."""
    with isolated_aws_environment():
        with moto_server() as server:
            endpoint = server.endpoint_url
        yield {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_MAX_ATTEMPTS": "2"}


@pytest.fixture(scope="module")
def running_s3():
    with isolated_aws_environment(), moto_server() as server:
        yield {**os.environ, "AWS_ENDPOINT_URL": server.endpoint_url}


@pytest.mark.parametrize("command", ["compare", "ls"])
def test_a_stopped_s3_server_exits_2_saying_it_is_unreachable(stopped_s3, command):
    args = ["--category", "Pricing"] + (["--player", PLAYER] if command == "compare" else [])
    line = one_line(run(command, "s3://recordings/prod", *args, env=stopped_s3))
    assert line.startswith(f"playback-dvd {command}: S3 ListObjectsV2 on s3://recordings/prod/")
    assert "EndpointConnectionError" in line
    assert "is the S3 endpoint up and reachable?" in line


def test_a_missing_bucket_exits_2_naming_it_and_what_to_do(running_s3):
    line = one_line(
        run("compare", "s3://no-such-bucket/x", "--category", "C", "--player", PLAYER, env=running_s3)
    )
    assert "NoSuchBucket" in line
    assert "create the bucket 'no-such-bucket' or check its name" in line


@pytest.mark.parametrize("command", ["compare", "ls"])
def test_without_boto3_an_s3_location_exits_2_naming_the_extra(command):
    args = ["--category", "Pricing"] + (["--player", PLAYER] if command == "compare" else [])
    line = one_line(run(command, "s3://recordings/prod", *args, code=WITHOUT_BOTO3))
    assert "pip install 'playback-dvd[s3]'" in line


def test_debug_adds_the_traceback(stopped_s3):
    result = run("ls", "s3://recordings/prod", "--category", "C", "--debug", env=stopped_s3)
    assert result.returncode == 2
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.strip().splitlines()[-1].startswith("playback-dvd ls: S3 ListObjectsV2")


def test_a_corrupt_recording_in_a_listing_exits_2_in_one_line(tmp_path):
    (tmp_path / "Checkout" / "2026" / "11" / "23").mkdir(parents=True)
    (tmp_path / "Checkout" / "2026" / "11" / "23" / ("0" * 32 + ".meta.json")).write_text("{not json")
    line = one_line(run("ls", str(tmp_path), "--category", "Checkout", "--where", "order_id=1"))
    assert "cannot read DVD" in line
    assert "not valid JSON" in line


def test_version_names_the_installed_version():
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"playback-dvd {version('playback-dvd')}"


def test_python_m_playback_dvd_is_the_command():
    result = run()
    assert result.returncode == 2
    assert "usage: playback-dvd" in result.stderr
    assert "compare" in result.stderr
