"""Putting a handler in charge of this context's httpx traffic: one place patches and sets the ContextVar.

Every entry point (`use_dvd`, a recorded operation, `Recorder.play`, the pytest plugin's network guard)
goes through `HttpActivation`, so the patch's reference count and the ContextVar can never get out of step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import Token

from . import _patching
from ._active import HttpHandler, current_http_handler


class HttpActivation:
    """*handler* answers the httpx requests of this context (thread or task) from `start` to `stop`.

    Start and stop are separate steps because some callers end in another call than they began (a recorded
    generator ends when it is exhausted; the pytest plugin saves after it knows the test's outcome).
    """

    __slots__ = ("_token", "handler")

    def __init__(self, handler: HttpHandler) -> None:
        self.handler = handler
        self._token: Token[HttpHandler | None] | None = None

    def start(self) -> None:
        """Patch httpx (reference-counted) and make the handler answer this context (innermost wins)."""
        _patching.install()
        try:
            self._token = current_http_handler.set(self.handler)
        except BaseException:
            _patching.uninstall()
            raise

    def stop(self) -> None:
        """Hand this context back to what answered before `start`; a second call does nothing.

        Raises:
            ValueError: Called from another context than `start` (the patch is released all the same).
        """
        token, self._token = self._token, None
        if token is None:
            return
        try:
            current_http_handler.reset(token)
        finally:
            _patching.uninstall()


@contextlib.contextmanager
def activated(handler: HttpHandler) -> Iterator[None]:
    """*handler* answers this context's httpx requests until the block ends."""
    activation = HttpActivation(handler)
    activation.start()
    try:
        yield
    finally:
        activation.stop()
