"""The HTTP handler of a DVD: replay a request's recorded twin, or record the live exchange."""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from .._bodies import header_value
from .._errors import NetworkBlockedError, UnmatchedRequestError
from .._models import Headers, Interaction, Request, Response, exception_info
from ..dvd._dvd import DVD
from ..dvd._matching import UrlParts
from ..filters._pipeline import NO_FILTERS, Filters
from ._active import ClientRequest, ClientResponse
from ._convert import replay_interaction, request_from_httpx, response_head, url_parts
from ._direct import DirectReplay
from ._libraries import HttpLibrary, library_of
from ._streams import AsyncTeeStream, TeeStream

if TYPE_CHECKING:
    from .._options import ResolvedOptions

_Handler = TypeVar("_Handler", bound="DVDHttpHandler")
logger = logging.getLogger("playback_dvd")


class DVDHttpHandler:
    """Answers httpx and httpx2 requests from a `DVD`, and records into it what the record mode allows.

    Args:
        dvd: Where interactions are looked up and recorded.
        filters: Applied to every request before matching and recording, and to responses before
            recording, so matching always compares filtered with filtered.
        max_body_bytes: Keep at most this many bytes of a recorded response body (the rest still reaches
            the caller); the interaction is then marked incomplete.
        allow_ignored: Whether requests the filters ignore may reach the network in a replay-only DVD.
    """

    def __init__(
        self,
        dvd: DVD,
        *,
        filters: Filters = NO_FILTERS,
        max_body_bytes: int | None = None,
        allow_ignored: bool = True,
    ) -> None:
        self.dvd = dvd
        self.filters = filters
        self.max_body_bytes = max_body_bytes
        self.allow_ignored = allow_ignored
        #: What the filters removed in this session: replaced wherever else it appears, and at save.
        self.secret_values = filters.new_secret_values()
        self._open: set[TeeStream | AsyncTeeStream] = set()
        self._open_lock = threading.Lock()
        #: The errors raised for requests the DVD could not answer, kept because client libraries (SDKs)
        #: often wrap or swallow them; the pytest plugin lists them in a failed test's report.
        self.misses: list[UnmatchedRequestError] = []
        #: The replay path of requests no filter changes (None when the matchers need `Request` models).
        self._direct = DirectReplay.for_handler(dvd, filters, self.secret_values)

    @classmethod
    def from_options(cls: type[_Handler], dvd: DVD, options: ResolvedOptions) -> _Handler:
        """A handler of *dvd* with the filters, body size limit and ignored-request rule of *options*."""
        return cls(
            dvd,
            filters=options.filters,
            max_body_bytes=options.max_body_bytes,
            allow_ignored=options.allow_ignored_on_replay,
        )

    # -- shared decisions (no I/O) -------------------------------------------------------------------

    def _prepare(
        self, request: ClientRequest, body: bytes
    ) -> tuple[Request | None, ClientResponse | None, UrlParts | None]:
        """Return (filtered request, replayed response, its URL's parts if known); (None, None, None)
        means: send it without recording."""
        if self._direct is not None:
            replayed = self._direct.answer(request, body)
            if replayed is not None:
                return None, replayed, None
        live = request_from_httpx(request, body)
        filtered = self.filters.request(live, self.secret_values)
        if filtered is None:
            if not self.allow_ignored and self.dvd.write_protected:
                raw = request_from_httpx(request, body)
                mode = self.dvd.record_mode.value
                raise self._missed(self.filters.refuse_ignored(raw, path=self.dvd.path, record_mode=mode))
            return None, None, None
        # Unless a filter rewrote the URL, the index key is read from httpx's parse, not a split string.
        parts = url_parts(request.url) if filtered.url is live.url else None
        interaction = self.dvd.play(filtered, parts)
        if interaction is not None:
            return filtered, replay_interaction(library_of(request), interaction, request), None
        # Never recorded, so never replayed: a websocket handshake is only looked for past a miss, which
        # keeps the header lookup off the replay path.
        if _is_websocket_handshake(live):
            self._refuse_or_warn_websocket(request)
            return None, None, None
        if self.dvd.write_protected:
            raise self._missed(self.dvd.unmatched_error(filtered))
        return filtered, None, parts

    def _missed(self, error: UnmatchedRequestError) -> UnmatchedRequestError:
        self.misses.append(error)  # list.append is atomic: threads and tasks may miss at once
        return error

    def _refuse_or_warn_websocket(self, request: ClientRequest) -> None:
        # A websocket's messages flow over the upgraded connection, below the transport: a DVD cannot hold
        # them, so a replay must not open one and a recording says it did not capture it.
        if self.dvd.write_protected:
            raise NetworkBlockedError(
                f"playback_dvd cannot replay the websocket {request.url}: websocket messages are not "
                "recorded, and a replay never opens a live connection. Replace the websocket with a fake "
                "in this test, or run it against the live server outside the DVD",
                host=request.url.host,
                url=str(request.url),
                port=request.url.port,
            )
        logger.warning(
            "playback_dvd: the websocket %s is not captured (its messages are not recorded); "
            "a replay of this DVD will refuse it",
            request.url,
        )

    def _committer(
        self,
        recorded: Request,
        head: tuple[int, tuple[tuple[str, str], ...], str, str],
        parts: UrlParts | None,
    ) -> Callable[[bytes, bool], None]:
        status, headers, http_version, reason = head

        def commit(body: bytes, complete: bool) -> None:
            response = self.filters.response(
                Response(status, headers, body, http_version, reason, body_complete=complete),
                self.secret_values,
            )
            if response is not None:
                self.dvd.record(Interaction(recorded, response), parts)

        return commit

    def _teed(
        self,
        live: ClientResponse,
        tee_kind: Callable[..., TeeStream | AsyncTeeStream],
        library: HttpLibrary,
        recorded: Request,
        parts: UrlParts | None,
    ) -> ClientResponse:
        """*live* with its body teed: what the caller reads is kept, and committed when it closes."""
        head = response_head(live)
        commit = self._committer(recorded, head, parts)
        tee = tee_kind(live.stream, commit, self.max_body_bytes, self._untrack, _announced_size(head[1]))
        self._track(tee)
        # A new Response, not the live one with the tee as its stream: a transport may hand back a
        # response already read (a MockTransport's `content=`), whose body the client would never pull
        # through the tee. The live Headers are copied as they are, not parsed again from raw pairs.
        return library.module.Response(
            live.status_code, headers=live.headers, stream=tee, extensions=live.extensions
        )

    def _track(self, stream: TeeStream | AsyncTeeStream) -> None:
        with self._open_lock:
            self._open.add(stream)

    def _untrack(self, stream: TeeStream | AsyncTeeStream) -> None:
        with self._open_lock:
            self._open.discard(stream)

    def finish(self) -> None:
        """Commit what was read of responses the caller never closed, marked incomplete."""
        with self._open_lock:
            pending, self._open = self._open, set()
        for stream in pending:
            stream.commit_partial()

    # -- sync -----------------------------------------------------------------------------------------

    def handle(
        self, request: ClientRequest, send: Callable[[ClientRequest], ClientResponse]
    ) -> ClientResponse:
        recorded, replayed, parts = self._prepare(request, request.read())
        if replayed is not None:
            return replayed
        if recorded is None:
            return send(request)
        library = library_of(request)
        try:
            live = send(request)
        except library.transport_error as error:
            self.dvd.record(Interaction(recorded, exception=exception_info(error)), parts)
            raise
        return self._teed(live, library.tee_stream, library, recorded, parts)

    # -- async ----------------------------------------------------------------------------------------

    async def ahandle(
        self, request: ClientRequest, send: Callable[[ClientRequest], Awaitable[ClientResponse]]
    ) -> ClientResponse:
        recorded, replayed, parts = self._prepare(request, await request.aread())
        if replayed is not None:
            return replayed
        if recorded is None:
            return await send(request)
        library = library_of(request)
        try:
            live = await send(request)
        except library.transport_error as error:
            self.dvd.record(Interaction(recorded, exception=exception_info(error)), parts)
            raise
        return self._teed(live, library.async_tee_stream, library, recorded, parts)


def _is_websocket_handshake(request: Request) -> bool:
    # Read from the model's decoded pairs: httpx's own case-insensitive lookup costs a list per call.
    return header_value(request.headers, "upgrade").lower() == "websocket"


def _announced_size(headers: Headers) -> int | None:
    """The body size a response announces on the wire (Content-Length, of the still-encoded bytes)."""
    length = header_value(headers, "content-length")
    if not length.isdigit():
        return None
    return int(length)
