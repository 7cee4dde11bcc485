"""Never executed: type-checked by mypy (strict) to prove the Recorder's decorators keep users' types."""

from __future__ import annotations

import playback_dvd as pd

recorder = pd.Recorder(pd.MemoryCassette(), sampling_rate=0.5, code_version="abc", filter_headers=["x-key"])


class Checkout:
    @recorder.operation(metadata_extractor=lambda self, order_id: {"order_id": order_id})
    def run(self, order_id: int) -> str:
        return self.load(order_id) + str(self.save(order_id))

    @recorder.operation()
    async def arun(self, order_id: int) -> str:
        return str(order_id)

    @recorder.intercept_input("checkout.load", value_when_missing="")
    def load(self, order_id: int) -> str:
        return str(order_id)

    @recorder.intercept_output("checkout.save")
    def save(self, order_id: int) -> bool:
        return True


def results_keep_their_types() -> str:
    text: str = Checkout().run(1)
    return text


async def async_results_keep_their_types() -> str:
    text: str = await Checkout().arun(1)
    return text


def playback_fields_are_typed() -> float:
    playback: pd.Playback = recorder.play("id", lambda dvd: Checkout().run(dvd.metadata["order_id"]))
    outputs: list[pd.Output] = playback.playback_outputs
    stats: pd.RecorderStats = recorder.stats
    rid: str | None = recorder.current_recording_id
    alias: type[pd.Recorder] = pd.TapeRecorder
    return playback.recorded_duration + len(outputs) + stats.recorded + len(rid or "") + bool(alias)
