"""`use_dvd`: record httpx traffic into a DVD file once, replay it on every later run."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .._errors import ConfigurationError
from .._models import Interaction
from .._options import DVDOptions, ResolvedOptions, resolve_options
from ..dvd._dvd import DVD
from ..filters._storage import read_dvd_file, write_dvd_file
from ..formats._vcrpy import VcrpyDocument
from ._activation import HttpActivation
from ._active import HttpHandler
from ._guard import ConnectionPolicy
from ._handler import DVDHttpHandler

if TYPE_CHECKING:
    from typing_extensions import Unpack

F = TypeVar("F", bound=Callable[..., Any])


class DVDFile:
    """One activation of a DVD file: load it, answer this context's httpx requests from it, save on demand.

    `use_dvd` is built on it and saves when its block ends; the pytest plugin uses it directly because it
    saves only once it knows the test passed, after the block.

    Args:
        path: The DVD file (its suffix picks the format it is saved in).
        options: The resolved options (record mode, matchers, filters...).
        fresh: Start from an empty DVD whatever the file holds; `save` then replaces the file whole.
        read_only_interactions: Replayed like the DVD's own interactions but never saved (see `DVD`).
    """

    def __init__(
        self,
        path: str,
        options: ResolvedOptions,
        *,
        fresh: bool = False,
        read_only_interactions: Iterable[Interaction] = (),
    ) -> None:
        self.path = path
        self.options = options
        document = None if fresh else read_dvd_file(path, options.filters, options.load_limits)
        self.dvd = DVD.from_document(
            document,
            path=path,
            record_mode=options.record_mode,
            match_on=options.match_on_for(vcrpy=isinstance(document, VcrpyDocument)),
            allow_playback_repeats=options.allow_playback_repeats,
            read_only_interactions=read_only_interactions,
        )
        if isinstance(document, VcrpyDocument) and not self.dvd.write_protected:
            # Saving would replace the user's vcrpy file with ours: refuse before anything is recorded.
            raise ConfigurationError(
                f"{path} is a vcrpy cassette, which playback_dvd replays but never overwrites; "
                f"record_mode {self.dvd.record_mode.value!r} could record into it. Use record_mode 'once' or "
                f"'none' to replay it, or convert it first (playback-dvd convert {path} "
                "NEW.dvd.json) and record into the new file"
            )
        self.handler = DVDHttpHandler.from_options(self.dvd, options)
        self._activation: HttpActivation | None = None

    def start(
        self, handler: HttpHandler | None = None, *, connections: ConnectionPolicy | None = None
    ) -> DVD:
        """Make the DVD answer the httpx/httpx2 requests of this context (thread or task) until `stop`.

        Args:
            handler: What to put in charge instead of ``self.handler``, e.g. a wrapper around it.
            connections: The connection guard's policy; by default the options' ``block_network``.
        """
        if connections is None and self.options.block_network:
            connections = ConnectionPolicy(
                block=True,
                allowed_hosts=self.options.allowed_hosts,
                allow_hint="use_dvd(..., allowed_hosts=['{host}']) or block_network=False",
                reason="the block asked for block_network=True",
            )
        self._activation = HttpActivation(handler or self.handler, connections)
        self._activation.start()
        return self.dvd

    def stop(self) -> None:
        """Hand this context back to what answered before `start`; commit half-read recorded responses."""
        activation, self._activation = self._activation, None
        if activation is not None:
            activation.stop()
        self.handler.finish()

    def save(self) -> bool:
        """Write the DVD atomically if something was recorded into it; return whether it was written."""
        if not self.dvd.dirty:
            return False
        write_dvd_file(self.path, self.dvd, self.options.filters, self.handler.secret_values)
        return True


class use_dvd:  # noqa: N801  # used as a function (context manager and decorator), named like one
    """Record the httpx/httpx2 traffic of a block into a DVD file, and replay it from there on later runs.

    Works as ``with``, ``async with`` and as a decorator of sync and async functions (each call loads the
    file afresh). Every httpx and httpx2 client used inside the block is covered, wherever it was created
    (a DVD recorded through one library replays through the other); nested
    blocks work (the innermost wins) and other threads are untouched.

    Args:
        path: The DVD file. ``.dvd`` is the compact binary format; anything else (``.dvd.json``) is JSON.
        record_mode: ``"none"``, ``"once"`` (default), ``"new_episodes"`` or ``"all"``; see `RecordMode`.
        match_on: Matcher names or functions that decide which recorded request answers a live one.
        additional_matchers: Matchers added to *match_on* (e.g. ones made with `register_matcher`).
        allow_playback_repeats: Let one recorded interaction answer any number of requests.
        record_on_exception: Save what was recorded even when the block raised (default True).
        max_body_bytes: Record at most this many bytes of each response body.
        before_record_request: A callable (or list) ``request -> request | None`` applied before matching
            and recording; None ignores the request.
        before_record_response: A callable (or list) ``response -> response | None``; None skips recording.
        filter_headers: Header names (any case) to remove, or ``(name, replacement)`` pairs; a replacement
            is a string or ``callable(value) -> value | None``. Applies to request and response headers.
        filter_query_parameters: Query parameters to remove or replace, in the same forms.
        filter_post_data_parameters: Body fields to remove or replace: forms, JSON (nested) and multipart.
        filter_sensitive_data: ``{placeholder: value or callable()}``: values are saved as placeholders
            (URL, headers, bodies) and restored when the DVD is loaded.
        decode_compressed_response: Store gzip/deflate/br/zstd response bodies decoded.
        ignore_hosts: Host names or compiled patterns (full match) whose requests are neither recorded nor
            replayed.
        ignore_localhost: Ignore localhost, 127.0.0.1, ::1 and 0.0.0.0.
        allow_ignored_on_replay: Let ignored requests reach the network even when the DVD is replay-only
            (otherwise they raise `UnmatchedRequestError` with reason ``"ignored"``).
        block_network: Refuse, with `NetworkBlockedError`, every connection the block's thread or task
            opens without an httpx/httpx2 client (urllib, ``requests``, raw sockets, asyncio streams);
            unix sockets pass. The clients' own requests follow the record mode as usual.
        allowed_hosts: Host names or globs (``"db.internal"``, ``"*.internal"``, ``"localhost:5432"``)
            that *block_network* lets through.

    A vcrpy cassette (YAML or JSON) can be given as *path*: it is replayed, never overwritten (a record
    mode that could record into it is a `ConfigurationError`).

    Raises:
        UnmatchedRequestError: (inside the block) a request has no recorded twin and the mode does not record.
        DVDFormatError: The file exists but is not a readable DVD; it is left untouched.
        ConfigurationError: A bad option, a replacement callable that raised, or a vcrpy cassette opened
            in a recording mode. (A ``before_record_*`` hook that raises raises its own exception.)

    .. versionadded:: 0.1.0
    """

    def __init__(self, path: str | os.PathLike[str], **options: Unpack[DVDOptions]) -> None:
        self.path = os.fspath(path)
        self.options = resolve_options(options)
        # One activation per context (thread or task): the same use_dvd object may decorate a function that
        # runs in several threads at once, each with its own DVD.
        self._active: ContextVar[tuple[DVDFile, ...]] = ContextVar(f"use_dvd {self.path}", default=())

    # -- context manager ------------------------------------------------------------------------------

    def __enter__(self) -> DVD:
        dvd_file = DVDFile(self.path, self.options)
        dvd = dvd_file.start()
        self._active.set((*self._active.get(), dvd_file))
        return dvd

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        *outer, dvd_file = self._active.get()
        self._active.set(tuple(outer))
        dvd_file.stop()
        if exc_type is None or self.options.record_on_exception:
            dvd_file.save()

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
