"""Tee streams: pass a live response's chunks to the caller as they arrive, keep a copy, commit on close.

Streaming keeps working while recording (server-sent events, large downloads), and closing the tee closes
the real stream, which returns the pooled connection (vcrpy #977 leaked connections by not doing so).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol

from ._stream_end import aended_before_close, ended_before_close


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

    The body is complete when the stream ran to its end, when every byte the response announced
    (``Content-Length``) was kept, or when the stream, closed early, finds the end of its message already
    received (`_stream_end`): a caller that stops reading at the last byte and closes (an SDK at the end of
    its protocol) has read it all, although the iterator never reached its end.

    An end found at a close returns the connection to the pool while the caller may still hold the
    iterator: resumed, the tee stops there (the message had nothing more) rather than resume the inner
    stream, whose connection may be serving another request by then.
    """

    __slots__ = ("chunks", "complete", "cut", "end_checked", "expected_size", "limit", "size")

    def __init__(self, limit: int | None, expected_size: int | None = None) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.expected_size = expected_size
        self.complete = False
        self.cut = False  # past the limit: keep nothing more, and never report the body as complete
        self.end_checked = False

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

    def read_all(self) -> bool:
        """Whether the kept body is known to be the whole one, from what was read alone."""
        whole = self.complete or (self.expected_size is not None and self.size == self.expected_size)
        return whole and not self.cut

    def needs_end_check(self) -> bool:
        """Whether a closing stream should look for the end of its message: once, if it was not seen and
        would count (a body cut at the size limit is incomplete whatever follows)."""
        if self.end_checked or self.cut or self.read_all():
            return False
        self.end_checked = True
        return True

    def body(self) -> tuple[bytes, bool]:
        return b"".join(self.chunks), self.read_all()


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
        # The inner iterator is held by name: a caller that breaks out of its loop closes this generator,
        # and the end is looked for while the inner one is still open (closing it closes the connection).
        chunks = iter(self._inner)
        try:
            for chunk in chunks:
                self._keeper.keep(chunk)
                yield chunk
                if self._keeper.complete:
                    return  # ended at a close (see `_Keeper`)
        except GeneratorExit:
            self._look_for_end()
            raise
        self._keeper.complete = True

    def _look_for_end(self) -> None:
        if self._keeper.needs_end_check():
            self._keeper.complete = ended_before_close(self._inner)

    def close(self) -> None:
        try:
            try:
                self._look_for_end()
            finally:
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
            if self._keeper.complete:
                return  # ended at a close (see `_Keeper`)
        self._keeper.complete = True

    async def aclose(self) -> None:
        try:
            try:
                if self._keeper.needs_end_check():
                    self._keeper.complete = await aended_before_close(self._inner)
            finally:
                await self._inner.aclose()
        finally:
            self._commit()
