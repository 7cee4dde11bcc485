"""Secure defaults (issue 15): no secret of any placement reaches a DVD file, and the file still replays.

Real traffic to the local server through `use_dvd` in both formats; the Recorder and the pytest plugin
have their own tests (tests/recorder/test_secret_intercepts.py, tests/pytest_plugin/test_secrets.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

import playback_dvd as pd
from playback_dvd.formats._files import read_document

from .._server import LocalServer
from ._secret_traffic import HTTP_SECRETS, SERVER_ACCESS_TOKEN, exercise, leaked


@pytest.fixture(params=[".dvd.json", ".dvd"])
def dvd_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A DVD file in each format."""
    return tmp_path / f"secrets{request.param}"


def record_and_replay(
    hx: ModuleType, path: Path, server: LocalServer, **options: object
) -> tuple[list[object], list[object]]:
    with pd.use_dvd(path, **options), hx.Client() as client:  # type: ignore[arg-type]
        recorded = exercise(client, server.url)
    hits = len(server.hits)
    with pd.use_dvd(path, record_mode="none", **options), hx.Client() as client:  # type: ignore[arg-type]
        replayed = exercise(client, server.url)
    assert len(server.hits) == hits, "the replay reached the network"
    return recorded, replayed


def test_no_placement_of_a_secret_reaches_the_file_and_it_still_replays(
    hx: ModuleType, dvd_path: Path, server: LocalServer
) -> None:
    recorded, replayed = record_and_replay(hx, dvd_path, server)
    assert leaked(dvd_path) == []
    assert replayed == recorded


def test_placeholders_name_the_field_they_replace(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "named.dvd.json"
    with pd.use_dvd(path), hx.Client() as client:
        exercise(client, server.url)
    text = path.read_text()
    for placeholder in (
        "<REDACTED:url_password>",
        "<REDACTED:api_key>",
        "<REDACTED:access_token>",
        "<REDACTED:password>",
        "<REDACTED:client_secret>",
        "<REDACTED:x-auth-token>",
        "Bearer <REDACTED:authorization>",
        "<REDACTED:refresh_token>",
        "<REDACTED:id_token>",
    ):
        assert placeholder in text


def test_a_token_the_server_issued_is_replaced_in_the_later_request_path(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "path.dvd.json"
    with pd.use_dvd(path), hx.Client() as client:
        exercise(client, server.url)
    document = read_document(path)
    assert document is not None
    urls = [interaction.request.url for interaction in document.interactions]
    assert f"{server.url}/reflect/<REDACTED:access_token>/profile" in urls
    assert not any(SERVER_ACCESS_TOKEN in url for url in urls)


def test_redact_secrets_false_stores_traffic_exactly_as_sent(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "raw.dvd.json"
    recorded, replayed = record_and_replay(hx, path, server, redact_secrets=False)
    assert set(leaked(path)) == set(HTTP_SECRETS)
    assert replayed == recorded


def test_not_secret_keeps_one_name_in_clear(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "kept.dvd.json"
    with pd.use_dvd(path, not_secret=["api_key"]):
        hx.get(f"{server.url}/items", params={"api_key": "keep-me-in-clear", "token": "hide-me-please"})
    text = path.read_text()
    assert "keep-me-in-clear" in text
    assert "hide-me-please" not in text


@pytest.mark.parametrize(
    ("switch", "kept"),
    [
        ("url_password", "urlpass-visible"),
        ("name_pattern", "pattern-visible"),
    ],
)
def test_not_secret_switches_one_rule_off(
    hx: ModuleType, tmp_path: Path, server: LocalServer, switch: str, kept: str
) -> None:
    path = tmp_path / "switch.dvd.json"
    host = server.url.removeprefix("http://")
    with pd.use_dvd(path, not_secret=[switch], filter_headers=["authorization"]):
        hx.get(f"http://user:urlpass-visible@{host}/items", params={"session_token": "pattern-visible"})
    text = path.read_text()
    assert kept in text


def test_by_value_can_be_switched_off(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "echo.dvd.json"
    with pd.use_dvd(path, not_secret=["by_value"]):
        hx.post(f"{server.url}/reflect", json={"password": "echoed-in-the-body"})
    document = read_document(path)
    assert document is not None
    (interaction,) = document.interactions
    assert b"echoed-in-the-body" not in interaction.request.body
    assert interaction.response is not None
    assert b"echoed-in-the-body" in interaction.response.body


def test_secret_names_adds_a_name_everywhere(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "added.dvd.json"
    with pd.use_dvd(path, secret_names=["customer-pin"]):
        hx.post(f"{server.url}/reflect?customer_pin=pin-in-query", json={"customerPin": "pin-in-json"})
    text = path.read_text()
    assert "pin-in-query" not in text
    assert "pin-in-json" not in text
    assert "<REDACTED:customerPin>" in text


def test_user_filters_values_are_replaced_where_the_server_echoes_them(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    # The second finding: filtered by the user's own options, yet echoed in body, Location, next.
    path = tmp_path / "echo.dvd.json"
    options: dict[str, object] = {
        "filter_headers": ["authorization"],
        "filter_query_parameters": [("apitoken", "<APITOKEN>")],
    }
    with pd.use_dvd(path, **options):  # type: ignore[arg-type]
        response = hx.get(
            f"{server.url}/reflect",
            params={"apitoken": "user-filtered-key"},
            headers={"authorization": "t-12345678"},
        )
    assert "user-filtered-key" in response.json()["next"]  # the caller saw the real echo
    text = path.read_text()
    assert "user-filtered-key" not in text
    assert "t-12345678" not in text
    assert "<APITOKEN>" in text
    with pd.use_dvd(path, record_mode="none", **options):  # type: ignore[arg-type]
        replayed = hx.get(f"{server.url}/reflect", params={"apitoken": "another-key"})
    assert replayed.status_code == 200


def test_filter_sensitive_data_values_are_restored_not_redacted(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "sensitive.dvd.json"
    options: dict[str, object] = {"filter_sensitive_data": {"<MY_KEY>": "real-key-1234"}}
    with pd.use_dvd(path, **options):  # type: ignore[arg-type]
        hx.get(f"{server.url}/reflect", params={"api_key": "real-key-1234"})
    assert "real-key-1234" not in path.read_text()
    with pd.use_dvd(path, record_mode="none", **options) as dvd:  # type: ignore[arg-type]
        replayed = hx.get(f"{server.url}/reflect", params={"api_key": "real-key-1234"})
    assert "real-key-1234" in replayed.json()["query"]
    assert dvd.all_played


def test_a_redacted_query_field_still_matches_a_different_live_value(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "match.dvd.json"
    with pd.use_dvd(path):
        hx.get(f"{server.url}/items", params={"id": "1", "api_key": "first-key-value"})
    with pd.use_dvd(path, record_mode="none", match_on=["method", "uri"]):
        replayed = hx.get(f"{server.url}/items", params={"id": "1", "api_key": "second-key-value"})
    assert replayed.json()["id"] == "1"
    assert len(server.hits) == 1


def test_replayed_redacted_cookies_keep_their_names(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "cookies.dvd.json"
    with pd.use_dvd(path), hx.Client() as client:
        client.get(f"{server.url}/cookies")
    with pd.use_dvd(path, record_mode="none"), hx.Client() as client:
        client.get(f"{server.url}/cookies")
        assert sorted(client.cookies) == ["a", "b"]


def test_a_bad_redaction_option_is_refused_when_use_dvd_is_called(tmp_path: Path) -> None:
    with pytest.raises(pd.ConfigurationError, match="redact_secrets must be True or False"):
        pd.use_dvd(tmp_path / "x.dvd.json", redact_secrets="yes")  # type: ignore[arg-type]
    with pytest.raises(pd.ConfigurationError, match="not_secret must be a list"):
        pd.use_dvd(tmp_path / "x.dvd.json", not_secret="token")


def test_json_body_is_kept_byte_for_byte_when_nothing_is_secret(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "plain.dvd.json"
    body = b'{"b": 1,  "a": [1, 2]}'
    with pd.use_dvd(path):
        hx.post(f"{server.url}/echo", content=body, headers={"content-type": "application/json"})
    stored = json.loads(path.read_text())["interactions"][0]["request"]
    assert json.dumps(stored).count("1,  ") == 1  # not re-serialized
