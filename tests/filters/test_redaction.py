"""Default redaction of secret headers (on in every entry point) and body decoding rules."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import anyio
import pytest
import zstandard

import playback_dvd as pd
from playback_dvd import DVD
from playback_dvd._options import resolve_options
from playback_dvd.filters._body_filters import decode_response_body
from playback_dvd.http import DVDHttpHandler
from playback_dvd.http._activation import activated

from .._server import LocalServer

SECRETS = {
    "Authorization": "Bearer live-token",
    "Proxy-Authorization": "Basic cHJveHk=",
    "Cookie": "session=live-cookie",
    "X-Api-Key": "live-key",
}


@contextmanager
def capture(dvd: DVD, **options: object) -> Iterator[None]:
    """What every entry point does: a handler built from the resolved options (secret rules on)."""
    resolved = resolve_options(options)
    handler = DVDHttpHandler(dvd, filters=resolved.filters)
    with activated(handler):
        yield
    handler.finish()


@pytest.fixture(params=["sync", "async"])
def get(request: pytest.FixtureRequest, hx: ModuleType):  # type: ignore[no-untyped-def]
    """GET through a Client or an AsyncClient of each library."""

    def sync_get(url: str, headers: dict[str, str]) -> Any:
        with hx.Client() as client:
            response = client.get(url, headers=headers)
            response.read()
            return response

    def async_get(url: str, headers: dict[str, str]) -> Any:
        async def main() -> Any:
            async with hx.AsyncClient() as client:
                response = await client.get(url, headers=headers)
                await response.aread()
                return response

        return anyio.run(main)

    return sync_get if request.param == "sync" else async_get


def test_redact_secrets_replaces_secret_request_and_response_headers(get, server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    dvd = DVD()
    with capture(dvd):
        live = get(f"{server.url}/cookies", SECRETS)
    assert live.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]  # the caller sees the truth
    (interaction,) = dvd.interactions
    request_values = {name.lower(): value for name, value in interaction.request.headers}
    assert request_values["authorization"] == "Bearer <REDACTED:authorization>"
    assert request_values["proxy-authorization"] == "Basic <REDACTED:proxy-authorization>"
    assert request_values["cookie"] == "session=<REDACTED:cookie>"
    assert request_values["x-api-key"] == "<REDACTED:x-api-key>"
    assert interaction.response is not None
    assert [v for n, v in interaction.response.headers if n.lower() == "set-cookie"] == [
        "a=<REDACTED:set-cookie>; Path=/",
        "b=<REDACTED:set-cookie>; Path=/",
    ]


def test_redaction_leaves_headers_the_user_configured_alone(get, server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    dvd = DVD()
    with capture(dvd, filter_headers=[("authorization", "<MINE>"), "x-api-key"]):
        get(f"{server.url}/items?id=1", SECRETS)
    names = {name.lower(): value for name, value in dvd.interactions[0].request.headers}
    assert names["authorization"] == "<MINE>"
    assert "x-api-key" not in names
    assert names["cookie"] == "session=<REDACTED:cookie>"


def test_matching_never_depends_on_a_redacted_value(get, server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    recorded = DVD()
    with capture(recorded):
        get(f"{server.url}/items?id=1", {"authorization": "Bearer first"})
    replay = DVD(
        recorded.interactions, existed=True, record_mode="none", match_on=("method", "uri", "headers")
    )
    with capture(replay):
        replayed = get(f"{server.url}/items?id=1", {"authorization": "Bearer second"})
    assert replayed.json()["hit"] == 1
    assert len(server.hits) == 1


def test_without_redact_secrets_headers_are_kept(hx: ModuleType, server: LocalServer) -> None:
    dvd = DVD()
    handler = DVDHttpHandler(dvd, filters=resolve_options({"redact_secrets": False}).filters)
    with activated(handler):
        hx.get(f"{server.url}/items?id=1", headers={"authorization": "Bearer kept"})
    assert ("authorization", "Bearer kept") in dvd.interactions[0].request.headers


# -- decoding rules that the local server has no endpoint for ------------------------------------------


def compressed(body: bytes, encoding: str) -> pd.Response:
    return pd.Response(200, (("Content-Encoding", encoding), ("Content-Length", str(len(body)))), body)


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("zstd", lambda data: zstandard.ZstdCompressor().compress(data)),
    ],
)
def test_decode_response_body_decodes_each_coding(encoding: str, encode) -> None:  # type: ignore[no-untyped-def]
    decoded = decode_response_body(compressed(encode(b"plain text"), encoding))
    assert decoded.body == b"plain text"
    assert decoded.headers == (("Content-Length", "10"),)


def test_decode_response_body_keeps_a_corrupt_body_as_it_came() -> None:
    original = compressed(b"not gzip at all", "gzip")
    assert decode_response_body(original) is original


def test_decode_response_body_undoes_stacked_codings_from_the_last() -> None:
    body = zstandard.ZstdCompressor().compress(gzip.compress(b"twice"))
    assert decode_response_body(compressed(body, "gzip, zstd")).body == b"twice"
