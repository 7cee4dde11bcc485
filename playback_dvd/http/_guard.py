"""The connection guard: connections that bypass the intercepted clients are refused in a hermetic replay.

An audit hook (PEP 578) sees every ``socket.connect``, ``socket.sendto`` and ``socket.getaddrinfo`` of the
process, whatever library makes them (urllib, ``requests``, raw sockets, asyncio streams, database
drivers). It does something only where a `ConnectionPolicy` is set in the current context (thread or
task), so other threads and tasks are untouched. Audit hooks cannot be removed, so it is installed once, at
the first guarded or recorded session; a process that never opens one pays nothing, and outside a session
the hook costs one set lookup per audited event.

The handler transports of the intercepted clients (httpx, httpx2) set `intercepted` while they send, which
lets their own connections through: whether those may reach the network is the handler's decision, made
per request.
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import logging
import socket
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from types import FrameType
from typing import Any

import attrs

from .._errors import NetworkBlockedError

logger = logging.getLogger("playback_dvd")


@attrs.frozen
class Bypass:
    """One connection that did not go through an intercepted client.

    Args:
        transport: ``"tcp"`` or ``"udp"``.
        host: The host name when the connection's lookup was seen, else the address.
        port: The port, when known.
        library: Who opened it (``urllib3``, ``redis``, ``urllib``, or the caller's own package).
    """

    transport: str
    host: str
    port: int | None
    library: str

    def __str__(self) -> str:
        where = f"{self.host}:{self.port}" if self.port is not None else self.host
        return f"{self.transport} {where} ({self.library})"


#: Told about each connection that bypasses the intercepted clients.
BypassReporter = Callable[[Bypass], None]


@attrs.frozen
class ConnectionPolicy:
    """What happens, in one context, to a connection that does not go through an intercepted client.

    Args:
        block: Refuse it with `NetworkBlockedError` (a hermetic replay), else only report it.
        allowed_hosts: Host globs (``"db.internal"``, ``"*.internal"``, ``"localhost:5432"``) that pass.
        allow_hint: How the user lets a host through where this policy was set, shown in the error;
            ``{host}`` is replaced by the refused host.
        reason: Why connections are refused here (``"this replay is hermetic"``).
        on_bypass: Told about each connection that bypasses the intercepted clients and is not allowed,
            before it is refused when *block* (a replay lists them; a recording counts them).
    """

    block: bool
    allowed_hosts: tuple[str, ...] = ()
    allow_hint: str = "allowed_hosts=['{host}'] or allow_network=True"
    reason: str = "this replay is hermetic"
    on_bypass: BypassReporter | None = None
    _resolved: dict[str, frozenset[str]] = attrs.field(factory=dict, eq=False, repr=False)
    # The last name looked up per port in this context: a reported connection is named, not numbered.
    _names: dict[int | None, str] = attrs.field(factory=dict, eq=False, repr=False)

    def allows(self, host: str, port: int | None) -> bool:
        """Whether *host* (a name or an address) and *port* match an allowed host."""
        if not self.allowed_hosts:
            return False
        host = host.lower().strip("[]")
        if host_allowed(host, port, self.allowed_hosts):
            return True
        # A connection sees an address; an allowed name ("localhost", "db.internal") is resolved once.
        if not _is_address(host):
            return False
        for pattern in self.allowed_hosts:
            name, _, pattern_port = pattern.rpartition(":") if pattern.count(":") == 1 else (pattern, "", "")
            if pattern_port and pattern_port != str(port):
                continue
            if host in self._addresses_of(name):
                return True
        return False

    def _addresses_of(self, name: str) -> frozenset[str]:
        if any(character in name for character in "*?[") or _is_address(name):
            return frozenset()
        found = self._resolved.get(name)
        if found is None:
            try:
                found = frozenset(str(info[4][0]) for info in socket.getaddrinfo(name, None))
            except OSError:
                found = frozenset()
            self._resolved[name] = found
        return found


current_connection_policy: ContextVar[ConnectionPolicy | None] = ContextVar(
    "playback_dvd_connection_policy", default=None
)
#: True while a handler transport sends (``token = intercepted.set(True)`` ... ``intercepted.reset(token)``,
#: not a context manager: this runs for every live request): the connections opened then belong to an
#: intercepted client, and the guard lets them pass.
intercepted: ContextVar[bool] = ContextVar("playback_dvd_intercepted_connection", default=False)

_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.getaddrinfo"})
_hook_lock = threading.Lock()
_hook_installed = False
# Frames of these modules are the plumbing under a library, not the library that opened the connection.
_PLUMBING = frozenset({"socket", "ssl", "selectors", "concurrent", "threading", "contextlib", "playback_dvd"})


def host_allowed(host: str, port: int | None, allowed_hosts: tuple[str, ...]) -> bool:
    """Whether *host* (or ``host:port``) matches one of *allowed_hosts* (globs, any case)."""
    host = host.lower()
    with_port = f"{host}:{port}" if port is not None else host
    return any(
        fnmatch.fnmatchcase(host, pattern.lower()) or fnmatch.fnmatchcase(with_port, pattern.lower())
        for pattern in allowed_hosts
    )


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def ensure_hook() -> None:
    """Install the audit hook and asyncio's lookup check, once per process (audit hooks cannot be removed)."""
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _check_asyncio_lookups()
            _hook_installed = True


def _check_asyncio_lookups() -> None:
    """Make asyncio's name lookups go through the guard in the task that asks for them.

    ``loop.getaddrinfo`` runs ``socket.getaddrinfo`` in an executor thread, and ``run_in_executor`` copies
    no context: there the audit hook finds no policy, and a hermetic replay's lookup would reach the
    resolver (only the connect after it was refused). The loop's method is wrapped to ask the guard first,
    in the caller's context: refused, the lookup never starts. Loops that resolve outside Python (uvloop)
    are not covered.
    """
    import asyncio.base_events  # here, not at the top: a process that never opens a session pays nothing

    loop_class = asyncio.base_events.BaseEventLoop
    resolve = loop_class.getaddrinfo

    @functools.wraps(resolve)
    async def getaddrinfo(
        self: asyncio.base_events.BaseEventLoop,
        host: Any,
        port: Any,
        *,
        family: int = 0,
        type: int = 0,  # asyncio's keyword
        proto: int = 0,
        flags: int = 0,
    ) -> Any:
        if current_connection_policy.get() is not None:
            _audit("socket.getaddrinfo", (host, port, family, type, proto, flags))
        return await resolve(self, host, port, family=family, type=type, proto=proto, flags=flags)

    setattr(loop_class, "getaddrinfo", getaddrinfo)  # noqa: B010  # mypy refuses assigning to a method


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in _EVENTS:
        return
    policy = current_connection_policy.get()
    if policy is None or intercepted.get():
        return
    destination = _destination(event, args)
    if destination is None:
        return
    host, port = destination
    if policy.allows(host, port):
        return
    lookup = event == "socket.getaddrinfo"
    if not policy.block:
        # Reported once per connection: the lookup only lends the connection its name.
        if lookup:
            policy._names[port] = host
            return
        host = policy._names.pop(port, host)
    transport = "tcp" if lookup or args[0].type == socket.SOCK_STREAM else "udp"
    bypass = Bypass(transport, host, port, _calling_library())
    if policy.on_bypass is not None:
        policy.on_bypass(bypass)
    if policy.block:
        if not lookup:
            # socket.create_connection closes its socket on OSError only; this error is not one (a
            # wrapper would hide it), so the refused socket is closed here rather than leaked.
            args[0].close()
        raise blocked_connection_error(bypass, policy)


def _destination(event: str, args: tuple[Any, ...]) -> tuple[str, int | None] | None:
    """(host, port) of an audited event, or None for what never leaves the machine (unix sockets)."""
    if event == "socket.getaddrinfo":
        host, port = args[0], args[1]
        if host is None:
            return None
        name = host.decode("idna") if isinstance(host, bytes) else str(host)
        if _is_address(name.strip("[]")):
            return None  # an address literal resolves locally; its connection is checked instead
        return name, port if isinstance(port, int) else None
    sock, address = args[0], args[-1]
    if getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX:
        return None
    if not isinstance(address, tuple) or len(address) < 2:
        return None
    host = address[0].decode("idna") if isinstance(address[0], bytes) else str(address[0])
    return host, address[1] if isinstance(address[1], int) else None


def _calling_library() -> str:
    """Who opened the connection: ``urllib3``, ``redis``, ``urllib``, or the user's own module.

    The innermost third-party package wins (``requests`` connects through ``urllib3``); failing that,
    the outermost standard-library package the call went through (``urllib`` over ``http.client``);
    failing that, the caller's own top-level package (a raw socket).
    """
    frame: FrameType | None = sys._getframe(2)
    standard: str | None = None
    while frame is not None:
        package = str(frame.f_globals.get("__name__", "")).partition(".")[0]
        frame = frame.f_back
        if not package or package in _PLUMBING:
            continue
        if package in sys.stdlib_module_names:
            standard = package
            continue
        return standard or package
    return standard or "unknown"


def blocked_connection_error(bypass: Bypass, policy: ConnectionPolicy) -> NetworkBlockedError:
    """The error for a refused connection: where it went, who opened it, how to allow it."""
    host, port = bypass.host, bypass.port
    where = f"{host}:{port}" if port is not None else host
    return NetworkBlockedError(
        f"playback_dvd blocked a connection to {where} (opened by {bypass.library}): {policy.reason}, "
        "and only httpx and httpx2 clients are intercepted (recorded and replayed).\n"
        f"How to fix: let the host through with {policy.allow_hint.replace('{host}', host)}, or make the "
        "call through an httpx/httpx2 client",
        host=host,
        url=where,
        port=port,
    )


class BypassLog:
    """What a recording learns of the connections it could not capture: a list for its metadata, and a
    warning on the ``playback_dvd`` logger once per (host, library) per process."""

    _warned: set[tuple[str, str]] = set()  # noqa: RUF012  # shared on purpose: once per process
    _warned_lock = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, None] = {}  # insertion-ordered set

    def note(self, bypass: Bypass) -> None:
        """Remember *bypass*; warn if its (host, library) was never reported in this process."""
        with self._lock:
            self._seen[str(bypass)] = None
        key = (bypass.host, bypass.library)
        with self._warned_lock:
            first = key not in self._warned
            self._warned.add(key)
        if first:
            logger.warning(
                "playback_dvd: a connection to %s opened by %s is not captured (only httpx and httpx2 "
                "clients are); the recording lists it under metadata['not_captured']",
                f"{bypass.host}:{bypass.port}" if bypass.port is not None else bypass.host,
                bypass.library,
            )

    @property
    def entries(self) -> list[str]:
        """Each connection not captured, once, in the order first seen (``"tcp cache:6379 (redis)"``)."""
        with self._lock:
            return list(self._seen)

    def policy(self) -> ConnectionPolicy:
        """The connection guard's policy of a recording: report, never refuse."""
        return ConnectionPolicy(block=False, on_bypass=self.note)
