"""The default matchers include the canonical body: concurrent calls with different payloads never cross."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import vcr

import playback_dvd as pd
from playback_dvd import DVD, Interaction, Request, Response

from .._server import LocalServer


def post(body: bytes, content_type: str = "application/json") -> Request:
    return Request("POST", "https://api.test/v1/chat", (("content-type", content_type),), body)


def answer(text: str) -> Response:
    return Response(200, (("content-type", "text/plain"),), text.encode())


def replaying(*interactions: tuple[Request, Response], **options: object) -> DVD:
    pairs = [Interaction(request, response) for request, response in interactions]
    return DVD(pairs, existed=True, record_mode="none", **options)  # type: ignore[arg-type]


def test_the_default_matches_on_the_body() -> None:
    assert "body" in pd.DEFAULT_MATCH_ON
    assert "body" not in pd.VCRPY_MATCH_ON
    dvd = replaying((post(b'{"q": "a"}'), answer("A")), (post(b'{"q": "b"}'), answer("B")))
    second = dvd.play(post(b'{"q": "b"}'))
    first = dvd.play(post(b'{"q": "a"}'))
    assert (first and first.response, second and second.response) == (answer("A"), answer("B"))


def test_json_is_compared_as_data_not_as_text() -> None:
    dvd = replaying((post(b'{"a": 1, "b": [1, 2]}'), answer("ok")))
    assert dvd.play(post(b'{ "b" : [1,2],\n "a":1 }')) is not None


def test_form_fields_are_compared_as_sorted_pairs() -> None:
    form = "application/x-www-form-urlencoded"
    dvd = replaying((post(b"a=1&b=2", form), answer("ok")))
    assert dvd.play(post(b"b=2&a=3", form)) is None
    assert dvd.play(post(b"b=2&a=1", form)) is not None


def test_other_bodies_are_compared_as_bytes() -> None:
    dvd = replaying((post(b"\x00\x01", "application/octet-stream"), answer("ok")))
    assert dvd.play(post(b"\x00\x02", "application/octet-stream")) is None
    assert dvd.play(post(b"\x00\x01", "application/octet-stream")) is not None


def test_identical_requests_replay_in_recorded_order() -> None:
    same = post(b'{"q": "same"}')
    dvd = replaying((same, answer("first")), (same, answer("second")), (post(b'{"q": "x"}'), answer("x")))
    bodies = [interaction.response.body for interaction in (dvd.play(same), dvd.play(same)) if interaction]
    assert bodies == [b"first", b"second"]


def test_a_miss_names_the_json_path_that_differs() -> None:
    recorded = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}
    live = {"model": "m", "messages": [{"role": "user", "content": "goodbye"}]}
    dvd = replaying((post(json.dumps(recorded).encode()), answer("ok")))
    message = str(dvd.unmatched_error(post(json.dumps(live).encode())))
    assert "body differs: at $.messages[0].content: recorded 'hello', this request 'goodbye'" in message


def test_a_missing_key_is_named_too() -> None:
    dvd = replaying((post(b'{"a": {"b": 1}}'), answer("ok")))
    message = str(dvd.unmatched_error(post(b'{"a": {}}')))
    assert "at $.a.b: recorded 1, this request '(absent)'" in message


def test_vcrpy_match_on_is_the_one_line_way_back() -> None:
    dvd = replaying((post(b'{"q": "a"}'), answer("A")), match_on=pd.VCRPY_MATCH_ON)
    assert dvd.play(post(b'{"q": "changed"}')) is not None


def test_a_vcrpy_cassette_keeps_vcrpys_default(tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "vcrpy.yaml"
    with vcr.use_cassette(str(path), record_mode="once"), httpx.Client() as client:
        client.post(f"{server.url}/echo", json={"nonce": 1})
    with pd.use_dvd(path, record_mode="none") as dvd, httpx.Client() as client:
        # vcrpy answered this: so do we, for its cassettes.
        assert client.post(f"{server.url}/echo", json={"nonce": 2}).json()["body"] == '{"nonce":1}'
    assert "body" not in dvd.match_on
    with (
        pd.use_dvd(path, record_mode="none", match_on=pd.DEFAULT_MATCH_ON),
        httpx.Client() as client,
        pytest.raises(pd.UnmatchedRequestError),
    ):
        client.post(f"{server.url}/echo", json={"nonce": 2})


def test_twenty_concurrent_tasks_with_different_bodies_each_get_their_own_answer(
    hx: ModuleType, tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "concurrent.dvd.json"

    async def ask_all() -> list[str]:
        async with hx.AsyncClient(base_url=server.url) as client:

            async def ask(number: int) -> str:
                await asyncio.sleep(0.001 * (number % 3))  # finish out of order
                prompt = {"messages": [{"role": "user", "content": f"prompt {number}"}]}
                response = await client.post("/echo", json=prompt)
                return str(json.loads(response.json()["body"])["messages"][0]["content"])

            return list(await asyncio.gather(*(ask(number) for number in range(20))))

    async def main() -> tuple[list[str], list[str], DVD]:
        async with pd.use_dvd(path):
            recorded = await ask_all()
        async with pd.use_dvd(path, record_mode="none") as dvd:
            replayed = await ask_all()
        return recorded, replayed, dvd

    recorded, replayed, dvd = asyncio.run(main())
    expected = [f"prompt {number}" for number in range(20)]
    assert recorded == replayed == expected
    assert dvd.all_played
    assert len(server.hits) == 20
