"""Tee streams: pass a live response's chunks to the caller as they arrive, keep a copy, commit on close.

Streaming keeps working while recording (server-sent events, large downloads), and closing the tee closes
the real stream, which returns the pooled connection (vcrpy #977 leaked connections by not doing so).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

#: Called once when the stream closes: the kept bytes, and whether they are the whole body.
OnClose = Callable[[bytes, bool], None]


class _Committing:
    """Commits the kept body exactly once: on close, or when its handler finishes if never closed."""

    def __init__(self, on_close: OnClose, limit: int | None, on_done: Callable[[Any], None] | None) -> None:
        self._on_close: OnClose | None = on_close
        self._on_done = on_done
        self._keeper = _Keeper(limit)

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
    """The kept chunks, up to an optional size limit past which the body is marked incomplete."""

    __slots__ = ("chunks", "complete", "cut", "limit", "size")

    def __init__(self, limit: int | None) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit
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
        return b"".join(self.chunks), self.complete and not self.cut


class TeeStream(_Committing, httpx.SyncByteStream):
    """A sync response stream that records what passes through it."""

    def __init__(
        self,
        inner: httpx.SyncByteStream,
        on_close: OnClose,
        limit: int | None = None,
        on_done: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(on_close, limit, on_done)
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


class AsyncTeeStream(_Committing, httpx.AsyncByteStream):
    """The async twin of `TeeStream`."""

    def __init__(
        self,
        inner: httpx.AsyncByteStream,
        on_close: OnClose,
        limit: int | None = None,
        on_done: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(on_close, limit, on_done)
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
