"""playback's ``EqualizerTuning`` and ``EqualizerTuner`` (playback_dvd's own, same names and fields)."""

from __future__ import annotations

from ....compare import EqualizerTuner, EqualizerTuning

__all__ = ["EqualizerTuner", "EqualizerTuning"]
