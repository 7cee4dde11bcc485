"""Part of playback's public module paths (see `playback_dvd.compat.playback`)."""
