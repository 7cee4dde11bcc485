"""Whether a response stream its caller closed early had already received the end of its message.

A caller that stops at the end of its own protocol (an SDK at ``data: [DONE]``) closes a chunked response
before the iterator returned its end, although the server sent everything: the terminating chunk is
already on this machine, parsed into h11's buffer or waiting in the socket. These functions finish the
message from what is already here, never waiting for the network: h11 is sans-IO, a sync read is made
non-blocking (``timeout=0``), and an async read is made only when bytes are known to be waiting. Over
HTTP/2 the events the connection already received are looked at, never read. Whatever is not recognised
(a custom transport, a mock) answers False, as before.

When the end of an HTTP/1.1 message is found, h11 is left at the end of the message, so httpcore returns
the connection to its pool instead of closing it; otherwise httpcore closes the connection as it always
did.
"""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

import h11

#: Enough for a terminator split over a few segments; each read takes only bytes already received.
_MAX_READS = 4
_READ_SIZE = 64 * 1024


def _http11_state(stream: object) -> tuple[h11.Connection, Any] | None:
    """(h11 state, network stream) of an httpx/httpx2 response stream over an HTTP/1.1 connection.

    The path is httpcore's (and httpcore2's) private one: the client's ``ResponseStream`` holds the pool's
    stream, which holds the connection's, which holds the connection. Any other shape answers None.
    """
    pooled = getattr(stream, "_httpcore_stream", None)
    connection = getattr(getattr(pooled, "_stream", None), "_connection", None)
    state = getattr(connection, "_h11_state", None)
    if not isinstance(state, h11.Connection) or state.their_state is not h11.SEND_BODY:
        return None
    return state, getattr(connection, "_network_stream", None)


def _ended(state: h11.Connection) -> bool | None:
    """True at the end of the message, False if more body follows, None if h11 needs more bytes."""
    while True:
        event = state.next_event()
        if event is h11.NEED_DATA:
            return None
        if isinstance(event, h11.Data) and not event.data:
            continue
        # Data here is body the caller never read: the body it kept is not the whole one.
        return isinstance(event, h11.EndOfMessage)


def _http2_ended(stream: object) -> bool:
    """Whether an HTTP/2 stream's end is among the events its connection has received and not handed out.

    Only looked at, never read: the connection is shared by other streams (and threads), and closing a
    stream early keeps it open, so nothing else is needed for the pool.
    """
    byte_stream = getattr(getattr(stream, "_httpcore_stream", None), "_stream", None)
    pending = getattr(getattr(byte_stream, "_connection", None), "_events", None)
    stream_id = getattr(byte_stream, "_stream_id", None)
    if not isinstance(pending, dict) or not isinstance(stream_id, int):
        return False
    import h2.events  # present whenever httpcore made an HTTP/2 connection

    for event in list(pending.get(stream_id, ())):
        if isinstance(event, h2.events.StreamEnded):
            return True
        if not isinstance(event, h2.events.DataReceived) or event.data:
            return False  # body the caller never read, or a reset
    return False


def ended_before_close(stream: object) -> bool:
    """Whether the end of *stream*'s message has already arrived (sync; never waits for the network)."""
    found = _http11_state(stream)
    if found is None:
        return _safely(_http2_ended, stream)
    state, network = found
    try:
        for _ in range(_MAX_READS):
            ended = _ended(state)
            if ended is not None:
                return ended
            # timeout=0 makes httpcore's socket non-blocking for this read: it returns what was received
            # (TLS included: a partial record raises) or raises at once.
            state.receive_data(network.read(_READ_SIZE, timeout=0))
    except Exception:  # a failed look is "not known to be complete", never the caller's error
        return False
    return False


async def aended_before_close(stream: object) -> bool:
    """The async twin of `ended_before_close`.

    An async read cannot be made non-blocking (a zero deadline cancels it before it looks), so it is made
    only when bytes are waiting: decrypted ones in the TLS layer, or, on a plain connection, in the socket.
    Bytes of a TLS socket may be part of a record whose rest is still on the way, so they do not count.
    """
    found = _http11_state(stream)
    if found is None:
        return _safely(_http2_ended, stream)
    state, network = found
    try:
        for _ in range(_MAX_READS):
            ended = _ended(state)
            if ended is not None:
                return ended
            if not _bytes_waiting(network):
                return False
            state.receive_data(await network.read(_READ_SIZE))
    except Exception:  # as above; cancellation (BaseException) still propagates
        return False
    return False


def _bytes_waiting(network: Any) -> bool:
    """Whether a read of *network* (an async httpcore network stream) returns without waiting."""
    tls = network.get_extra_info("ssl_object")
    if tls is not None:
        return bool(tls.pending())
    # Not httpcore's "is_readable", which also says True when it cannot find the socket.
    sock = network.get_extra_info("socket")
    if sock is None:
        return False
    if hasattr(select, "poll"):  # select() refuses descriptors past 1023, which a busy process has
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([sock], [], [], 0)  # pragma: no cover  # Windows, which has no poll
    return bool(readable)


def _safely(look: Callable[[object], bool], stream: object) -> bool:
    try:
        return look(stream)
    except Exception:  # a failed look is "not known to be complete", never the caller's error
        return False
