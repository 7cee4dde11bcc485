"""`use_dvd`: record httpx traffic into a DVD file once, replay it on every later run."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar, cast

from ._dvd import DVD, RecordMode
from ._files import read_document, write_document
from ._filters import NO_FILTERS, Filters
from ._matching import DEFAULT_MATCH_ON, Matcher, MatcherFunction
from ._serialization import DVDDocument
from ._session import current_http_handler
from .http import _patching
from .http._handler import DVDHttpHandler

F = TypeVar("F", bound=Callable[..., Any])


class use_dvd:  # noqa: N801  # used as a function (context manager and decorator), named like one
    """Record the httpx traffic of a block into a DVD file, and replay it from there on later runs.

    Works as ``with``, ``async with`` and as a decorator of sync and async functions (each call loads the
    file afresh). Every httpx client used inside the block is covered, wherever it was created; nested
    blocks work (the innermost wins) and other threads are untouched.

    Args:
        path: The DVD file. ``.dvd`` is the compact binary format; anything else (``.dvd.json``) is JSON.
        record_mode: ``"none"``, ``"once"`` (default), ``"new_episodes"`` or ``"all"``; see `RecordMode`.
        match_on: Matcher names or functions that decide which recorded request answers a live one.
        additional_matchers: Matchers added to *match_on* (e.g. ones made with `register_matcher`).
        allow_playback_repeats: Let one recorded interaction answer any number of requests.
        record_on_exception: Save what was recorded even when the block raised (default True).
        filters: Request and response filters (see the filter options of the README).
        max_body_bytes: Record at most this many bytes of each response body.

    Raises:
        UnmatchedRequestError: (inside the block) a request has no recorded twin and the mode does not record.
        DVDFormatError: The file exists but is not a readable DVD; it is left untouched.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        record_mode: RecordMode | str = RecordMode.ONCE,
        match_on: Sequence[str | MatcherFunction | Matcher] = DEFAULT_MATCH_ON,
        additional_matchers: Sequence[str | MatcherFunction | Matcher] = (),
        allow_playback_repeats: bool = False,
        record_on_exception: bool = True,
        filters: Filters = NO_FILTERS,
        max_body_bytes: int | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.record_mode = RecordMode.parse(record_mode)
        self.match_on = (*match_on, *additional_matchers)
        self.allow_playback_repeats = allow_playback_repeats
        self.record_on_exception = record_on_exception
        self.filters = filters
        self.max_body_bytes = max_body_bytes
        self._active: list[tuple[DVD, DVDHttpHandler, Any]] = []
        # Fail now, not at the first request, on a misspelled matcher.
        self._new_dvd(None)

    def _new_dvd(self, document: DVDDocument | None) -> DVD:
        return DVD(
            document.interactions if document else (),
            path=self.path,
            record_mode=self.record_mode,
            match_on=self.match_on,
            allow_playback_repeats=self.allow_playback_repeats,
            existed=document is not None,
            id=document.id if document else None,
            category=document.category if document else None,
            metadata=document.metadata if document else None,
            inputs=document.inputs if document else None,
            outputs=document.outputs if document else (),
        )

    # -- context manager ------------------------------------------------------------------------------

    def __enter__(self) -> DVD:
        document = (
            read_document(self.path)
            if self.record_mode is not RecordMode.ALL or os.path.exists(self.path)
            else None
        )
        dvd = self._new_dvd(document)
        handler = DVDHttpHandler(dvd, filters=self.filters, max_body_bytes=self.max_body_bytes)
        _patching.install()
        token = current_http_handler.set(handler)
        self._active.append((dvd, handler, token))
        return dvd

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        dvd, handler, token = self._active.pop()
        try:
            current_http_handler.reset(token)
        finally:
            _patching.uninstall()
        handler.finish()
        if dvd.dirty and (exc_type is None or self.record_on_exception):
            write_document(
                self.path,
                DVDDocument(
                    interactions=dvd.interactions,
                    id=dvd.id,
                    category=dvd.category,
                    metadata=dvd.metadata,
                    inputs=dvd.inputs,
                    outputs=tuple(dvd.outputs),
                ),
            )

    async def __aenter__(self) -> DVD:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    # -- decorator ------------------------------------------------------------------------------------

    def __call__(self, function: F) -> F:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                async with self:
                    return await function(*args, **kwargs)

            return cast(F, async_wrapper)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return cast(F, wrapper)
