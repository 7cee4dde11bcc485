"""The one suffix rule: a name says its format (`.dvd` binary; `.dvd.json`, or anything else, JSON)."""

from __future__ import annotations

BINARY_SUFFIX = ".dvd"
JSON_SUFFIX = ".dvd.json"
#: The suffixes of the files playback_dvd writes.
DVD_SUFFIXES = (BINARY_SUFFIX, JSON_SUFFIX)


def is_binary_path(path: str) -> bool:
    """Whether a DVD at *path* is written in the binary format (suffix ``.dvd``; anything else is JSON)."""
    return path.endswith(BINARY_SUFFIX)


def is_dvd_path(path: str) -> bool:
    """Whether *path* names a file in one of our formats (``.dvd`` or ``.dvd.json``)."""
    return path.endswith(DVD_SUFFIXES)


def suffix_for(*, binary: bool) -> str:
    """The suffix of a new DVD file in the binary or the JSON format."""
    return BINARY_SUFFIX if binary else JSON_SUFFIX
