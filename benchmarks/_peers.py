"""How each library records and replays in the harness: one adapter per library, same traffic for all.

Every adapter gives ``recording(path)`` and ``replaying(path)`` context managers; inside them any
``httpx.Client`` records or replays. The *floor* is plain httpx: recording keeps the responses in a list and
saves them with ``json.dump``; replay is ``MockTransport`` whose handler looks the prebuilt response parts up
in a dict (``Client`` construction is the adapter's, so the floor can pass its transport).
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import importlib.util
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

# The libraries the harness knows, in table order, with the file suffix each writes.
SUFFIX = {
    "floor": ".json",
    "floor_prebuilt": ".json",
    "playback_dvd": ".dvd",
    "playback_dvd_json": ".dvd.json",
    "dvd_rw": ".json",
    "vcrpy": ".yaml",
    "cassetter": ".toml",
}
MODULE = {
    "floor": "httpx",
    "floor_prebuilt": "httpx",
    "playback_dvd": "playback_dvd",
    "playback_dvd_json": "playback_dvd",
    "dvd_rw": "dvd_rw",
    "vcrpy": "vcr",
    "cassetter": "cassetter",
}


def available(lib: str) -> bool:
    """Whether *lib* is installed in this interpreter (the harness installs nothing itself)."""
    return importlib.util.find_spec(MODULE[lib]) is not None


def preload(lib: str) -> None:
    """Import what the library uses, so first-import time is not counted as record or load time."""
    modules = {
        "floor": ["httpx"],
        "floor_prebuilt": ["httpx"],
        "playback_dvd": [
            "playback_dvd",
            "playback_dvd.formats._serialization",
            "playback_dvd.formats._files",
        ],
        "playback_dvd_json": [
            "playback_dvd",
            "playback_dvd.formats._serialization",
            "playback_dvd.formats._files",
        ],
        "dvd_rw": ["dvd_rw.loader", "dvd_rw.models", "dvd_rw.patcher"],
        "vcrpy": ["vcr", "vcr.cassette", "vcr.serializers.yamlserializer", "vcr.stubs.httpx_stubs"],
        "cassetter": ["cassetter"],
        "live": ["httpx"],
    }[lib]
    for name in modules:
        importlib.import_module(name)
    if lib.startswith("playback_dvd") or lib == "live":
        # `import playback_dvd` is lazy (PEP 562): the first `playback_dvd.use_dvd` imports the HTTP seam,
        # the DVD and the formats (~0.3-0.6 s), which would otherwise land inside the first timing.
        getattr(importlib.import_module("playback_dvd"), "use_dvd")  # noqa: B009  # the lazy attribute


def version(lib: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    name = {
        "floor": "httpx",
        "floor_prebuilt": "httpx",
        "playback_dvd": "playback-dvd",
        "playback_dvd_json": "playback-dvd",
        "dvd_rw": "dvd-rw",
    }.get(lib, lib)
    try:
        return dist_version(name)
    except PackageNotFoundError:
        return "not installed"


# -- the floor ----------------------------------------------------------------------------------------------

_floor_log: list[dict[str, Any]] | None = None


def _floor_record_hook(response: httpx.Response) -> None:
    assert _floor_log is not None
    response.read()
    _floor_log.append(
        {
            "method": response.request.method,
            "url": str(response.request.url),
            "status": response.status_code,
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in response.headers.raw],
            "body": base64.b64encode(response.content).decode(),
        }
    )


def make_client(lib: str, transport: httpx.BaseTransport | None, *, asynchronous: bool = False) -> Any:
    """The client a library is used through: the floor hooks or mocks; the others get a plain client."""
    hooks = {"response": [_floor_record_hook]} if lib == "floor" and _floor_log is not None else {}
    if asynchronous:
        return httpx.AsyncClient(transport=transport)  # transport=None is httpx's default
    return httpx.Client(transport=transport, event_hooks=hooks)


@contextlib.contextmanager
def _floor_recording(path: Path) -> Iterator[None]:
    global _floor_log
    _floor_log = []
    try:
        yield
        path.write_text(json.dumps(_floor_log))
    finally:
        _floor_log = None


def floor_transport(path: Path, *, prebuilt_responses: bool = False) -> httpx.MockTransport:
    """MockTransport answering from the floor's file: built from prebuilt parts, or prebuilt `Response`s.

    The first (``floor``) builds ``httpx.Response(status, headers=..., content=body)`` per request, as any
    replay must; the second (``floor_prebuilt``) returns a `Response` object built at load, the lowest any
    transport-level replay can go.
    """
    parts = {
        (entry["method"], entry["url"]): (
            entry["status"],
            [(k.encode("latin-1"), v.encode("latin-1")) for k, v in entry["headers"]],
            base64.b64decode(entry["body"]),
        )
        for entry in json.loads(path.read_bytes())
    }
    if not prebuilt_responses:
        return prebuilt_transport(parts)
    responses = {
        key: httpx.Response(status, headers=headers, content=body)
        for key, (status, headers, body) in parts.items()
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return responses[request.method, str(request.url)]

    return httpx.MockTransport(handler)


Prebuilt = Mapping[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]]


def prebuilt_transport(prebuilt: Prebuilt) -> httpx.MockTransport:
    """The floor's replay: MockTransport looking (method, url) up in *prebuilt*: status, headers, body."""

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = prebuilt[request.method, str(request.url)]
        return httpx.Response(status, headers=headers, content=body)

    return httpx.MockTransport(handler)


# -- the libraries ------------------------------------------------------------------------------------------


def recording(lib: str, path: Path) -> contextlib.AbstractContextManager[Any]:
    """Record every httpx request made inside the block into *path* (saved on exit)."""
    return _using(lib, path, "all")


def replaying(lib: str, path: Path) -> contextlib.AbstractContextManager[Any]:
    """Replay from *path* inside the block (entering it is the load)."""
    return _using(lib, path, "none")


def _using(lib: str, path: Path, mode: str) -> contextlib.AbstractContextManager[Any]:
    """*lib* recording (*mode* ``"all"``) or replaying (``"none"``) *path*."""
    if lib in ("floor", "floor_prebuilt"):  # replays through floor_transport, which the client is built with
        return _floor_recording(path) if mode == "all" else contextlib.nullcontext()
    if lib in ("playback_dvd", "playback_dvd_json"):  # the format follows the suffix
        import playback_dvd

        return playback_dvd.use_dvd(path, record_mode=mode)
    if lib == "dvd_rw":
        from dvd_rw.loader import DVDLoader

        return DVDLoader(path, match_on=_dvd_rw_match_on())  # records with no file yet, else replays
    if lib == "vcrpy":
        return _vcr(mode).use_cassette(str(path))
    if lib == "cassetter":
        import cassetter

        return cassetter.use_cassette(path, record_mode=mode)
    raise ValueError(lib)


def prepare_index(lib: str, entered: Any) -> Callable[[], None]:
    """Work a library defers to the first lookup, done inside the load timing (dvd-rw indexes on load)."""
    if lib in ("playback_dvd", "playback_dvd_json"):
        return entered._build_index  # type: ignore[no-any-return]  # private: the index is lazy
    return lambda: None


def _dvd_rw_match_on() -> list[Any]:
    from dvd_rw.models import Matcher

    # dvd-rw has no port matcher; its default also matches every header, which breaks on a new User-Agent.
    return [Matcher.method, Matcher.scheme, Matcher.host, Matcher.path, Matcher.query]


def _vcr(mode: str) -> Any:
    import vcr

    return vcr.VCR(record_mode=mode, match_on=("method", "scheme", "host", "port", "path", "query"))


@contextlib.contextmanager
def vcrpy_without_scan() -> Iterator[None]:
    """Record with vcrpy's per-request scan of the cassette short-circuited (all requests are distinct).

    vcrpy checks ``request in cassette`` before every request, scanning all recorded interactions, so
    recording is O(N^2) (~40 min at N=10,000 here). With distinct requests the scan never matches, so
    skipping it writes the same cassette; used only to *make* big vcrpy cassettes, never timed.
    """
    from vcr.cassette import Cassette

    original = Cassette.__contains__
    Cassette.__contains__ = lambda self, request: False  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Cassette.__contains__ = original  # type: ignore[method-assign]
