"""Putting a handler in charge of this context's HTTP: one place patches, sets the ContextVars, and guards.

Every entry point (`use_dvd`, a recorded operation, `Recorder.play`, the pytest plugin's network guard)
goes through `HttpActivation`, so the patch's reference count (httpx and httpx2 alike), the handler's
ContextVar and the connection guard's policy can never get out of step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import Token

from . import _guard, _patching
from ._active import HttpHandler, current_http_handler
from ._guard import ConnectionPolicy, current_connection_policy


class HttpActivation:
    """*handler* answers the httpx and httpx2 requests of this context (thread or task) from start to stop.

    Args:
        handler: What answers the intercepted clients' requests.
        connections: What happens to connections that bypass those clients (refused in a hermetic
            replay, reported while recording); None leaves them alone.

    Start and stop are separate steps because some callers end in another call than they began (a recorded
    generator ends when it is exhausted; the pytest plugin saves after it knows the test's outcome).
    """

    __slots__ = ("_policy_token", "_token", "connections", "handler")

    def __init__(self, handler: HttpHandler, connections: ConnectionPolicy | None = None) -> None:
        self.handler = handler
        self.connections = connections
        self._token: Token[HttpHandler | None] | None = None
        self._policy_token: Token[ConnectionPolicy | None] | None = None

    def start(self) -> None:
        """Patch the clients (reference-counted) and make the handler answer this context (innermost wins)."""
        _patching.install()
        try:
            if self.connections is not None:
                _guard.ensure_hook()
                self._policy_token = current_connection_policy.set(self.connections)
            self._token = current_http_handler.set(self.handler)
        except BaseException:
            self._reset_policy()
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
            try:
                self._reset_policy()
            finally:
                _patching.uninstall()

    def _reset_policy(self) -> None:
        token, self._policy_token = self._policy_token, None
        if token is not None:
            current_connection_policy.reset(token)


@contextlib.contextmanager
def activated(handler: HttpHandler, connections: ConnectionPolicy | None = None) -> Iterator[None]:
    """*handler* answers this context's requests until the block ends (see `HttpActivation`)."""
    activation = HttpActivation(handler, connections)
    activation.start()
    try:
        yield
    finally:
        activation.stop()
