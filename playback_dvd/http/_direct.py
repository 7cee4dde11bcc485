"""The replay path: a request no filter changes is matched and answered with no model in between.

A replayed request's usual way (a `Request` model, the filters, a `RequestView`, the recorded `Interaction`
and its `Response` model, then the client's response) costs as much as the client library itself spends on
a request. When the filters can be shown cheaply to leave a request alone and the matchers are built-in
ones, none of those models is needed: the index key is read from the client's own request and the answer
is built from the stored row (`DVD.wire_response`). Anything else (a miss, a filter that may act, a user
matcher) takes the usual way, which gives the same answer and the full error; docs/design.md ("The replay
path") says why the two cannot disagree.
"""

from __future__ import annotations

from .._bodies import decoded_headers
from .._models import Headers
from ..dvd._dvd import DVD, RecordMode
from ..dvd._matching import PartsKey, RequestView
from ..filters._pipeline import Filters
from ..filters._secret_values import SecretValues
from ._active import ClientRequest, ClientResponse
from ._convert import replay_interaction, url_parts, wire_library_response
from ._libraries import library_of


class ClientRequestView:
    """A client's request read as a `RequestLike` (what the built-in matchers read), built lazily.

    Only the index key reads it: the method, the body and, for a body's content type, the headers.
    """

    __slots__ = ("_headers", "_request", "body", "method")

    def __init__(self, request: ClientRequest, body: bytes) -> None:
        self._request = request
        self.method: str = request.method
        self.body = body
        self._headers: Headers | None = None

    @property
    def url(self) -> str:
        return str(self._request.url)

    def body_digest(self) -> bytes:
        """The body's digest in the index key (b"" for no body, like `RequestView.body_digest`)."""
        return RequestView(self).body_digest if self.body else b""

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = decoded_headers(self._request.headers.raw)
        return self._headers


class DirectReplay:
    """Answers, from *dvd*, the requests that *filters* leave alone; None for any other request.

    Made only when the DVD is matched by one of the usual plans (`for_handler`).
    """

    __slots__ = ("dvd", "filters", "found", "parts_key")

    def __init__(self, dvd: DVD, filters: Filters, found: SecretValues, parts_key: PartsKey) -> None:
        self.dvd = dvd
        self.filters = filters
        self.found = found
        self.parts_key = parts_key

    @classmethod
    def for_handler(cls, dvd: DVD, filters: Filters, found: SecretValues) -> DirectReplay | None:
        """The direct path of a handler, or None when its DVD is not matched by one of the usual plans
        (`MatchPlan.parts_key`: their keys read no header but the content type)."""
        parts_key = dvd.plan.parts_key
        if parts_key is None or filters.request_hooks or dvd.record_mode is RecordMode.ALL:
            return None  # (``all`` never replays)
        return cls(dvd, filters, found, parts_key)

    def answer(self, request: ClientRequest, body: bytes) -> ClientResponse | None:
        """The replayed response to *request*, or None: take the usual way (which may still replay it).

        Raises:
            Exception: The recorded exception of the interaction it matched, raised again.
        """
        parts = url_parts(request.url)
        if parts is None or not self.filters.keep_match_features(
            parts, request.url, request.headers.raw, body, self.found
        ):
            return None
        view = ClientRequestView(request, body)
        position = self.dvd.play_position(
            view, parts, self.parts_key(request.method, parts, view.body_digest)
        )
        if position is None:
            return None  # the usual way finds no twin either, and says which recorded requests came closest
        library = library_of(request)
        wire = self.dvd.wire_response(position)
        if wire is None:
            return replay_interaction(library, self.dvd.interaction(position), request)
        return wire_library_response(library, wire, request)
