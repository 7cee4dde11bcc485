"""``playback-dvd ls`` and ``show``, run as real subprocesses against a LocalCassette directory."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from playback_dvd import (
    DVDDocument,
    ExceptionInfo,
    InputRecord,
    Interaction,
    LocalCassette,
    OutputRecord,
    Request,
    Response,
    S3Cassette,
)
from playback_dvd.cassettes import new_recording_id

from .._s3_servers import isolated_aws_environment, moto_server


def cli(*args: str, env=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playback_dvd.cli", *args], capture_output=True, text=True, timeout=60, env=env
    )


def save(cassette, category, when, metadata, **fields):
    recording_id = new_recording_id(category, when)
    cassette.save_recording(
        DVDDocument(
            id=recording_id,
            category=category,
            metadata={"recorded_at": when.isoformat(), **metadata},
            **fields,
        )
    )
    return recording_id


@pytest.fixture
def recordings(tmp_path):
    cassette = LocalCassette(tmp_path / "recordings")
    ids = {
        "old": save(cassette, "Checkout", datetime(2026, 11, 1, tzinfo=timezone.utc), {"order_id": 1}),
        "new": save(cassette, "Checkout", datetime(2026, 11, 20, tzinfo=timezone.utc), {"order_id": 42}),
        "refund": save(cassette, "Refund", datetime(2026, 11, 20, tzinfo=timezone.utc), {"order_id": 42}),
        "full": save(
            cassette,
            "Checkout",
            datetime(2026, 11, 21, tzinfo=timezone.utc),
            {"order_id": 7, "user": "ann"},
            interactions=(
                Interaction(
                    Request("GET", "http://127.0.0.1:9/prices?sku=a"),
                    Response(
                        200, (("content-type", "application/json"),), b'{"price": 10}', reason_phrase="OK"
                    ),
                ),
                Interaction(
                    Request("POST", "http://127.0.0.1:9/pay", body=b"amount=10"),
                    None,
                    ExceptionInfo("ConnectError", "refused"),
                ),
            ),
            inputs={"checkout.load_order(order_id=7)": InputRecord({"lines": 2})},
            outputs=(OutputRecord("checkout.save_invoice", {"invoice": {"total": 10}}, None),),
        ),
    }
    return tmp_path / "recordings", ids


def test_ls_lists_the_recordings_of_a_category_newest_first(recordings):
    location, ids = recordings
    result = cli("ls", str(location), "--category", "Checkout")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [ids["full"], ids["new"], ids["old"]]


def test_ls_since_keeps_recent_recordings(recordings):
    location, ids = recordings
    result = cli("ls", str(location), "--category", "Checkout", "--since", "2026-11-15")
    assert result.stdout.split() == [ids["full"], ids["new"]]


def test_ls_where_filters_on_metadata_with_json_values(recordings):
    location, ids = recordings
    result = cli(
        "ls", str(location), "--category", "Checkout", "--category", "Refund", "--where", "order_id=42"
    )
    assert result.stdout.split() == [ids["new"], ids["refund"]]


def test_ls_where_accepts_text_globs(recordings):
    location, ids = recordings
    result = cli("ls", str(location), "--category", "Checkout", "--where", "user=a*")
    assert result.stdout.split() == [ids["full"]]


def test_ls_long_prints_the_metadata(recordings):
    location, ids = recordings
    result = cli("ls", str(location), "--category", "Checkout", "--limit", "1", "-l")
    assert result.stdout.startswith(f"{ids['full']}  {{")
    assert '"user": "ann"' in result.stdout


def test_ls_of_a_missing_directory_exits_2_naming_it(tmp_path):
    result = cli("ls", str(tmp_path / "nowhere"), "--category", "Checkout")
    assert result.returncode == 2
    assert f"{tmp_path / 'nowhere'}: no such directory" in result.stderr


def test_ls_with_a_bad_date_exits_2_naming_the_option(recordings):
    location, _ = recordings
    result = cli("ls", str(location), "--category", "Checkout", "--since", "last tuesday")
    assert result.returncode == 2
    assert "--since 'last tuesday'" in result.stderr


def test_show_prints_metadata_inputs_outputs_and_http_interactions(recordings):
    location, ids = recordings
    result = cli("show", str(location), ids["full"])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"id: {ids['full']}" in out
    assert "category: Checkout" in out
    assert '  user: "ann"' in out
    assert 'checkout.load_order(order_id=7) = {"lines": 2}' in out
    assert 'checkout.save_invoice({"invoice": {"total": 10}}) -> null' in out
    assert "[1] GET http://127.0.0.1:9/prices?sku=a" in out
    assert "-> 200 OK (13 bytes)" in out
    assert 'body: {"price": 10}' in out
    assert "[2] POST http://127.0.0.1:9/pay" in out
    assert "raised ConnectError: refused" in out


def test_show_of_an_unknown_id_exits_2_naming_it(recordings):
    location, _ = recordings
    missing = "Checkout/2026-11-20/" + "0" * 32
    result = cli("show", str(location), missing)
    assert result.returncode == 2
    assert f"no recording with id {missing!r}" in result.stderr


def test_an_s3_location_without_a_bucket_exits_2():
    result = cli("ls", "s3://", "--category", "Checkout")
    assert result.returncode == 2
    assert "s3://bucket/prefix" in result.stderr


@pytest.fixture(scope="module")
def moto():
    """moto's S3 server on 127.0.0.1, with fake credentials in the environment (inherited by the CLI)."""
    with isolated_aws_environment(), moto_server() as server:
        yield server


def test_ls_and_show_read_an_s3_location(moto):
    client = moto.client()
    bucket = moto.new_bucket(client)
    cassette = S3Cassette(bucket, "team/recordings", client=client)
    recording_id = save(cassette, "Checkout", datetime(2026, 11, 20, tzinfo=timezone.utc), {"order_id": 42})
    cassette.close()
    environment = {**os.environ, "AWS_ENDPOINT_URL": moto.endpoint_url}
    location = f"s3://{bucket}/team/recordings"
    listed = cli("ls", location, "--category", "Checkout", "--where", "order_id=42", env=environment)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == [recording_id]
    shown = cli("show", location, recording_id, env=environment)
    assert shown.returncode == 0, shown.stderr
    assert f"id: {recording_id}" in shown.stdout
    assert "  order_id: 42" in shown.stdout


def test_ls_imports_neither_the_recorder_nor_the_compare_engine(tmp_path):
    # Listing must stay cheap: the recorder and the compare engine (and all they import) stay out.
    code = (
        "import sys\n"
        "from playback_dvd.cli import main\n"
        f"code = main(['ls', {str(tmp_path)!r}, '--category', 'orders'])\n"
        "heavy = ('playback_dvd.recorder', 'playback_dvd.compare')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "print(code, loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split(" ", 1)[1].strip() == "[]", result.stdout + result.stderr


def test_ls_without_a_category_lists_the_categories_and_their_counts(recordings):
    location, _ = recordings
    result = cli("ls", str(location))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Checkout  3 recordings", "Refund    1 recording"]


def test_ls_long_without_a_category_lists_each_categorys_recordings(recordings):
    location, ids = recordings
    lines = cli("ls", str(location), "-l").stdout.splitlines()
    assert lines[0] == "Checkout  3 recordings"
    assert lines[1].startswith(f"  {ids['full']}  {{")
    assert lines[4] == "Refund    1 recording"
    assert lines[5].startswith(f"  {ids['refund']}  ")


def test_ls_shows_the_operations_of_each_category(tmp_path, monkeypatch, server):
    from ..compare._service import record_items

    location, _ = record_items(tmp_path, server, monkeypatch, refunds=1)
    result = cli("ls", str(location))
    assert result.stdout.splitlines() == [
        "Pricing  4 recordings  "
        "(tests.compare._service:Pricing.quote 3, tests.compare._service:Pricing.refund 1)"
    ]
    long = cli("ls", str(location), "--category", "Pricing", "-l").stdout
    assert '"operation": "tests.compare._service:Pricing.refund"' in long


def test_ls_finding_nothing_says_so_on_stderr(recordings):
    location, _ = recordings
    result = cli("ls", str(location), "--category", "Checkout", "--where", "order_id=999")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "playback-dvd ls: no recordings of Checkout match\n"


def test_ls_of_an_empty_directory_says_so_on_stderr(tmp_path):
    result = cli("ls", str(tmp_path))
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == f"playback-dvd ls: no recordings in {tmp_path}\n"


def test_an_unknown_category_among_several_is_an_error(recordings):
    location, _ = recordings
    result = cli("ls", str(location), "--category", "Checkout", "--category", "Refnud")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"playback-dvd ls: no category Refnud in {location} (categories there: Checkout, Refund)\n"
    )


@pytest.fixture
def pytest_dvd(tmp_path):
    """A DVD file as the pytest plugin writes it: no id, no category, two interactions."""
    from playback_dvd.formats._files import write_document

    path = tmp_path / "test_items.dvd.json"
    write_document(
        path,
        DVDDocument(
            interactions=(
                Interaction(Request("GET", "https://api.example.com/items?id=1"), Response(200, (), b"{}")),
                Interaction(
                    Request("POST", "https://api.example.com/pay"), None, ExceptionInfo("ConnectError", "")
                ),
            )
        ),
    )
    return path


def test_ls_of_a_dvd_file_lists_its_interactions(pytest_dvd):
    result = cli("ls", str(pytest_dvd))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[1] GET https://api.example.com/items?id=1 -> 200",
        "[2] POST https://api.example.com/pay -> raised ConnectError",
    ]


def test_show_of_a_dvd_file_needs_no_id(pytest_dvd):
    result = cli("show", str(pytest_dvd))
    assert result.returncode == 0, result.stderr
    assert "HTTP interactions (2):" in result.stdout
    assert "  [1] GET https://api.example.com/items?id=1" in result.stdout


def test_show_of_a_corrupt_dvd_file_exits_2_in_one_line(tmp_path):
    broken = tmp_path / "broken.dvd"
    broken.write_bytes(b"\x00 not a dvd")
    result = cli("show", str(broken))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"playback-dvd show: cannot read DVD {broken}")
