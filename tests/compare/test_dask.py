"""Replays on a real Dask cluster (worker processes on loopback), recordings read from S3 by the workers."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from playback_dvd import CompareExecutionConfig, EqualityStatus, Equalizer, S3Cassette
from playback_dvd.compare._location import play_from_location

from .._clients import available_libraries, client_module
from .._s3_servers import S3Server, isolated_aws_environment, moto_server
from ._noisy_service import record_orders

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

PLAYER = "tests.compare._noisy_service:replay_order"
ITEMS = ("a", "bb", "ccc", "dddd", "eeeee", "ffffff")


@pytest.fixture(scope="module")
def moto() -> Iterator[S3Server]:
    """moto's S3 server, its endpoint in the environment: the cluster's workers inherit it."""
    with isolated_aws_environment(), moto_server() as server:
        os.environ["AWS_ENDPOINT_URL"] = server.endpoint_url
        try:
            yield server
        finally:
            del os.environ["AWS_ENDPOINT_URL"]


@pytest.fixture(scope="module")
def cluster(moto):
    """Two worker processes (one thread each) on 127.0.0.1, and a client on them.

    ``allowed-failures: 0``: a task whose worker dies fails at once (KilledWorker) instead of being retried
    on up to 3 more workers, so the lost worker's recordings are reported, not replayed again.
    """
    import dask

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as local,
        distributed.Client(local, set_as_default=False) as client,
    ):
        yield local, client


@pytest.fixture(scope="module")
def fleet(moto, cluster, _server_process):
    """Orders recorded into an S3 bucket, as a fleet of recorders stores them; (location, {item: id}).

    The orders alternate between httpx and httpx2 (where installed), so the workers replay both libraries
    without a second cluster run (a replay is hermetic: a request either library let through would fail).
    """
    client = moto.client()
    bucket = moto.new_bucket(client)
    cassette = S3Cassette(bucket, "fleet", client=client)
    clients = [client_module(name) for name in available_libraries()]
    record_orders(cassette, _server_process.url, ITEMS, clients)
    by_item = {
        item: next(iter(cassette.iter_recording_ids("Orders", metadata={"item": item}))) for item in ITEMS
    }
    cassette.close()
    return f"s3://{bucket}/fleet", by_item


def test_replays_run_on_the_cluster_workers_which_import_the_player_and_read_s3(cluster, fleet):
    _, client = cluster
    location, by_item = fleet
    ids = list(by_item.values())
    config = CompareExecutionConfig(executor=client.get_executor(), batch_size=2)
    player = functools.partial(play_from_location, location, PLAYER)
    comparisons = list(
        Equalizer(ids, player, compare_execution_config=config, detect_noise=True).run_comparison()
    )
    assert sorted(c.recording_id for c in comparisons) == sorted(ids)
    assert {c.equality_status for c in comparisons} == {EqualityStatus.Equal}
    assert all(c.noise for c in comparisons)
    imported = client.run(lambda: "tests.compare._noisy_service" in sys.modules)
    assert len(imported) == 2
    assert all(imported.values())


def test_a_worker_lost_mid_run_fails_exactly_the_recordings_it_held(cluster, fleet):
    _, client = cluster
    location, by_item = fleet
    ids = list(by_item.values())
    config = CompareExecutionConfig(executor=client.get_executor(), batch_size=1)
    player = functools.partial(
        play_from_location, location, "tests.compare._noisy_service:replay_order_or_die"
    )
    comparisons = list(
        Equalizer(ids, player, compare_execution_config=config, detect_noise=True).run_comparison()
    )
    assert sorted(c.recording_id for c in comparisons) == sorted(ids)  # every recording reported, once
    failed = [c for c in comparisons if c.equality_status is EqualityStatus.EqualizerFailure]
    killer = next(c for c in comparisons if c.recording_id == by_item["bb"])
    assert killer in failed
    # Dask names the worker a lost task was on: every failure is of that one worker (the killer's batch
    # and any batch queued beside it there), every other recording was replayed, by the other worker.
    lost_worker = re.search(r"was (tcp://\S+?)\.? ", killer.comparator_status.message).group(1)
    assert all("KilledWorker: Attempted to run task" in c.comparator_status.message for c in failed)
    assert all(f"was {lost_worker}" in c.comparator_status.message for c in failed)
    assert {c.equality_status for c in comparisons if c not in failed} == {EqualityStatus.Equal}


def test_the_command_line_replays_on_the_cluster_given_by_its_scheduler_address(cluster, fleet, tmp_path):
    local, _ = cluster
    location, by_item = fleet
    root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-m", "playback_dvd.cli", "compare", location, "--category", "Orders"]
    command += [
        "--player",
        PLAYER,
        "--executor",
        local.scheduler_address,
        "--detect-noise",
        "--format",
        "json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=root, env=environment)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert sorted(c["recording_id"] for c in document["comparisons"]) == sorted(by_item.values())
    assert document["summary"]["counts"]["Equal"] == len(ITEMS)


@pytest.mark.parametrize("address", ["nonsense", "tcp://host", "tcp://a b:1"])
def test_a_malformed_scheduler_address_is_refused_before_connecting(address):
    from playback_dvd import ConfigurationError
    from playback_dvd.compare._dask import dask_executor

    with pytest.raises(ConfigurationError, match="must look like tcp://host:8786"), dask_executor(address):
        pass
