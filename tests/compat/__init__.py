"""Tests of playback_dvd.compat.playback: playback's API on playback_dvd's engine."""
