"""Fixtures of the cassette tests."""

from .conftest_s3 import *  # noqa: F403  # the S3 server fixtures (moto, SeaweedFS)
