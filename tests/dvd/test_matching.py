"""Matchers decide which recorded request answers a live one; built-in ones feed the hash index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import playback_dvd as pd
from playback_dvd import DVD, Interaction, Request, Response
from playback_dvd.dvd._matching import RequestView

from .._server import LocalServer

OK = Response(200, (("content-type", "text/plain"),), b"ok")


def dvd_of(*requests: Request, **options: object) -> DVD:
    return DVD(
        [Interaction(request, OK) for request in requests], existed=True, record_mode="none", **options
    )  # type: ignore[arg-type]


def get(url: str, **kwargs: object) -> Request:
    return Request("GET", url, **kwargs)  # type: ignore[arg-type]


def test_query_order_does_not_matter() -> None:
    dvd = dvd_of(get("https://api.test/s?a=1&b=2"))
    assert dvd.play(get("https://api.test/s?b=2&a=1")) is not None


def test_blank_query_values_are_kept() -> None:
    dvd = dvd_of(get("https://api.test/s?flag"))
    assert dvd.play(get("https://api.test/s?other")) is None
    assert dvd.play(get("https://api.test/s")) is None
    assert dvd.play(get("https://api.test/s?flag")) is not None


def test_host_case_and_default_port_are_normalized() -> None:
    dvd = dvd_of(get("https://API.test:443/x"))
    assert dvd.play(get("https://api.test/x")) is not None


def test_port_scheme_and_path_are_compared() -> None:
    dvd = dvd_of(get("http://api.test:8080/x"))
    assert dvd.play(get("http://api.test:8081/x")) is None
    assert dvd.play(get("https://api.test:8080/x")) is None
    assert dvd.play(get("http://api.test:8080/y")) is None


def test_uri_matcher_compares_the_whole_url() -> None:
    dvd = dvd_of(get("https://api.test/x?a=1&b=2"), match_on=("method", "uri"))
    assert dvd.play(get("https://api.test/x?b=2&a=1")) is None
    assert dvd.play(get("https://api.test/x?a=1&b=2")) is not None


def test_headers_matcher_ignores_name_case() -> None:
    dvd = dvd_of(get("https://api.test/", headers=(("X-Tenant", "a"),)), match_on=("method", "headers"))
    assert dvd.play(get("https://api.test/", headers=(("x-tenant", "b"),))) is None
    assert dvd.play(get("https://api.test/", headers=(("x-tenant", "a"),))) is not None


def test_body_matcher_compares_json_as_data() -> None:
    recorded = Request(
        "POST", "https://api.test/", (("content-type", "application/json"),), b'{"a": 1, "b": [1, 2]}'
    )
    dvd = dvd_of(recorded, match_on=("method", "body"))
    reordered = Request(
        "POST", "https://api.test/", (("content-type", "application/json"),), b'{"b":[1,2],"a":1}'
    )
    different = Request(
        "POST", "https://api.test/", (("content-type", "application/json"),), b'{"a": 2, "b": [1, 2]}'
    )
    assert dvd.play(different) is None
    assert dvd.play(reordered) is not None


def test_body_matcher_compares_forms_as_fields() -> None:
    form = (("content-type", "application/x-www-form-urlencoded"),)
    dvd = dvd_of(Request("POST", "https://api.test/", form, b"a=1&b=2"), match_on=("body",))
    assert dvd.play(Request("POST", "https://api.test/", form, b"b=2&a=1")) is not None


def test_body_matcher_ignores_the_random_multipart_boundary(
    hx: ModuleType, server: LocalServer, tmp_path: Path
) -> None:
    path = tmp_path / "upload.dvd.json"
    options = {"match_on": ("method", "path", "body")}

    def upload() -> object:
        return hx.post(f"{server.url}/echo", data={"name": "x"}, files={"file": ("a.txt", b"hello")}).json()

    with pd.use_dvd(path, **options):  # type: ignore[arg-type]
        recorded = upload()
    with pd.use_dvd(path, record_mode="none", **options):  # type: ignore[arg-type]
        assert upload() == recorded


def test_raw_body_compares_bytes() -> None:
    dvd = dvd_of(Request("POST", "https://api.test/", (), b'{"a":1}'), match_on=("raw_body",))
    assert dvd.play(Request("POST", "https://api.test/", (), b'{"a": 1}')) is None
    assert dvd.play(Request("POST", "https://api.test/", (), b'{"a":1}')) is not None


@pytest.fixture
def tenant_matcher() -> Iterator[list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []

    def same_tenant(recorded: Request, live: Request) -> bool:
        calls.append((recorded.url, live.url))
        return dict(recorded.headers).get("x-tenant") == dict(live.headers).get("x-tenant")

    pd.register_matcher("tenant", same_tenant)
    yield calls
    pd.unregister_matcher("tenant")


def test_registered_matcher_runs_only_inside_the_bucket(tenant_matcher: list[tuple[str, str]]) -> None:
    requests = [get(f"https://api.test/{n}", headers=(("x-tenant", "a"),)) for n in range(100)]
    dvd = dvd_of(*requests, match_on=(*pd.DEFAULT_MATCH_ON, "tenant"))
    assert dvd.play(get("https://api.test/42", headers=(("x-tenant", "b"),))) is None
    assert dvd.play(get("https://api.test/42", headers=(("x-tenant", "a"),))) is not None
    assert {recorded for recorded, _ in tenant_matcher} == {"https://api.test/42"}


def test_a_matcher_function_can_explain_itself_with_assert() -> None:
    def same_length(recorded: Request, live: Request) -> None:
        assert len(recorded.body) == len(live.body), f"body length {len(recorded.body)} != {len(live.body)}"

    dvd = dvd_of(Request("POST", "https://api.test/", (), b"abc"), match_on=("method", same_length))
    assert dvd.play(Request("POST", "https://api.test/", (), b"abcd")) is None
    error = dvd.unmatched_error(Request("POST", "https://api.test/", (), b"abcd"))
    assert "same_length differs: body length 3 != 4" in str(error)


def test_unknown_matcher_name_suggests_the_close_one() -> None:
    with pytest.raises(pd.ConfigurationError, match="Did you mean 'query'"):
        pd.use_dvd("x.dvd.json", match_on=("method", "querry"))


def test_built_in_matchers_cannot_be_replaced() -> None:
    with pytest.raises(pd.ConfigurationError):
        pd.register_matcher("method", lambda recorded, live: True)


def test_the_closest_requests_come_first_in_the_error() -> None:
    dvd = dvd_of(
        get("https://other.test/z"), get("https://api.test/items?id=1"), get("https://api.test/items")
    )
    error = dvd.unmatched_error(get("https://api.test/items?id=2"))
    assert [request.url for request in error.closest] == [
        "https://api.test/items?id=1",
        "https://api.test/items",
        "https://other.test/z",
    ]
    assert "query differs: recorded has [('id', '1')], this request has [('id', '2')]" in str(error)


def test_lookups_do_not_scan_the_dvd() -> None:
    # A DVD of 50,000 interactions answers by hashing: a scan would call the key function 50,000 times.
    requests = [get(f"https://api.test/items?id={n}") for n in range(50_000)]
    dvd = dvd_of(*requests)
    dvd.play(get("https://api.test/items?id=0"))  # builds the index once
    counted = []
    original = RequestView.query

    def counting(self: object) -> object:
        counted.append(1)
        return original.fget(self)  # type: ignore[union-attr]

    RequestView.query = property(counting)  # type: ignore[method-assign]
    try:
        assert dvd.play(get("https://api.test/items?id=49999")) is not None
    finally:
        RequestView.query = original  # type: ignore[method-assign]
    assert len(counted) == 1


def test_json_body_in_the_error_message_is_shown(hx: ModuleType, server: LocalServer, tmp_path: Path) -> None:
    path = tmp_path / "body.dvd.json"
    with pd.use_dvd(path, match_on=("method", "path", "body")):
        hx.post(f"{server.url}/echo", json={"user": "a", "ts": 1})
    with (
        pd.use_dvd(path, record_mode="none", match_on=("method", "path", "body")),
        pytest.raises(pd.UnmatchedRequestError) as caught,
    ):
        hx.post(f"{server.url}/echo", json={"user": "a", "ts": 2})
    assert 'body: {"user":"a","ts":2}' in str(caught.value)
    assert "body differs" in str(caught.value)
    assert json.loads(caught.value.request.body) == {"user": "a", "ts": 2}
