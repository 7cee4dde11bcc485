"""The hook the pytest plugin adds: configure playback_dvd once for the whole test session."""

from __future__ import annotations

import pytest


@pytest.hookspec(historic=True)
def pytest_playback_dvd_configure(config: pytest.Config) -> None:
    """Configure playback_dvd for the whole session: register matchers, set up what every DVD needs.

    Implement it in a ``conftest.py`` (or a plugin). It is called once per process (in each pytest-xdist
    worker too) when pytest configures, and for a conftest loaded later, when that conftest registers.
    Per-test options (filters, record mode, matchers to use) belong in the ``dvd_config`` fixture.

    Args:
        config: The pytest config object.

    Example::

        def pytest_playback_dvd_configure(config):
            import playback_dvd

            playback_dvd.register_matcher("same_api_version", same_api_version)

    .. versionadded:: 0.1.0
    """
