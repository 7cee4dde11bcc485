"""End to end with a real SDK built on httpx2 (openai, pinned in the dev extra) against a local fake API.

Chat, a streamed chat and 20 concurrent async calls are recorded once, then replayed offline: the fake
sees no request in the replay, and every answer is the one its own prompt got.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

import playback_dvd as pd

from .._fake_openai import FakeOpenAI, reply_to

if sys.version_info < (3, 11):
    pytest.skip("openai >= 3 is built on httpx2, which needs Python >= 3.11", allow_module_level=True)

import openai  # after the version check: the dev extra installs it on 3.11+ only

MODEL = "gpt-test"


def _chat_and_stream(base_url: str) -> tuple[str, str]:
    # max_retries=0: the SDK would otherwise retry a replay miss with backoff, hiding the reason for seconds.
    client = openai.OpenAI(base_url=base_url, api_key="sk-test-not-a-secret", max_retries=0)
    with client:
        chat = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hello"}])
        stream = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "stream me"}], stream=True
        )
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    return str(chat.choices[0].message.content), streamed


async def _twenty_at_once(base_url: str) -> list[str]:
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-test-not-a-secret", max_retries=0)
    async with client:

        async def ask(number: int) -> str:
            completion = await client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": f"prompt {number}"}]
            )
            return str(completion.choices[0].message.content)

        return list(await asyncio.gather(*(ask(number) for number in range(20))))


def test_chat_stream_and_concurrent_calls_record_then_replay_offline(tmp_path: Path) -> None:
    path = tmp_path / "openai.dvd.json"
    with FakeOpenAI() as fake:
        base_url = f"{fake.url}/v1"
        with pd.use_dvd(path):
            recorded = (_chat_and_stream(base_url), asyncio.run(_twenty_at_once(base_url)))
        assert fake.hits == 22
        with pd.use_dvd(path, record_mode="none", block_network=True) as dvd:
            replayed = (_chat_and_stream(base_url), asyncio.run(_twenty_at_once(base_url)))
        assert fake.hits == 22, "the replay reached the fake API"
    assert replayed == recorded
    assert replayed[0] == (reply_to("hello"), reply_to("stream me"))
    assert replayed[1] == [reply_to(f"prompt {number}") for number in range(20)]
    assert dvd.all_played
    streamed = next(i for i in dvd.interactions if b'"stream":true' in i.request.body.replace(b" ", b""))
    assert streamed.response is not None
    assert streamed.response.body.endswith(b"data: [DONE]\n\n"), "every event was kept"
    assert streamed.response.body_complete, "the SDK closed at data: [DONE], after the last byte"


def test_an_async_streamed_chat_is_recorded_complete(tmp_path: Path) -> None:
    # openai's async stream reads the rest of an HTTP/1.1 body after data: [DONE] (its sync one does not).
    async def stream(base_url: str) -> str:
        client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-test-not-a-secret", max_retries=0)
        async with client:
            chunks = await client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "stream me"}], stream=True
            )
            return "".join([chunk.choices[0].delta.content or "" async for chunk in chunks])

    with FakeOpenAI() as fake, pd.use_dvd(tmp_path / "astream.dvd.json") as dvd:
        assert asyncio.run(stream(f"{fake.url}/v1")) == reply_to("stream me")
    response = dvd.interactions[0].response
    assert response is not None
    assert response.body.endswith(b"data: [DONE]\n\n")
    assert response.body_complete


def test_a_replay_miss_surfaces_through_the_sdk(tmp_path: Path) -> None:
    path = tmp_path / "miss.dvd.json"
    with FakeOpenAI() as fake:
        base_url = f"{fake.url}/v1"
        with pd.use_dvd(path):
            _chat_and_stream(base_url)
        client = openai.OpenAI(base_url=base_url, api_key="sk-test-not-a-secret", max_retries=0)
        with (
            pd.use_dvd(path, record_mode="none"),
            client,
            pytest.raises((pd.UnmatchedRequestError, openai.APIConnectionError)) as raised,
        ):
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "changed"}])
        assert fake.hits == 2
    # openai 3.51 lets our error through; some SDK versions wrap it in APIConnectionError (as __cause__).
    error = raised.value if isinstance(raised.value, pd.UnmatchedRequestError) else raised.value.__cause__
    assert isinstance(error, pd.UnmatchedRequestError)
    assert "at $.messages[0].content: recorded 'hello', this request 'changed'" in str(error)
