"""The replay path (`http/_direct.py`) answers exactly what the usual way answers, or declines.

Two invariants make the two ways agree, checked over generated requests: when the filters say they leave a
request alone, `Filters.request` hands it back unchanged; and the index key read from the client's request
is the one `MatchPlan.index_key` computes from its `Request` model. End to end, a DVD recorded from the
loopback server replays the same answers with the path on and off, and the path did answer (or decline)
the requests it should.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import playback_dvd as pd
from playback_dvd._bodies import header_value
from playback_dvd._models import Request
from playback_dvd._options import resolve_options
from playback_dvd.dvd._dvd import DVD
from playback_dvd.dvd._matching import DEFAULT_MATCH_ON, VCRPY_MATCH_ON, RequestView
from playback_dvd.http import _direct
from playback_dvd.http._convert import request_from_httpx, url_parts
from playback_dvd.http._direct import ClientRequestView, DirectReplay

from .._server import LocalServer

_NAMES = ["q", "page", "api_key", "token", "next_page_token", "Key", "sig", "x", "password", "user"]
_HEADER_NAMES = ["Accept", "X-Api-Key", "Authorization", "Cookie", "Location", "X-Trace", "Content-Type"]
_text = st.text(alphabet="abcAZ09-_.~%<>: ", max_size=8)
# Long enough to be searched for by value (`MIN_VALUE_LENGTH`), and drawn from a few so that one request's
# secret shows up in another's URL or body.
_secret = st.sampled_from(["Bearer sk-live-123456", "sk-live-123456", "application/json", "tok-abcdef"])


@st.composite
def client_requests(draw: st.DrawFn) -> httpx.Request:
    """httpx requests of every shape the filters and matchers care about."""
    host = draw(st.sampled_from(["api.test", "API.Test", "127.0.0.1", "h.com"]))
    port = draw(st.sampled_from(["", ":80", ":8080"]))
    path = "/" + "/".join(
        draw(st.lists(st.sampled_from(["a", "B", "%3CREDACTED%3Ax%3E", "u@v"]), max_size=3))
    )
    pairs = draw(st.lists(st.tuples(st.sampled_from(_NAMES), _text | _secret), max_size=4))
    query = "&".join(f"{name}={value}" for name, value in pairs)
    fragment = draw(st.sampled_from(["", "#top", "#token=abc"]))
    url = f"http://{host}{port}{path}" + (f"?{query}" if query else "") + fragment
    headers = draw(st.lists(st.tuples(st.sampled_from(_HEADER_NAMES), _text | _secret), max_size=4))
    kind = draw(st.sampled_from(["none", "json", "form", "bytes"]))
    fields = draw(st.dictionaries(st.sampled_from(_NAMES), _text | _secret, max_size=3))
    content: bytes | None = None
    if kind == "json":
        content = json.dumps(fields).encode()
        headers.append(("Content-Type", "application/json"))
    elif kind == "form":
        content = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    elif kind == "bytes":
        content = draw(st.binary(max_size=20))
    method = draw(st.sampled_from(["GET", "POST", "put"]))
    request = httpx.Request(method, url, headers=headers, content=content)
    request.read()
    return request


OPTIONS: list[dict[str, Any]] = [
    {},
    {"secret_names": ["content_type"]},
    {"redact_secrets": False},
    {"secret_names": ["user"], "not_secret": ["token"]},
    {"ignore_hosts": ["h.com"]},
    {"filter_headers": ["x-trace"]},
    {"filter_query_parameters": ["page"]},
    {"before_record_request": lambda request: request},
]


def _features(request: Request) -> tuple[str, str, bytes, str]:
    return request.method, request.url, request.body, header_value(request.headers, "content-type")


@settings(max_examples=400, deadline=None)
@given(
    requests=st.lists(client_requests(), min_size=1, max_size=3),
    options=st.sampled_from(OPTIONS),
)
def test_when_the_filters_keep_the_match_features_the_usual_way_keeps_them_too(
    requests: list[httpx.Request], options: dict[str, Any]
) -> None:
    # Several requests per session: a secret one teaches the session values later requests must not show.
    filters = resolve_options(options).filters
    quick, usual = filters.new_secret_values(), filters.new_secret_values()
    for request in requests:
        parts = url_parts(request.url)
        model = request_from_httpx(request, request.content)
        kept = parts is not None and filters.keep_match_features(
            parts, request.url, request.headers.raw, request.content, quick
        )
        filtered = filters.request(model, usual)
        if kept:
            assert filtered is not None
            assert _features(filtered) == _features(model)
        else:
            filters.request(model, quick)  # the direct path declined: the usual way runs
        assert quick.pairs() == usual.pairs()


@settings(max_examples=300, deadline=None)
@given(request=client_requests(), match_on=st.sampled_from([DEFAULT_MATCH_ON, VCRPY_MATCH_ON]))
def test_the_key_read_from_the_client_request_is_the_index_key_of_its_model(
    request: httpx.Request, match_on: tuple[str, ...]
) -> None:
    plan = DVD(match_on=match_on).plan
    parts = url_parts(request.url)
    assert plan.parts_key is not None
    if parts is None:
        return
    view = ClientRequestView(request, request.content)
    model = request_from_httpx(request, request.content)
    assert plan.parts_key(request.method, parts, view.body_digest) == plan.index_key(RequestView(model))
    assert plan.index_key(RequestView(view, parts)) == plan.index_key(RequestView(model))


def test_only_the_usual_plans_have_a_parts_key() -> None:
    assert DVD(match_on=("method", "host", "path")).plan.parts_key is None
    assert DVD(match_on=(*DEFAULT_MATCH_ON, "headers")).plan.parts_key is None
    assert DVD(match_on=(*DEFAULT_MATCH_ON, lambda a, b: True)).plan.parts_key is None


# -- end to end ------------------------------------------------------------------------------------------


def _traffic(hx: ModuleType, base: str) -> Iterator[Any]:
    """Requests the direct path answers, and requests it must leave to the usual way."""
    with hx.Client() as client:
        for number in range(5):
            yield client.get(f"{base}/echo?n={number}&b=2&a=1")
        yield client.post(f"{base}/echo", json={"b": 1, "a": [1, 2]})
        yield client.post(
            f"{base}/echo", content=b"a=1&b=2", headers={"content-type": "application/x-www-form-urlencoded"}
        )
        yield client.get(f"{base}/echo?api_key=sk-live-123")  # a secret in the query: the usual way
        yield client.get(f"{base}/echo", headers={"Authorization": "Bearer sk-live-456"})  # and a header
        yield client.get(f"{base}/echo?shows=sk-live-456")
        yield client.get(f"{base}/status/404")
        yield client.get(f"{base}/binary")


def _answers(hx: ModuleType, path: Path, base: str) -> list[tuple[int, bytes, list[tuple[bytes, bytes]]]]:
    with pd.use_dvd(path, record_mode="none") as dvd:
        answers = [(r.status_code, r.content, r.headers.raw) for r in _traffic(hx, base)]
        assert dvd.all_played
    return answers


def test_a_replay_answers_the_same_with_the_direct_path_on_and_off(
    hx: ModuleType, server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "traffic.dvd"
    with pd.use_dvd(path, record_mode="all"):
        recorded = [(r.status_code, r.content) for r in _traffic(hx, server.url)]
    requests_seen = len(server.hits)

    answered: list[str] = []
    declined: list[str] = []
    answer = DirectReplay.answer

    def counting_answer(self: DirectReplay, request: Any, body: bytes) -> Any:
        response = answer(self, request, body)
        (answered if response is not None else declined).append(str(request.url))
        return response

    monkeypatch.setattr(DirectReplay, "answer", counting_answer)
    direct = _answers(hx, path, server.url)
    monkeypatch.setattr(_direct.DirectReplay, "for_handler", classmethod(lambda cls, *args: None))
    usual = _answers(hx, path, server.url)

    assert direct == usual
    assert [(status, body) for status, body, _ in direct] == recorded
    assert len(server.hits) == requests_seen  # neither replay reached the server
    # A secret in the query needs the usual way; a secret header does not (the key reads no header but
    # the content type), and once the session knows its value, requests that show it need the usual way.
    assert declined == [f"{server.url}/echo?api_key=sk-live-123", f"{server.url}/echo?shows=sk-live-456"]
    assert len(answered) == 10


def test_a_transport_that_answers_with_content_already_read_is_recorded_whole(
    hx: ModuleType, tmp_path: Path
) -> None:
    # A MockTransport's Response(content=...) is read when it is built: the recording must still keep it.
    def server(request: Any) -> Any:
        return hx.Response(200, json={"path": request.url.path})

    path = tmp_path / "mock.dvd"
    with pd.use_dvd(path, record_mode="all"), hx.Client(transport=hx.MockTransport(server)) as client:
        assert client.get("http://api.test/a").json() == {"path": "/a"}
    with pd.use_dvd(path, record_mode="none"), hx.Client() as client:
        assert client.get("http://api.test/a").json() == {"path": "/a"}
