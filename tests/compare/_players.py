"""Module-level players for the Equalizer tests: picklable, so they also run in spawned workers.

Each builds the `Playback` a `Recorder.play` would return for a scripted scenario, chosen by the
recording id's unique part (``scenario_id("different")``).
"""

from __future__ import annotations

import os
import signal
import time

from playback_dvd import DVD, ExceptionInfo, Output, Playback, Request
from playback_dvd.cassettes import parse_recording_id

CATEGORY = "Checkout"


SCENARIOS = (
    "equal",
    "different",
    "fixed",
    "failed",
    "both_fail_same",
    "both_fail_differently",
    "missing_input",
    "replayed_exception",
    "requests_changed",
    "raises",
    "slow",
    "crash",
    "script",
    "deaf",
    "new_request",
)


def scenario_id(scenario: str, number: int = 0) -> str:
    """A well-formed recording id whose unique part names the scenario."""
    return f"{CATEGORY}/2026-11-23/{SCENARIOS.index(scenario):04x}{number:028x}"


def scenario_of(recording_id: str) -> str:
    parts = parse_recording_id(recording_id)
    assert parts is not None
    return SCENARIOS[int(parts.unique[:4], 16)]


def _outputs(total: float, items: list[dict[str, object]]) -> list[Output]:
    return [
        Output("checkout.save_invoice #1", {"total": total, "items": items}),
        Output("operation", {"status": "ok", "total": total}),
    ]


_ITEMS = [{"sku": "a", "price": 10}, {"sku": "b", "price": 5}]


def scenario_player(recording_id: str) -> Playback:
    """The Playback of the scenario the id names; 'raises' makes the player itself fail."""
    scenario = scenario_of(recording_id)
    recorded = _outputs(15.0, _ITEMS)
    played = _outputs(15.0, _ITEMS)
    recorded_error = playback_error = None
    unplayed: tuple[Request, ...] = ()
    unmatched: tuple[Request, ...] = ()
    if scenario == "different":
        played = _outputs(17.0, [{"sku": "a", "price": 12}, {"sku": "b", "price": 5}])
    elif scenario == "fixed":
        recorded = recorded[:1]
        recorded_error = ExceptionInfo("ZeroDivisionError", "division by zero")
    elif scenario == "failed":
        played = played[:1]
        playback_error = ExceptionInfo("KeyError", "'price'")
    elif scenario == "both_fail_same":
        recorded_error = playback_error = ExceptionInfo("ValueError", "bad order")
    elif scenario == "both_fail_differently":
        recorded_error = ExceptionInfo("ValueError", "bad order")
        playback_error = ExceptionInfo("TypeError", "unsupported operand")
    elif scenario == "missing_input":
        playback_error = ExceptionInfo("UnmatchedRequestError", "no recorded response for GET http://x/")
    elif scenario == "new_request":
        played = played[:1]
        playback_error = ExceptionInfo("UnmatchedRequestError", "no recorded response for GET http://x/v2")
        unmatched = (Request("GET", "http://127.0.0.1/v2/prices?sku=a"),)
    elif scenario == "replayed_exception":
        recorded_error = playback_error = ExceptionInfo("ReplayedException", "ssl.SSLError: boom")
        playback_error = ExceptionInfo("ReplayedException", "ssl.SSLError: boom")
    elif scenario == "requests_changed":
        unplayed = (Request("GET", "http://127.0.0.1/prices?sku=a"),)
        unmatched = (Request("GET", "http://127.0.0.1/v2/prices?sku=a"),)
    elif scenario == "raises":
        raise LookupError(f"no recording {recording_id}")
    elif scenario == "slow":
        time.sleep(30)
    elif scenario == "deaf":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # stuck where no signal gets through
        time.sleep(30)
    elif scenario == "crash":
        os._exit(3)  # a worker process dying mid-replay, as a segfault in an extension would
    elif scenario == "script":
        played = [Output("operation", {"note": "<script>alert(1)</script>"})]
    return Playback(
        recording_id=recording_id,
        recorded_outputs=recorded,
        playback_outputs=played,
        recorded_duration=0.01,
        playback_duration=0.02,
        original_recording=DVD(id=recording_id, category=CATEGORY, metadata={"tolerance": 0.5}),
        recorded_error=recorded_error,
        playback_error=playback_error,
        unplayed_requests=unplayed,
        unmatched_requests=unmatched,
    )


def pid_player(recording_id: str) -> Playback:
    """Replays 'equal' and reports the worker's pid as the operation result (recycling tests)."""
    playback = scenario_player(scenario_id("equal"))
    outputs = [Output("operation", os.getpid())]
    return Playback(
        recording_id=recording_id,
        recorded_outputs=outputs,
        playback_outputs=outputs,
        recorded_duration=0.0,
        playback_duration=0.0,
        original_recording=playback.original_recording,
    )


def unhurried_player(recording_id: str) -> Playback:
    """`scenario_player`, after a short pause: replays still in flight when a 'crash' kills its worker."""
    time.sleep(0.2)
    return scenario_player(recording_id)
