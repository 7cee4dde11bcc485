"""Never executed: type-checked by mypy (strict) to prove the public API keeps users' types."""

from __future__ import annotations

from pathlib import Path

import httpx

import playback_dvd as pd


def decorated_function_keeps_its_signature() -> int:
    @pd.use_dvd(Path("x.dvd.json"), record_mode="none", match_on=("method", "uri"))
    def fetch(item: int) -> int:
        return httpx.get(f"https://api.test/{item}").status_code

    return fetch(1)


async def async_block_yields_a_dvd() -> int:
    async with pd.use_dvd(
        "x.dvd", record_mode=pd.RecordMode.NEW_EPISODES, allow_playback_repeats=True
    ) as dvd:
        played: int = dvd.play_count
    return played


def errors_carry_typed_fields(error: pd.UnmatchedRequestError) -> str:
    closest: tuple[pd.Request, ...] = error.closest
    return error.reason + error.request.url + str(len(closest))


def hermetic_options_are_typed(recorder: pd.Recorder) -> tuple[str, ...]:
    with pd.use_dvd("x.dvd", match_on=pd.VCRPY_MATCH_ON, block_network=True, allowed_hosts=["db"]):
        pass
    playback = recorder.play("id", lambda dvd: None, allowed_hosts=["db.internal"], allow_network=False)
    uncaptured: int = recorder.stats.uncaptured_connections
    return (*playback.blocked_connections, str(uncaptured))


def blocked_errors_name_host_and_port(error: pd.NetworkBlockedError) -> str:
    port: int | None = error.port
    return f"{error.host}:{port}"
