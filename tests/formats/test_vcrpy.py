"""use_dvd replays cassettes recorded by the real vcrpy package, and refuses YAML that would run code."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest
import vcr

import playback_dvd as pd
from playback_dvd.formats import loads
from playback_dvd.formats._files import read_document

from .._server import LocalServer


def exchange(client: Any, server: LocalServer) -> list[object]:
    """The traffic every cassette here holds: JSON, a POST body, gzip, repeated headers, binary bytes."""
    return [
        client.get(f"{server.url}/items?id=1").json(),
        client.post(f"{server.url}/echo", json={"name": "dvd"}).json()["body"],
        client.get(f"{server.url}/gzip").json(),
        client.get(f"{server.url}/cookies").headers.get_list("set-cookie"),
        client.get(f"{server.url}/binary").content,
    ]


async def async_exchange(client: Any, server: LocalServer) -> list[object]:
    return [
        (await client.get(f"{server.url}/items?id=1")).json(),
        (await client.post(f"{server.url}/echo", json={"name": "dvd"})).json()["body"],
        (await client.get(f"{server.url}/gzip")).json(),
        (await client.get(f"{server.url}/cookies")).headers.get_list("set-cookie"),
        (await client.get(f"{server.url}/binary")).content,
    ]


@pytest.fixture
def yaml_cassette(hx: ModuleType, tmp_path: Path, server: LocalServer) -> tuple[Path, list[object]]:
    """A YAML cassette vcrpy itself recorded through *hx* from the local server, and the live results."""
    path = tmp_path / "recorded.yaml"
    with vcr.use_cassette(str(path), record_mode="once") as cassette, hx.Client() as client:
        cassette.get_metadata("seed", 42)  # vcrpy's own way of writing a metadata block
        live = exchange(client, server)
    assert path.exists()
    server.reset()
    return path, live


def test_a_vcrpy_yaml_cassette_replays_without_the_network(
    hx: ModuleType, yaml_cassette: tuple[Path, list[object]], server: LocalServer
) -> None:
    path, live = yaml_cassette
    before = path.read_bytes()
    with pd.use_dvd(path, record_mode="none") as dvd, hx.Client() as client:
        replayed = exchange(client, server)
    assert replayed == live
    assert server.hits == []
    assert dvd.all_played
    assert dvd.metadata == {"seed": 42}
    assert path.read_bytes() == before


@pytest.mark.anyio
async def test_a_vcrpy_yaml_cassette_replays_in_async_code(
    hx: ModuleType, yaml_cassette: tuple[Path, list[object]], server: LocalServer
) -> None:
    path, live = yaml_cassette
    async with pd.use_dvd(path), hx.AsyncClient() as client:
        replayed = await async_exchange(client, server)
    assert replayed == live
    assert server.hits == []


def test_a_vcrpy_json_cassette_replays_without_the_network(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "recorded.json"
    # vcrpy's JSON serializer cannot store binary bodies, so this cassette holds text only.
    with vcr.use_cassette(str(path), serializer="json", record_mode="once"), hx.Client() as client:
        live = [
            client.get(f"{server.url}/items?id=2").json(),
            client.post(f"{server.url}/echo", data={"a": "1"}),
        ]
    server.reset()
    with pd.use_dvd(path, record_mode="none"), hx.Client() as client:
        replayed = [
            client.get(f"{server.url}/items?id=2").json(),
            client.post(f"{server.url}/echo", data={"a": "1"}),
        ]
    assert replayed[0] == live[0]
    assert replayed[1].json() == live[1].json()
    assert server.hits == []


def test_a_vcrpy_cassette_recorded_through_one_library_replays_through_the_other(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    other = importlib.import_module("httpx2" if hx.__name__ == "httpx" else "httpx")  # hx skips httpx2 < 3.11
    path = tmp_path / "other.yaml"
    with vcr.use_cassette(str(path), record_mode="once"), other.Client() as client:
        live = exchange(client, server)
    server.reset()
    with pd.use_dvd(path, record_mode="none") as dvd, hx.Client() as client:
        replayed = exchange(client, server)
    assert replayed == live
    assert server.hits == []
    assert dvd.all_played


def test_compressed_bodies_keep_their_content_encoding(yaml_cassette: tuple[Path, list[object]]) -> None:
    document = read_document(yaml_cassette[0])
    assert document is not None
    gzip_response = document.interactions[2].response
    assert gzip_response is not None
    assert ("content-encoding", "gzip") in {(n.lower(), v) for n, v in gzip_response.headers}
    assert gzip_response.body[:2] == b"\x1f\x8b"


def test_a_vcrpy_cassette_is_never_recorded_into(yaml_cassette: tuple[Path, list[object]]) -> None:
    path = yaml_cassette[0]
    before = path.read_bytes()
    with pytest.raises(pd.ConfigurationError, match=r"vcrpy cassette.*playback-dvd convert"):
        pd.use_dvd(path, record_mode="new_episodes").__enter__()
    assert path.read_bytes() == before


def test_a_new_request_in_once_mode_is_refused_and_the_cassette_untouched(
    hx: ModuleType, yaml_cassette: tuple[Path, list[object]], server: LocalServer
) -> None:
    path = yaml_cassette[0]
    before = path.read_bytes()
    with pd.use_dvd(path), pytest.raises(pd.UnmatchedRequestError):
        hx.get(f"{server.url}/items?id=new")
    assert path.read_bytes() == before
    assert server.hits == []


# -- hand-written shapes vcrpy no longer writes --------------------------------------------------------

LEGACY_HTTPX = b"""\
interactions:
- request:
    body: ''
    headers:
      host: 127.0.0.1
    method: GET
    uri: http://127.0.0.1:9/legacy
  response:
    content: '{"decoded": true}'
    headers:
      content-encoding:
      - gzip
      content-length:
      - '31'
      content-type:
      - application/json
    http_version: HTTP/1.1
    status_code: 200
version: 1
"""


def test_the_legacy_httpx_format_replays_with_content_encoding_dropped() -> None:
    document = loads(LEGACY_HTTPX, "legacy.yaml")
    (interaction,) = document.interactions
    assert interaction.request.headers == (("host", "127.0.0.1"),)  # a bare string, not a list
    response = interaction.response
    assert response is not None
    assert response.body == b'{"decoded": true}'
    assert dict(response.headers) == {"content-length": "17", "content-type": "application/json"}


def test_a_legacy_cassette_replays_through_each_library(hx: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "legacy.yaml"
    path.write_bytes(LEGACY_HTTPX)
    with pd.use_dvd(path, record_mode="none"):
        response = hx.get("http://127.0.0.1:9/legacy")
    assert response.json() == {"decoded": True}


LEGACY_TAGS = b"""\
interactions:
- request:
    body: !!python/object/new:_io.BytesIO
      state: !!python/tuple
      - !!binary |
        cmVxdWVzdCBib2R5
      - 0
      - null
    headers:
      accept: !!python/tuple
      - !!python/unicode 'text/plain'
    method: !!python/str POST
    uri: http://127.0.0.1:9/tags
  response:
    body:
      string: !!python/object/apply:builtins.iter
        args:
        - - !!binary |
            Y2h1bmsx
          - chunk2
    headers: {}
    status:
      code: 201
      message: Created
version: 1
"""


def test_the_legacy_python_tags_vcrpy_maps_are_read_as_plain_data() -> None:
    (interaction,) = loads(LEGACY_TAGS, "tags.yaml").interactions
    assert interaction.request.method == "POST"
    assert interaction.request.body == b"request body"
    assert interaction.request.headers == (("accept", "text/plain"),)
    assert interaction.response is not None
    assert interaction.response.body == b"chunk1chunk2"
    assert interaction.response.reason_phrase == "Created"


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/apply:subprocess.check_call",
        "!!python/object/new:subprocess.Popen",
        "!!python/name:os.system",
    ],
)
def test_a_yaml_that_would_run_code_is_rejected_and_nothing_runs(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    args = f"['touch {marker}']" if "system" in tag else f"[['touch', '{marker}']]"
    path = tmp_path / "evil.yaml"
    path.write_text(
        "interactions:\n- request:\n    body: " + f"{tag} {args}\n"
        "    headers: {}\n    method: GET\n    uri: http://127.0.0.1:9/\n"
        "  response: {status: {code: 200, message: OK}, headers: {}, body: {string: ''}}\nversion: 1\n"
    )
    with pytest.raises(pd.DVDFormatError) as caught:
        pd.use_dvd(path, record_mode="none").__enter__()
    assert str(path) in str(caught.value)
    assert tag.split(":")[0] in str(caught.value)
    assert not marker.exists()


def test_a_pre_1_0_cassette_points_to_vcrpy_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("- request: {protocol: http, host: h, port: 80, path: /, method: GET}\n  response: {}\n")
    with pytest.raises(pd.DVDFormatError, match=r"python -m vcr\.migration"):
        read_document(path)


def test_an_unknown_vcrpy_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v2.json"
    path.write_text('{"version": 2, "interactions": []}')
    with pytest.raises(pd.DVDFormatError, match="version 2"):
        read_document(path)


def test_without_pyyaml_a_yaml_cassette_names_the_extra_to_install(
    yaml_cassette: tuple[Path, list[object]],
) -> None:
    script = (
        "import sys; sys.modules['yaml'] = None\n"
        "from playback_dvd.formats._files import read_document\n"
        f"read_document({str(yaml_cassette[0])!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "playback-dvd[vcrpy]" in result.stderr


def test_async_replay_of_a_legacy_cassette(hx: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "legacy.yaml"
    path.write_bytes(LEGACY_HTTPX)

    async def main() -> object:
        async with pd.use_dvd(path, record_mode="none"), hx.AsyncClient() as client:
            return (await client.get("http://127.0.0.1:9/legacy")).json()

    assert anyio.run(main) == {"decoded": True}


def test_placeholders_written_by_vcrpy_filter_sensitive_data_are_restored_on_replay(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "secret.yaml"
    url = f"{server.url}/items?id=tok-123"
    with vcr.use_cassette(str(path), filter_sensitive_data={"<TOKEN>": "tok-123"}), hx.Client() as client:
        live = client.get(url).json()
    assert "tok-123" not in path.read_text()
    server.reset()
    with pd.use_dvd(path, filter_sensitive_data={"<TOKEN>": "tok-123"}), hx.Client() as client:
        replayed = client.get(url).json()
    assert replayed == live
    assert replayed["id"] == "tok-123"
    assert server.hits == []


def test_a_cassette_without_a_version_line_loads_and_an_empty_reason_comes_from_the_status(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "handwritten.yaml"
    path.write_text(
        "interactions:\n"
        "- request:\n"
        "    body: ''\n"
        "    headers: {}\n"
        "    method: GET\n"
        "    uri: https://api.test/missing\n"
        "  response:\n"
        "    body: {string: nope}\n"
        "    headers: {}\n"
        "    status: {code: 404, message: ''}\n"
    )
    with pd.use_dvd(path, record_mode="none"):
        response = hx.get("https://api.test/missing")
    assert (response.status_code, response.reason_phrase, response.text) == (404, "Not Found", "nope")
