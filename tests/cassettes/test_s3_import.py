"""The S3 cassettes are optional: `import playback_dvd` never imports boto3, and without boto3 the error says
what to install."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_importing_playback_dvd_does_not_import_boto3() -> None:
    result = _run("import sys, playback_dvd; print('boto3' in sys.modules, 'botocore' in sys.modules)")
    assert result.stdout.strip() == "False False", result.stderr


def test_s3_cassette_is_loaded_on_first_use() -> None:
    result = _run("import sys, playback_dvd; playback_dvd.S3Cassette; print('boto3' in sys.modules)")
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.parametrize("name", ["S3Cassette", "CachedS3Cassette"])
def test_without_boto3_the_error_says_to_install_the_s3_extra(name: str) -> None:
    # A None entry in sys.modules makes `import boto3` fail as if it were not installed.
    code = (
        "import sys; sys.modules['boto3'] = None\n"
        "import playback_dvd\n"
        "try:\n"
        f"    from playback_dvd import {name}\n"
        "except playback_dvd.MissingDependencyError as error:\n"
        "    print(isinstance(error, ImportError), error)\n"
    )
    result = _run(code)
    assert "playback-dvd[s3]" in result.stdout, result.stderr
    assert result.stdout.startswith("True "), result.stdout


def test_unknown_attribute_is_an_attribute_error() -> None:
    import playback_dvd

    with pytest.raises(AttributeError, match="NoSuchThing"):
        playback_dvd.NoSuchThing  # noqa: B018
