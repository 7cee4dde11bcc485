"""Secure defaults in the Recorder (issue 15): HTTP and intercepted values, both formats, and the replay.

A default production ``Recorder(LocalCassette(...))`` left 11 of 18 placements in clear; here every one
is sent for real (through the local server) and searched for in the raw file bytes and in the decoded DVD.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from playback_dvd import LocalCassette, Recorder
from playback_dvd._models import Output

from .._server import LocalServer
from ..filters._secret_traffic import HTTP_SECRETS, exercise, leaked

INPUT_ARGUMENT_KEY = "in-arg-apikey-55aa"
INPUT_RETURNED_TOKEN = "in-ret-token-66bb"
OUTPUT_PASSWORD = "out-arg-pass-77cc"
OUTPUT_RESULT_SECRET = "out-res-secret-88dd"
INTERCEPT_SECRETS = (INPUT_ARGUMENT_KEY, INPUT_RETURNED_TOKEN, OUTPUT_PASSWORD, OUTPUT_RESULT_SECRET)


class Service:
    """An operation that does everything: HTTP with secrets, then intercepted reads and writes with more."""

    def __init__(self, recorder: Recorder, base_url: str, hx: ModuleType) -> None:
        self.base_url = base_url

        @recorder.intercept_input("accounts.load")
        def load(account: str, api_key: str) -> dict[str, Any]:
            return {"account": account, "credentials": {"access_token": INPUT_RETURNED_TOKEN}}

        @recorder.intercept_output("accounts.save")
        def save(account: str, password: str, options: dict[str, Any]) -> dict[str, Any]:
            return {"saved": account, "client_secret": OUTPUT_RESULT_SECRET}

        @recorder.operation(category="secrets")
        def run(account: str) -> dict[str, Any]:
            with hx.Client() as client:
                facts = exercise(client, self.base_url)
            loaded = load(account, api_key=INPUT_ARGUMENT_KEY)
            token = loaded["credentials"]["access_token"]
            # The token read from an input, echoed in a field whose name says nothing: replaced by value.
            saved = save(account, password=OUTPUT_PASSWORD, options={"note": f"via {token}"})
            return {"facts": facts, "saved": saved["saved"], "echo": token}

        self.run = run


@pytest.fixture(params=[True, False], ids=["dvd", "dvd.json"])
def cassette(request: pytest.FixtureRequest, tmp_path: Path) -> LocalCassette:
    """A production LocalCassette in each format."""
    return LocalCassette(tmp_path / "recordings", binary=request.param)


def recorded_file(cassette: LocalCassette) -> Path:
    (path,) = [path for path in cassette.directory.rglob("*") if path.name.endswith((".dvd", ".dvd.json"))]
    return path


def test_a_default_recorder_stores_no_secret_and_the_recording_replays(
    hx: ModuleType, cassette: LocalCassette, server: LocalServer
) -> None:
    recorder = Recorder(cassette)
    service = Service(recorder, server.url, hx)
    live = service.run("acme")
    assert live["echo"] == INPUT_RETURNED_TOKEN  # the operation itself saw real values
    path = recorded_file(cassette)
    assert leaked(path, HTTP_SECRETS + INTERCEPT_SECRETS) == []

    (recording_id,) = cassette.iter_recording_ids("secrets")
    hits = len(server.hits)
    playback = recorder.play(recording_id, lambda dvd: service.run("acme"))
    assert playback.playback_error is None
    assert len(server.hits) == hits, "the replay reached the network"
    # Outputs are redacted alike on record and replay, so they compare equal.
    assert playback.playback_outputs == playback.recorded_outputs


def test_intercepted_values_hold_placeholders_named_after_their_fields(
    hx: ModuleType, cassette: LocalCassette, server: LocalServer
) -> None:
    recorder = Recorder(cassette)
    Service(recorder, server.url, hx).run("acme")
    (recording_id,) = cassette.iter_recording_ids("secrets")
    document = cassette.get_recording(recording_id)
    (key,) = document.inputs
    assert key == 'accounts.load {"account":"acme","api_key":"<REDACTED:api_key>"}'
    assert document.inputs[key].value == {
        "account": "acme",
        "credentials": {"access_token": "<REDACTED:access_token>"},
    }
    saved = document.outputs[0]
    assert saved.arguments == {
        "account": "acme",
        "password": "<REDACTED:password>",
        "options": {"note": "via <REDACTED:access_token>"},
    }
    assert saved.result == {"saved": "acme", "client_secret": "<REDACTED:client_secret>"}


def test_not_secret_intercepts_keeps_intercepted_values_as_they_were(tmp_path: Path) -> None:
    cassette = LocalCassette(tmp_path / "recordings")
    recorder = Recorder(cassette, not_secret=["intercepts"])

    @recorder.intercept_input("read")
    def read(password: str) -> str:
        return "ok"

    @recorder.operation(category="kept")
    def run() -> str:
        return read("intercept-pass-99")

    run()
    (recording_id,) = cassette.iter_recording_ids("kept")
    assert list(cassette.get_recording(recording_id).inputs) == ['read {"password":"intercept-pass-99"}']
    playback = recorder.play(recording_id, lambda dvd: run())
    assert playback.playback_outputs == [Output("operation", "ok")]
