"""The front door: everything public is importable from playback_dvd, and __all__ is sorted."""

import playback_dvd


def test_all_is_sorted() -> None:
    assert playback_dvd.__all__ == sorted(playback_dvd.__all__)


def test_every_name_in_all_exists() -> None:
    missing = [name for name in playback_dvd.__all__ if not hasattr(playback_dvd, name)]
    assert missing == []


def test_public_objects_are_exported() -> None:
    public = {
        name
        for name, value in vars(playback_dvd).items()
        if not name.startswith("_") and not isinstance(value, type(playback_dvd)) and name != "annotations"
    }
    assert public - set(playback_dvd.__all__) == set()
