"""``--dvd-block-network``: an httpx handler that refuses requests to hosts that are not allowed."""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Awaitable, Callable, Iterator

import httpx

from .._errors import NetworkBlockedError
from ..http._activation import activated
from ..http._handler import DVDHttpHandler


def host_allowed(url: httpx.URL, allowed_hosts: tuple[str, ...]) -> bool:
    """Whether *url*'s host (or ``host:port``) matches one of *allowed_hosts* (globs, any case)."""
    host = url.host.lower()
    with_port = f"{host}:{url.port}" if url.port is not None else host
    return any(
        fnmatch.fnmatchcase(host, pattern.lower()) or fnmatch.fnmatchcase(with_port, pattern.lower())
        for pattern in allowed_hosts
    )


def blocked_error(request: httpx.Request) -> NetworkBlockedError:
    """The error for a request the blocked network refuses: which host, and the ways to let it through."""
    host = request.url.host
    return NetworkBlockedError(
        f"playback_dvd blocked {request.method} {request.url}: the network is blocked "
        f"(--dvd-block-network) and host {host!r} is not allowed.\n"
        "How to fix:\n"
        f"  * allow the host: --dvd-allowed-hosts={host} (comma-separated, globs allowed), or "
        f"allowed_hosts=[{host!r}] in the dvd mark or dvd_config\n"
        "  * or replay it from a DVD: mark the test with @pytest.mark.dvd and record it once with "
        "--dvd-record-mode=once (a DVD that records may reach the network)",
        host=host,
        url=str(request.url),
    )


class NetworkGuard:
    """Lets a request through to the network only when its host is allowed or a DVD is recording it.

    Args:
        allowed_hosts: Host globs that always go through.
        inner: The test's DVD handler, or None for a test without a DVD (then every request is checked).
    """

    def __init__(self, allowed_hosts: tuple[str, ...], inner: DVDHttpHandler | None = None) -> None:
        self.allowed_hosts = allowed_hosts
        self.inner = inner

    def _check(self, request: httpx.Request) -> None:
        # A DVD that may record needs the network to record; only replay-only DVDs (and no DVD) are guarded.
        # Replay-only DVDs send only the requests their filters ignore: those are the ones checked here.
        if (self.inner is None or self.inner.dvd.write_protected) and not host_allowed(
            request.url, self.allowed_hosts
        ):
            raise blocked_error(request)

    def handle(
        self, request: httpx.Request, send: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        def guarded_send(outgoing: httpx.Request) -> httpx.Response:
            self._check(outgoing)
            return send(outgoing)

        if self.inner is None:
            return guarded_send(request)
        return self.inner.handle(request, guarded_send)

    async def ahandle(
        self, request: httpx.Request, send: Callable[[httpx.Request], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        async def guarded_send(outgoing: httpx.Request) -> httpx.Response:
            self._check(outgoing)
            return await send(outgoing)

        if self.inner is None:
            return await guarded_send(request)
        return await self.inner.ahandle(request, guarded_send)


@contextlib.contextmanager
def blocked_network(allowed_hosts: tuple[str, ...]) -> Iterator[None]:
    """Refuse the httpx requests of this context to hosts not in *allowed_hosts* until the block ends."""
    with activated(NetworkGuard(allowed_hosts)):
        yield
