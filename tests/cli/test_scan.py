"""``playback-dvd scan``: planted secrets are found (and fixed), redacted recordings are clean."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
import vcr

import playback_dvd as pd
from playback_dvd import LocalCassette, Recorder, S3Cassette
from playback_dvd._models import DVDDocument, Interaction, Request, Response
from playback_dvd.cassettes import new_recording_id
from playback_dvd.cli import main
from playback_dvd.formats._files import write_document

from .._s3_servers import isolated_aws_environment, moto_server
from .._server import LocalServer
from ..filters._secret_traffic import HTTP_SECRETS, exercise, leaked

ROOT = Path(__file__).resolve().parent.parent.parent


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["scan", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(params=[".dvd.json", ".dvd"])
def suffix(request: pytest.FixtureRequest) -> str:
    """Each DVD format."""
    return str(request.param)


# Through httpx alone: scan reads files, and a DVD does not say which library recorded it (tests/http and
# tests/filters record the same traffic through both).
def record(path: Path, server: LocalServer, **options: object) -> None:
    with pd.use_dvd(path, **options), httpx.Client() as client:  # type: ignore[arg-type]
        exercise(client, server.url)


def test_planted_secrets_are_found_with_their_field_path_and_rule(
    tmp_path: Path, server: LocalServer, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"planted{suffix}"
    record(path, server, redact_secrets=False)
    code, out, _ = scan(capsys, str(path))
    assert code == 1
    for expected in (
        f"{path}: interactions[0].request.url: url password",
        f"{path}: interactions[0].request.url.query.api_key: secret name 'api_key'",
        f"{path}: interactions[2].request.headers.x-auth-token: secret name 'x_auth_token'",
        f"{path}: interactions[3].request.headers.cookie: secret name 'cookie'",
        f"{path}: interactions[3].request.headers.x-api-key: secret name 'x_api_key'",
        f"{path}: interactions[3].request.headers.proxy-authorization: secret name 'proxy_authorization'",
        f"{path}: interactions[2].request.body.settings.client_secret: secret name 'client_secret'",
        f"{path}: interactions[4].request.body.password: secret name 'password'",
        f"{path}: interactions[5].request.body.password: secret name 'password'",
        f"{path}: interactions[6].response.body.access_token: secret name 'access_token'",
        f"{path}: interactions[7].response.body.refresh_token: secret name 'refresh_token'",
        f"{path}: interactions[8].response.body.id_token: secret name 'id_token'",
    ):
        assert expected in out
    assert "token shape jwt" in out
    # the multipart password the server echoed in its JSON answer: found by value
    assert f"{path}: interactions[5].response.body.body: echo of a secret found elsewhere in the file" in out
    for secret in HTTP_SECRETS:  # the report is safe to print in a CI log
        assert secret not in out


def test_a_recording_made_with_the_defaults_is_clean(
    tmp_path: Path, server: LocalServer, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"clean{suffix}"
    record(path, server)
    code, out, err = scan(capsys, str(path))
    assert (code, err) == (0, "")
    assert out == "1 files scanned, no secret found\n"


def test_fix_rewrites_the_file_clean_and_it_still_replays(
    tmp_path: Path, server: LocalServer, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"fixed{suffix}"
    record(path, server, redact_secrets=False)
    code, out, _ = scan(capsys, "--fix", str(path))
    assert code == 1
    assert "; fixed 1" in out
    assert leaked(path) == []
    assert scan(capsys, str(path))[0] == 0
    hits = len(server.hits)
    with pd.use_dvd(path, record_mode="none"), httpx.Client() as client:
        exercise(client, server.url)
    assert len(server.hits) == hits


def test_token_shapes_are_found_under_harmless_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = json.dumps(
        {
            "note": "key AKIAIOSFODNN7EXAMPLE and sk-proj-abcdefghijklmnopqrstuvwx",
            "data": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dGhpcy1pcy1hLXNpZw",
            "echo": "Authorization was Bearer abcdefghijklmnop1234",
        }
    ).encode()
    document = DVDDocument(
        interactions=(
            Interaction(
                Request("GET", "https://api.example.com/x"),
                Response(200, (("Content-Type", "application/json"),), body),
            ),
        )
    )
    path = tmp_path / "shapes.dvd.json"
    write_document(path, document)
    code, out, _ = scan(capsys, "--format", "json", str(path))
    assert code == 1
    report = json.loads(out)
    rules = {(row["path"], row["rule"]) for row in report["findings"]}
    assert rules == {
        ("interactions[0].response.body.note", "token shape aws_access_key_id"),
        ("interactions[0].response.body.note", "token shape sk_key"),
        ("interactions[0].response.body.data", "token shape jwt"),
        ("interactions[0].response.body.echo", "token shape bearer_token"),
    }
    assert report["scanned"] == 1


def test_a_cassette_directory_is_searched_and_intercepted_values_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "recordings"
    raw = Recorder(LocalCassette(directory / "raw"), redact_secrets=False)
    safe = Recorder(LocalCassette(directory / "safe"))
    for recorder in (raw, safe):

        @recorder.intercept_input("vault.read")
        def read(client_secret: str) -> dict[str, str]:
            return {"refresh_token": "vault-refresh-123456"}

        @recorder.operation(category="vault")
        def run() -> str:
            return read("vault-secret-abcdef")["refresh_token"]

        run()
    code, out, _ = scan(capsys, str(directory))
    assert code == 1
    assert out.count("\n") == 4  # three findings and the summary: the redacted recording is clean
    assert re.search(r"raw/.*: inputs\[vault.read\]\.key\.client_secret: secret name 'client_secret'", out)
    assert re.search(r"raw/.*: inputs\[vault.read\]\.value\.refresh_token: secret name 'refresh_token'", out)
    # the operation returned the token it read: an echo, found by value
    assert re.search(r"raw/.*: outputs\[operation\]\.result: echo of a secret found elsewhere", out)
    assert "3 secrets in 1 of 2 files" in out


def test_a_vcrpy_cassette_is_scanned_but_not_rewritten(
    tmp_path: Path, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cassettes" / "login.yaml"
    with vcr.use_cassette(str(path)), httpx.Client() as client:
        client.post(f"{server.url}/echo", json={"password": "vcr-password-1"})
    before = path.read_bytes()
    code, out, err = scan(capsys, "--fix", str(tmp_path / "cassettes"))
    assert "interactions[0].request.body.password: secret name 'password'" in out
    assert code == 2
    assert "not fixed" in err
    assert path.read_bytes() == before


def test_unreadable_paths_exit_2_with_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "corrupt.dvd"
    corrupt.write_bytes(b"not a dvd")
    code, _, err = scan(capsys, str(tmp_path / "missing"), str(corrupt))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2
    assert "missing: no such file or directory" in lines[0]
    assert "corrupt.dvd" in lines[1]


def test_files_in_a_directory_that_are_no_cassette_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "token": "not-a-cassette-value"}')
    (tmp_path / "notes.yaml").write_text("password: in-a-config-file\n")
    assert scan(capsys, str(tmp_path)) == (0, "0 files scanned, no secret found\n", "")


def test_the_example_dvd_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = re.search(r"saved to (\S+\.dvd\.json)", result.stdout)
    assert found is not None, result.stdout
    code, out, _ = scan(capsys, found.group(1), str(ROOT / "examples"))
    assert code == 0, out


def test_an_s3_location_is_scanned(capsys: pytest.CaptureFixture[str]) -> None:
    with isolated_aws_environment(), moto_server() as moto:
        client = moto.client()
        bucket = moto.new_bucket(client)
        cassette = S3Cassette(bucket, "team", client=client)
        when = datetime(2026, 11, 20, tzinfo=timezone.utc)
        request = Request("GET", "https://api.example.com/items?api_key=s3-planted-key-1")
        for category in ("orders", "billing"):
            cassette.save_recording(
                DVDDocument(
                    interactions=(Interaction(request, Response(200)),),
                    id=new_recording_id(category, when),
                    category=category,
                    metadata={"recorded_at": when.isoformat()},
                )
            )
        cassette.close()
        result = subprocess.run(
            [sys.executable, "-m", "playback_dvd.cli", "scan", f"s3://{bucket}/team"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "AWS_ENDPOINT_URL": moto.endpoint_url},
        )
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("query.api_key: secret name 'api_key'") == 2
    assert f"s3://{bucket}/team/billing/" in result.stdout
