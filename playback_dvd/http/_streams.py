"""Tee streams: pass a live response's chunks to the caller as they arrive, keep a copy, commit on close.

Streaming keeps working while recording (server-sent events, large downloads), and closing the tee closes
the real stream, which returns the pooled connection (vcrpy #977 leaked connections by not doing so).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol


class SyncBytes(Protocol):
    """A response body stream of httpx or httpx2 (their ``SyncByteStream``)."""

    def __iter__(self) -> Iterator[bytes]: ...
    def close(self) -> None: ...


class AsyncBytes(Protocol):
    """The async twin of `SyncBytes`."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...
    async def aclose(self) -> None: ...


#: Called once when the stream closes: the kept bytes, and whether they are the whole body.
OnClose = Callable[[bytes, bool], None]


class _Committing:
    """Commits the kept body exactly once: on close, or when its handler finishes if never closed."""

    def __init__(
        self,
        on_close: OnClose,
        limit: int | None,
        on_done: Callable[[Any], None] | None,
        expected_size: int | None,
    ) -> None:
        self._on_close: OnClose | None = on_close
        self._on_done = on_done
        self._keeper = _Keeper(limit, expected_size)

    def commit_partial(self) -> None:
        """Commit what was read so far (the handler is finishing and the caller never closed the stream)."""
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            body, _ = self._keeper.body()
            on_close(body, False)

    def _commit(self) -> None:
        on_close, self._on_close = self._on_close, None
        if self._on_done is not None:
            self._on_done(self)
        if on_close is not None:
            on_close(*self._keeper.body())


class _Keeper:
    """The kept chunks, up to an optional size limit past which the body is marked incomplete.

    The body is complete when the stream ran to its end, or when every byte the response announced
    (``Content-Length``) was kept: a caller that stops reading at the last byte and closes (an SDK at the
    end of its protocol) has read it all, although the iterator never reached its end.
    """

    __slots__ = ("chunks", "complete", "cut", "expected_size", "limit", "size")

    def __init__(self, limit: int | None, expected_size: int | None = None) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.expected_size = expected_size
        self.complete = False
        self.cut = False  # past the limit: keep nothing more, and never report the body as complete

    def keep(self, chunk: bytes) -> None:
        if self.cut:
            return
        if self.limit is not None and self.size + len(chunk) > self.limit:
            self.chunks.append(chunk[: self.limit - self.size])
            self.size = self.limit
            self.cut = True
            return
        self.chunks.append(chunk)
        self.size += len(chunk)

    def body(self) -> tuple[bytes, bool]:
        whole = self.complete or (self.expected_size is not None and self.size == self.expected_size)
        return b"".join(self.chunks), whole and not self.cut


class TeeStream(_Committing):
    """A sync response stream that records what passes through it.

    Library-neutral: each client library's adapter (`_httpx`, `_httpx2`) subclasses it together with that
    library's ``SyncByteStream``, because both clients check the stream's type.
    """

    def __init__(
        self,
        inner: SyncBytes,
        on_close: OnClose,
        limit: int | None = None,
        on_done: Callable[[Any], None] | None = None,
        expected_size: int | None = None,
    ) -> None:
        super().__init__(on_close, limit, on_done, expected_size)
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._keeper.keep(chunk)
            yield chunk
        self._keeper.complete = True

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._commit()


class AsyncTeeStream(_Committing):
    """The async twin of `TeeStream`."""

    def __init__(
        self,
        inner: AsyncBytes,
        on_close: OnClose,
        limit: int | None = None,
        on_done: Callable[[Any], None] | None = None,
        expected_size: int | None = None,
    ) -> None:
        super().__init__(on_close, limit, on_done, expected_size)
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._keeper.keep(chunk)
            yield chunk
        self._keeper.complete = True

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._commit()
