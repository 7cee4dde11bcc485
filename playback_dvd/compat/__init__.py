"""Compatibility surfaces: other libraries' public module paths, served by playback_dvd's engine."""
