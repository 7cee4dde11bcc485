"""Filter options of use_dvd keep secrets out of saved DVDs, in sync and async code, on the real server."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest

import playback_dvd as pd
from playback_dvd import DVDDocument
from playback_dvd._options import resolve_options
from playback_dvd.formats._files import read_document

from .._server import LocalServer

#: One request: ``send(method, url, **kwargs)`` returns the calling library's response.
Send = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def send(request: pytest.FixtureRequest, hx: ModuleType) -> Send:
    """One request through a real Client or AsyncClient of each library (async runs the async transport)."""

    def sync_send(method: str, url: str, **kwargs: Any) -> Any:
        with hx.Client() as client:
            return client.request(method, url, **kwargs)

    def async_send(method: str, url: str, **kwargs: Any) -> Any:
        async def main() -> Any:
            async with hx.AsyncClient() as client:
                return await client.request(method, url, **kwargs)

        # anyio.run copies the current context, so the use_dvd session active here covers the loop too.
        return anyio.run(main)

    return sync_send if request.param == "sync" else async_send


def saved(path: Path) -> DVDDocument:
    document = read_document(path)
    assert document is not None
    return document


def request_headers(path: Path, index: int = 0) -> dict[str, str]:
    return {name.lower(): value for name, value in saved(path).interactions[index].request.headers}


# -- filter_headers --------------------------------------------------------------------------------------


def test_filter_headers_removes_a_header_whatever_its_case_and_the_replay_still_matches(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "h.dvd.json"
    url = f"{server.url}/items?id=1"
    with pd.use_dvd(path, filter_headers=["X-Secret"]):
        send("GET", url, headers={"x-secret": "s3cr3t"})
    assert "s3cr3t" not in path.read_text()
    assert "x-secret" not in request_headers(path)
    with pd.use_dvd(
        path, filter_headers=["X-Secret"], record_mode="none", match_on=["method", "uri", "headers"]
    ):
        replayed = send("GET", url, headers={"x-secret": "other"})
    assert replayed.json()["id"] == "1"
    assert len(server.hits) == 1


def test_filter_headers_replaces_with_a_string_or_a_callable(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "h.dvd.json"
    rules = [("Authorization", "<AUTH>"), ("x-user", lambda value: value.upper())]
    with pd.use_dvd(path, filter_headers=rules):
        send("GET", f"{server.url}/items?id=1", headers={"authorization": "Bearer t", "x-user": "ann"})
    headers = request_headers(path)
    assert headers["authorization"] == "<AUTH>"
    assert headers["x-user"] == "ANN"


def test_filter_headers_also_filters_response_headers(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "h.dvd.json"
    with pd.use_dvd(path, filter_headers=["set-cookie"]):
        live = send("GET", f"{server.url}/cookies")
    assert live.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]  # the caller is untouched
    response = saved(path).interactions[0].response
    assert response is not None
    assert [name for name, _ in response.headers if name.lower() == "set-cookie"] == []


# -- filter_query_parameters -----------------------------------------------------------------------------


def test_filter_query_parameters_removes_and_replaces_and_the_replay_still_matches(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "q.dvd.json"
    options: Any = {"filter_query_parameters": ["api_key", ("session", "<SESSION>")]}
    url = f"{server.url}/items?id=7&api_key=k3y&session=abc"
    with pd.use_dvd(path, **options):
        send("GET", url)
    stored_url = saved(path).interactions[0].request.url
    assert "k3y" not in stored_url  # (the server echoes the query in its body: only the request is filtered)
    assert stored_url.endswith("/items?id=7&session=<SESSION>")
    with pd.use_dvd(path, record_mode="none", **options):
        replayed = send("GET", f"{server.url}/items?id=7&api_key=other&session=xyz")
    assert replayed.json()["id"] == "7"
    assert len(server.hits) == 1


# -- filter_post_data_parameters -------------------------------------------------------------------------


def test_filter_post_data_parameters_filters_form_fields(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "p.dvd.json"
    with pd.use_dvd(path, filter_post_data_parameters=["password", ("user", "<USER>")]):
        send("POST", f"{server.url}/echo", data={"user": "ann", "password": "hunter2", "keep": "1"})
    request = saved(path).interactions[0].request
    assert request.body == b"user=<USER>&keep=1"  # (the echo in the response body is not a request field)
    assert request_headers(path)["content-length"] == str(len(request.body))


def test_filter_post_data_parameters_filters_nested_json(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "p.dvd.json"
    payload = {"user": "ann", "auth": {"token": "t0k", "scopes": [{"token": "t1k", "name": "read"}]}}
    with pd.use_dvd(path, filter_post_data_parameters=[("token", "<T>")]):
        send("POST", f"{server.url}/echo", json=payload)
    body = json.loads(saved(path).interactions[0].request.body)
    assert body == {"user": "ann", "auth": {"token": "<T>", "scopes": [{"token": "<T>", "name": "read"}]}}
    with pd.use_dvd(path, filter_post_data_parameters=[("token", "<T>")], record_mode="none") as dvd:
        send("POST", f"{server.url}/echo", json=payload)
    assert dvd.play_count == 1
    assert len(server.hits) == 1


def test_filter_post_data_parameters_filters_multipart_fields_and_keeps_files(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "p.dvd.json"
    with pd.use_dvd(path, filter_post_data_parameters=["secret", ("note", "<NOTE>")]):
        send(
            "POST",
            f"{server.url}/echo",
            data={"secret": "s3cr3t", "note": "hello"},
            files={"upload": ("a.txt", b"file bytes")},
        )
    body = saved(path).interactions[0].request.body
    assert b"s3cr3t" not in body
    assert b'name="secret"' not in body
    assert b"<NOTE>" in body
    assert b"file bytes" in body


# -- filter_sensitive_data -------------------------------------------------------------------------------


def test_filter_sensitive_data_saves_placeholders_and_restores_real_values_on_replay(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "s.dvd.json"
    options: Any = {"filter_sensitive_data": {"<TOKEN>": "tok-123", "<USER>": lambda: "ann"}}
    url = f"{server.url}/echo?token=tok-123"
    with pd.use_dvd(path, **options):
        live = send("POST", url, headers={"x-token": "tok-123"}, content=b"user=ann&token=tok-123")
    text = path.read_text()
    assert "tok-123" not in text
    assert '"ann"' not in text
    assert "user=ann" not in text
    assert "<TOKEN>" in saved(path).interactions[0].request.url
    with pd.use_dvd(path, record_mode="none", match_on=["method", "uri", "headers", "body"], **options):
        replayed = send("POST", url, headers={"x-token": "tok-123"}, content=b"user=ann&token=tok-123")
    assert replayed.json()["body"] == live.json()["body"] == "user=ann&token=tok-123"
    assert len(server.hits) == 1


def test_filter_sensitive_data_callable_that_raises_is_a_configuration_error_naming_it(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    def broken_secret() -> str:
        raise KeyError("API_TOKEN")

    path = tmp_path / "s.dvd.json"
    with (
        pytest.raises(pd.ConfigurationError, match="broken_secret"),
        pd.use_dvd(path, filter_sensitive_data={"<T>": broken_secret}),
    ):
        hx.get(f"{server.url}/items?id=1")
    assert not path.exists()


# -- decode_compressed_response ------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["gzip", "br"])
def test_decode_compressed_response_stores_the_body_decoded_with_headers_fixed(
    send: Send, endpoint: str, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "c.dvd.json"
    with pd.use_dvd(path, decode_compressed_response=True):
        live = send("GET", f"{server.url}/{endpoint}")
    response = saved(path).interactions[0].response
    assert response is not None
    assert response.body == f'{{"compressed": "{endpoint}"}}'.encode()
    names = {name.lower(): value for name, value in response.headers}
    assert "content-encoding" not in names
    assert names["content-length"] == str(len(response.body))
    with pd.use_dvd(path, record_mode="none"):
        replayed = send("GET", f"{server.url}/{endpoint}")
    assert replayed.json() == live.json() == {"compressed": endpoint}


# -- ignore_hosts / ignore_localhost -------------------------------------------------------------------


def test_ignore_localhost_neither_records_nor_replays(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "i.dvd.json"
    with pd.use_dvd(path, ignore_localhost=True) as dvd:
        first = send("GET", f"{server.url}/items?id=1")
        second = send("GET", f"{server.url}/items?id=1")
    assert (first.json()["hit"], second.json()["hit"]) == (1, 2)  # both went to the server
    assert len(dvd) == 0
    assert not path.exists()


def test_ignore_hosts_matches_exact_names_and_leaves_other_hosts_recorded(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "i.dvd.json"
    alias = server.url.replace("127.0.0.1", "localhost")
    with pd.use_dvd(path, ignore_hosts=["LOCALHOST"]):
        send("GET", f"{alias}/items?id=ignored")
        send("GET", f"{server.url}/items?id=kept")
    urls = [interaction.request.url for interaction in saved(path).interactions]
    assert urls == [f"{server.url}/items?id=kept"]


def test_ignore_hosts_full_matches_compiled_patterns(send: Send, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "i.dvd.json"
    alias = server.url.replace("127.0.0.1", "localhost")
    with pd.use_dvd(path, ignore_hosts=[re.compile(r"local\w+"), re.compile(r"127\.0")]):
        send("GET", f"{alias}/items?id=ignored")
        send("GET", f"{server.url}/items?id=kept")  # 127.0 does not full-match 127.0.0.1
    assert [i.request.url for i in saved(path).interactions] == [f"{server.url}/items?id=kept"]


def test_ignored_requests_are_refused_in_a_replay_only_dvd(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "i.dvd.json"
    with pd.use_dvd(path):
        send("GET", f"{server.url}/items?id=1")
    server.reset()
    with pd.use_dvd(path, ignore_localhost=True), pytest.raises(pd.UnmatchedRequestError) as caught:
        send("GET", f"{server.url}/items?id=1")
    assert caught.value.reason == "ignored"
    assert "ignore_localhost" in str(caught.value)
    assert "allow_ignored_on_replay" in str(caught.value)
    assert server.hits == []


def test_allow_ignored_on_replay_lets_ignored_requests_reach_the_network(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "i.dvd.json"
    with pd.use_dvd(path, record_mode="none", ignore_localhost=True, allow_ignored_on_replay=True):
        response = send("GET", f"{server.url}/items?id=1")
    assert response.json()["hit"] == 1
    assert not path.exists()


# -- hooks ---------------------------------------------------------------------------------------------


def test_before_record_hooks_run_in_order_and_none_skips_recording(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "k.dvd.json"

    def tag(request: pd.Request) -> pd.Request:
        return pd.Request(request.method, request.url, (*request.headers, ("x-tag", "1")), request.body)

    def only_tagged(request: pd.Request) -> pd.Request | None:
        return request if ("x-tag", "1") in request.headers else None

    def skip_errors(response: pd.Response) -> pd.Response | None:
        return None if response.status_code >= 400 else response

    with pd.use_dvd(path, before_record_request=[tag, only_tagged], before_record_response=skip_errors):
        send("GET", f"{server.url}/items?id=1")
        send("GET", f"{server.url}/status/500")
    interactions = saved(path).interactions
    assert [i.request.url for i in interactions] == [f"{server.url}/items?id=1"]
    assert ("x-tag", "1") in interactions[0].request.headers


def test_a_hook_that_raises_raises_its_own_exception_naming_it_and_nothing_is_sent(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    class HookBroke(Exception):
        pass

    def leaky_hook(request: pd.Request) -> pd.Request:
        raise HookBroke("boom")

    path = tmp_path / "k.dvd.json"
    with (
        pytest.raises(HookBroke, match="boom") as caught,
        pd.use_dvd(path, before_record_request=leaky_hook),
    ):
        send("GET", f"{server.url}/items?id=1")
    assert server.hits == []
    if sys.version_info >= (3, 11):
        assert any("leaky_hook" in note for note in caught.value.__notes__)


def test_a_replacement_callable_that_raises_is_a_configuration_error_naming_it(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    def mask(value: str) -> str:
        raise ValueError("cannot mask")

    path = tmp_path / "k.dvd.json"
    with (
        pytest.raises(pd.ConfigurationError, match=r"filter_query_parameters.*mask"),
        pd.use_dvd(path, filter_query_parameters=[("key", mask)]),
    ):
        send("GET", f"{server.url}/items?key=1")
    assert server.hits == []


# -- option names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("filter_header", "filter_headers"),
        ("filter_query_parameter", "filter_query_parameters"),
        ("ignore_host", "ignore_hosts"),
        ("decode_compressed_responses", "decode_compressed_response"),
        ("filter_sensitive", "filter_sensitive_data"),
    ],
)
def test_a_misspelled_filter_option_is_refused_with_the_close_name(typo: str, suggestion: str) -> None:
    with pytest.raises(pd.ConfigurationError, match=f"did you mean '{suggestion}'"):
        pd.use_dvd("unused.dvd.json", **{typo: []})  # type: ignore[misc]


def test_a_filter_entry_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(pd.ConfigurationError, match="filter_headers"):
        pd.use_dvd("unused.dvd.json", filter_headers=[("authorization", 42)])  # type: ignore[list-item]


# -- async with ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_filters_apply_inside_async_with(hx: ModuleType, tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "a.dvd.json"
    options: Any = {"filter_headers": ["authorization"], "filter_sensitive_data": {"<ID>": "id-42"}}
    async with pd.use_dvd(path, **options), hx.AsyncClient() as client:
        await client.get(f"{server.url}/items?id=id-42", headers={"authorization": "Bearer x"})
    text = path.read_text()
    assert "Bearer x" not in text
    assert "id-42" not in text
    async with pd.use_dvd(path, record_mode="none", **options), hx.AsyncClient() as client:
        replayed = await client.get(f"{server.url}/items?id=id-42")
    assert replayed.json()["id"] == "id-42"
    assert len(server.hits) == 1


def test_a_hook_returning_none_in_a_replay_only_dvd_is_refused_naming_the_hook(
    send: Send, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "k.dvd.json"
    with pd.use_dvd(path):
        send("GET", f"{server.url}/items?id=1")
    server.reset()
    with (
        pd.use_dvd(path, record_mode="none", before_record_request=lambda request: None),
        pytest.raises(pd.UnmatchedRequestError, match="before_record_request") as caught,
    ):
        send("GET", f"{server.url}/items?id=1")
    assert caught.value.reason == "ignored"
    assert server.hits == []


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "LOCALHOST"])
def test_ignore_localhost_covers_every_local_name(host: str) -> None:
    filters = resolve_options({"ignore_localhost": True}).filters
    assert filters.request(pd.Request("GET", f"http://{host}:8000/x")) is None
    assert filters.request(pd.Request("GET", "http://example.test/x")) is not None
