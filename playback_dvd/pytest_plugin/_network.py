"""``--dvd-block-network``: refuse requests and connections to hosts that are not allowed.

Two layers: a handler in front of the test's DVD refuses httpx/httpx2 requests (it knows whether the DVD
may record), and the connection guard refuses every other library's connections (urllib, ``requests``,
raw sockets) from the test's thread or task.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator

from .._errors import NetworkBlockedError, UnmatchedRequestError
from .._words import plural
from ..http._activation import activated
from ..http._active import ClientRequest, ClientResponse
from ..http._guard import ConnectionPolicy, host_allowed
from ..http._handler import DVDHttpHandler

#: How a test lets a host through, as the connection guard's error shows it.
ALLOW_HINT = "--dvd-allowed-hosts={host} or allowed_hosts=['{host}'] in the dvd mark or dvd_config"


def blocked_connections(allowed_hosts: tuple[str, ...], refused: list[str] | None = None) -> ConnectionPolicy:
    """The connection guard's policy for a test run with ``--dvd-block-network``.

    Args:
        allowed_hosts: Host globs that pass.
        refused: Where each refused connection is listed (``"tcp host:port (library)"``), for the report.
    """
    return ConnectionPolicy(
        block=True,
        allowed_hosts=allowed_hosts,
        allow_hint=ALLOW_HINT,
        reason="--dvd-block-network is on",
        on_bypass=None if refused is None else (lambda bypass: refused.append(str(bypass))),
    )


def blocked_error(request: ClientRequest) -> NetworkBlockedError:
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
        port=request.url.port,
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
        #: What was refused, as ``"GET https://host/path"`` (requests) and ``"tcp host:port (library)"``
        #: (other connections, when the connection guard reports here too).
        self.refused: list[str] = []

    def _check(self, request: ClientRequest) -> None:
        # A DVD that may record needs the network to record; only replay-only DVDs (and no DVD) are guarded.
        # Replay-only DVDs send only the requests their filters ignore: those are the ones checked here.
        if (self.inner is None or self.inner.dvd.write_protected) and not host_allowed(
            request.url.host, request.url.port, self.allowed_hosts
        ):
            self.refused.append(f"{request.method} {request.url}")
            raise blocked_error(request)

    def handle(
        self, request: ClientRequest, send: Callable[[ClientRequest], ClientResponse]
    ) -> ClientResponse:
        def guarded_send(outgoing: ClientRequest) -> ClientResponse:
            self._check(outgoing)
            return send(outgoing)

        if self.inner is None:
            return guarded_send(request)
        return self.inner.handle(request, guarded_send)

    async def ahandle(
        self, request: ClientRequest, send: Callable[[ClientRequest], Awaitable[ClientResponse]]
    ) -> ClientResponse:
        async def guarded_send(outgoing: ClientRequest) -> ClientResponse:
            self._check(outgoing)
            return await send(outgoing)

        if self.inner is None:
            return await guarded_send(request)
        return await self.inner.ahandle(request, guarded_send)


@contextlib.contextmanager
def blocked_network(allowed_hosts: tuple[str, ...]) -> Iterator[NetworkGuard]:
    """Refuse this context's requests and connections to hosts not in *allowed_hosts* until the block ends."""
    guard = NetworkGuard(allowed_hosts)
    with activated(guard, blocked_connections(allowed_hosts, guard.refused)):
        yield guard


def report_section(misses: list[UnmatchedRequestError], refused: list[str], limit: int = 5) -> str | None:
    """The text a failed test's report shows about its DVDs: requests not answered, connections refused.

    Client libraries often wrap these errors (an SDK's ``APIConnectionError``) or retry them first; the
    section keeps the reason in sight. None when there is nothing to say.
    """
    if not misses and not refused:
        return None
    lines: list[str] = []
    if misses:
        lines.append(f"{plural(len(misses), 'request')} the DVD could not answer:")
        for error in misses[:limit]:
            lines.extend("  " + line for line in str(error).splitlines())
        if len(misses) > limit:
            lines.append(f"  ... and {len(misses) - limit} more")
    if refused:
        counted = plural(len(refused), "request or connection", "requests or connections")
        lines.append(f"{counted} refused by --dvd-block-network:")
        lines.extend(f"  {what}" for what in refused[:limit])
        if len(refused) > limit:
            lines.append(f"  ... and {len(refused) - limit} more")
    lines.append("SDKs retry failed requests with backoff: pass max_retries=0 to their clients in tests.")
    return "\n".join(lines)
