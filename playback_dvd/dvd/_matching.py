"""How a live request finds its recorded twin: matchers, their registry, and the report on a miss.

A built-in matcher has a *key function*: the normalized feature it compares (host lower-cased, default
port filled in, query as sorted pairs with blank values kept...). The DVD's index is a dict keyed by the
tuple of the configured matchers' keys, so a lookup costs one hash whatever the DVD's size. A user's
matcher has no key; it runs only on the few interactions inside the bucket the keys selected.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import operator
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from email.parser import BytesParser
from email.policy import HTTP
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

import attrs
import msgpack

from .._bodies import body_kind, header_value
from .._errors import ConfigurationError
from .._models import Headers, Request

#: A user matcher: returns True/False, or returns None and raises AssertionError with a reason (vcrpy's
#: convention, so existing vcrpy matchers work unchanged).
MatcherFunction = Callable[[Request, Request], "bool | None"]

#: The port a URL without one uses, per scheme.
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


#: Scheme, host, port (default filled in), path ("/" when empty) and raw query of a URL, normalized.
UrlParts = tuple[str, str, "int | None", str, str]


class RequestLike(Protocol):
    """What the built-in matchers read of a request: a `Request`, or a view over a client's own request."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> Headers: ...
    @property
    def body(self) -> bytes: ...


class RequestView:
    """The normalized features of one request, each computed at most once.

    Args:
        request: The request.
        url_parts: ``split_url(request.url)``, when the caller already has it (an httpx request's parsed
            URL): the view then never splits the string.
    """

    __slots__ = ("_body", "_body_digest", "_headers", "_query", "_split", "request")

    def __init__(self, request: RequestLike, url_parts: UrlParts | None = None) -> None:
        self.request = request
        self._split: UrlParts | None = url_parts
        self._query: tuple[tuple[str, str], ...] | None = None
        self._headers: tuple[tuple[str, str], ...] | None = None
        self._body: Hashable = None
        self._body_digest: bytes | None = None

    def _parts(self) -> tuple[str, str, int | None, str, str]:
        if self._split is None:
            self._split = split_url(self.request.url)
        return self._split

    @property
    def method(self) -> str:
        return self.request.method.upper()

    @property
    def scheme(self) -> str:
        return self._parts()[0]

    @property
    def host(self) -> str:
        return self._parts()[1]

    @property
    def port(self) -> int | None:
        return self._parts()[2]

    @property
    def path(self) -> str:
        return self._parts()[3]

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        if self._query is None:
            self._query = _query_pairs(self._parts()[4])
        return self._query

    @property
    def uri(self) -> str:
        scheme, host, port, path, query = self._parts()
        shown_port = "" if port == DEFAULT_PORTS.get(scheme) else f":{port}"
        return f"{scheme}://{host}{shown_port}{path}" + (f"?{query}" if query else "")

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        if self._headers is None:
            self._headers = tuple(sorted((name.lower(), value) for name, value in self.request.headers))
        return self._headers

    @property
    def raw_body(self) -> bytes:
        return self.request.body

    @property
    def body(self) -> Hashable:
        if self._body is None:
            self._body = canonical_body(self.request)
        return self._body

    @property
    def body_digest(self) -> bytes:
        """16 bytes standing for the canonical body in the index key (a large body is not kept twice)."""
        if self._body_digest is None:
            if not self.request.body:
                self._body_digest = b""  # most requests: nothing to parse or hash
            else:
                body = self.body
                data = body if isinstance(body, bytes) else repr(body).encode("utf-8", "surrogatepass")
                self._body_digest = hashlib.blake2b(data, digest_size=16).digest()
        return self._body_digest


# A plain absolute URL, as httpx writes every URL it sends: scheme://host[:port]/path?query#fragment, ASCII
# without spaces or controls, no userinfo, IPv6 brackets or zone ids. Such a URL is split by this one regex
# match; anything else goes through urllib, whose result it equals (tests/test_performance_paths.py).
_PLAIN_URL = re.compile(
    r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#@\[\]%:\x00-\x20\x7f]*)(?::([0-9]{0,5}))?"
    r"(/[^?#\x00-\x20\x7f]*)?(?:\?([^#\x00-\x20\x7f]*))?(?:#[^\x00-\x20\x7f]*)?"
)


def split_url(url: str) -> tuple[str, str, int | None, str, str]:
    """Scheme, host, port (default filled in), path ("/" when empty) and raw query of *url*, normalized."""
    # Hot path: every live request and every loaded interaction. urlsplit costs ~5 µs on distinct URLs
    # (its cache holds 128), the regex a fifth of that.
    plain = _PLAIN_URL.fullmatch(url) if url.isascii() else None
    if plain is not None and (not plain[3] or int(plain[3]) <= 65535):
        scheme = plain[1].lower()
        port: int | None = int(plain[3]) if plain[3] else None
        return (
            scheme,
            plain[2].lower(),
            port if port is not None else DEFAULT_PORTS.get(scheme),
            plain[4] or "/",
            plain[5] or "",
        )
    return _split_url_slowly(url)


def _split_url_slowly(url: str) -> tuple[str, str, int | None, str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a malformed port is still a feature to compare, not a crash
        port = None
    return (
        scheme,
        (parts.hostname or "").lower(),
        port if port is not None else DEFAULT_PORTS.get(scheme),
        parts.path or "/",
        parts.query,
    )


def _query_pairs(raw: str) -> tuple[tuple[str, str], ...]:
    """The query's (name, value) pairs, sorted, blank values kept ("?flag" and "?other" must differ)."""
    if not raw:
        return ()
    if "%" in raw or "+" in raw:
        return tuple(sorted(parse_qsl(raw, keep_blank_values=True)))
    # Nothing to unquote: parse_qsl(keep_blank_values=True) reduces to this split, at a sixth of the cost.
    pairs = []
    for field in raw.split("&"):
        if field:
            name, _, value = field.partition("=")
            pairs.append((name, value))
    pairs.sort()
    return tuple(pairs)


#: The canonical JSON text: ``json.dumps(value, sort_keys=True, separators=(",", ":"))``, whose encoder
#: is made once here rather than on each call (json.dumps builds one per call given any option).
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def canonical_body(request: RequestLike) -> Hashable:
    """The body as data: JSON compared as parsed values, forms and multipart as fields, else the bytes."""
    body = request.body
    if not body:
        return b""
    content_type = header_value(request.headers, "content-type")
    kind = body_kind(content_type, body)
    if kind == "json":
        try:
            return ("json", _CANONICAL_JSON.encode(json.loads(body)))
        except ValueError:
            return body
    if kind == "form":
        text = body.decode("utf-8", "surrogateescape")
        return ("form", tuple(sorted(parse_qsl(text, keep_blank_values=True))))
    if kind == "multipart":
        return _multipart_fields(content_type.lower(), body)
    return body


def _multipart_fields(content_type: str, body: bytes) -> Hashable:
    # The boundary is random per request; comparing the parts (name, filename, type, content) instead of
    # the raw bytes is what makes multipart uploads replayable (vcrpy #647).
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return body
    fields = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        fields.append(
            (
                part.get_param("name", header="content-disposition") or "",
                part.get_filename() or "",
                part.get_content_type(),
                payload if isinstance(payload, bytes) else b"",
            )
        )
    return ("multipart", tuple(sorted(fields, key=repr)))


@attrs.frozen
class Matcher:
    """A named way of comparing a recorded request with a live one.

    Args:
        name: The name used in ``match_on``.
        key: For built-in matchers, the normalized feature that is hashed into the DVD's index.
        function: For user matchers, ``function(recorded, live)``; runs only inside the index bucket.
    """

    name: str
    key: Callable[[RequestView], Hashable] | None = None
    function: MatcherFunction | None = None
    #: For a key that is a digest: describes the difference from the requests themselves.
    explain: Callable[[RequestView, RequestView], str] | None = None

    def compare(self, recorded: RequestView, live: RequestView) -> str | None:
        """Return None when the requests agree on this matcher, else a short description of the difference."""
        if self.key is not None:
            recorded_value, live_value = self.key(recorded), self.key(live)
            if recorded_value == live_value:
                return None
            if self.explain is not None:
                return self.explain(recorded, live)
            return _describe_difference(recorded_value, live_value)
        assert self.function is not None
        # A user's matcher gets `Request` models: views over a client's request are only made for plans
        # of built-in matchers (`MatchPlan.parts_key`).
        assert isinstance(recorded.request, Request)
        assert isinstance(live.request, Request)
        try:
            verdict = self.function(recorded.request, live.request)
        except AssertionError as error:
            return str(error) or "the matcher's assertion failed"
        if verdict is None or verdict:
            return None
        return "the matcher returned False"


def _shorten(value: object, limit: int = 160) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe_difference(recorded: object, live: object) -> str:
    if (
        isinstance(recorded, tuple)
        and isinstance(live, tuple)
        and not (recorded and isinstance(recorded[0], str))
    ):
        missing = [item for item in recorded if item not in live]
        extra = [item for item in live if item not in recorded]
        if missing or extra:
            return f"recorded has {_shorten(missing)}, this request has {_shorten(extra)}"
    if isinstance(recorded, (bytes, str)) and isinstance(live, (bytes, str)):
        recorded_text = _shorten(recorded, 2000)
        live_text = _shorten(live, 2000)
        if "\n" in recorded_text or len(recorded_text) > 80:
            diff = difflib.unified_diff(
                recorded_text.splitlines(),
                live_text.splitlines(),
                "recorded",
                "this request",
                lineterm="",
                n=1,
            )
            return "differs:\n" + "\n".join(list(diff)[:12])
    return f"recorded {_shorten(recorded)}, this request {_shorten(live)}"


def _describe_body_difference(recorded: RequestView, live: RequestView) -> str:
    """Where two canonical bodies differ: the first JSON path (``$.messages[0].content``), else the values."""
    recorded_body, live_body = recorded.body, live.body
    if _is_json(recorded_body) and _is_json(live_body):
        path = first_difference(json.loads(recorded_body[1]), json.loads(live_body[1]))  # type: ignore[index]
        if path is not None:
            where, recorded_value, live_value = path
            return f"at {where}: recorded {_shorten(recorded_value)}, this request {_shorten(live_value)}"
    return _describe_difference(recorded_body, live_body)


def _is_json(body: Hashable) -> bool:
    return isinstance(body, tuple) and len(body) == 2 and body[0] == "json"


_ABSENT = object()


def first_difference(recorded: object, live: object, path: str = "$") -> tuple[str, object, object] | None:
    """The first JSON path where two parsed documents differ, with both values there (None: equal)."""
    if isinstance(recorded, dict) and isinstance(live, dict):
        for name in sorted({*recorded, *live}):
            found = first_difference(recorded.get(name, _ABSENT), live.get(name, _ABSENT), f"{path}.{name}")
            if found is not None:
                return found
        return None
    if isinstance(recorded, list) and isinstance(live, list):
        for index in range(max(len(recorded), len(live))):
            found = first_difference(
                recorded[index] if index < len(recorded) else _ABSENT,
                live[index] if index < len(live) else _ABSENT,
                f"{path}[{index}]",
            )
            if found is not None:
                return found
        return None
    if recorded == live and type(recorded) is type(live):
        return None
    return (path, "(absent)" if recorded is _ABSENT else recorded, "(absent)" if live is _ABSENT else live)


def _key_matcher(name: str, attribute: str | None = None) -> Matcher:
    # attrgetter runs in C: the index key of every request and every loaded interaction is made of these.
    return Matcher(name=name, key=operator.attrgetter(attribute or name))


_BUILT_IN: dict[str, Matcher] = {
    matcher.name: matcher
    for matcher in (
        _key_matcher("method"),
        _key_matcher("scheme"),
        _key_matcher("host"),
        _key_matcher("port"),
        _key_matcher("path"),
        _key_matcher("query"),
        _key_matcher("uri"),
        _key_matcher("headers"),
        _key_matcher("raw_body"),
        Matcher(name="body", key=operator.attrgetter("body_digest"), explain=_describe_body_difference),
        _key_matcher("url", "uri"),  # vcrpy's alias
    )
}
#: The `RequestView` attribute each built-in matcher compares (the plan reads them all in one attrgetter).
_ATTRIBUTES: dict[str, str] = {name: name for name in _BUILT_IN} | {"url": "uri", "body": "body_digest"}
_USER: dict[str, Matcher] = {}

#: vcrpy's default: no body. Replaying vcrpy cassettes uses it unless ``match_on`` is given, and
#: ``match_on=VCRPY_MATCH_ON`` is the one-line way back to it for any DVD.
VCRPY_MATCH_ON: tuple[str, ...] = ("method", "scheme", "host", "port", "path", "query")
#: Ours: vcrpy's plus the canonical body (JSON as data, forms as sorted fields, else bytes), so that
#: concurrent calls to one endpoint with different payloads each get their own answer.
DEFAULT_MATCH_ON: tuple[str, ...] = (*VCRPY_MATCH_ON, "body")

#: The version of the built-in matchers' keys. A ``.dvd`` stores its interactions' index keys with this
#: number; bump it whenever a built-in key's normalization changes, so keys stored before are recomputed
#: from the requests instead of trusted.
KEY_VERSION = 1

_pack = msgpack.Packer(use_bin_type=True).pack


def pack_key(key: Hashable) -> Hashable:
    """The index key as it is stored and hashed: the msgpack bytes of the key tuple (one object, untracked
    by the GC, ~3x smaller than the tuple of strings and pairs it encodes), or the tuple itself when a
    user's key function returned something msgpack cannot encode."""
    try:
        packed: bytes = _pack(key)
    except (TypeError, ValueError, OverflowError):
        return key
    return packed


def register_matcher(name: str, function: MatcherFunction) -> None:
    """Make a matcher available by name in ``match_on`` for every DVD.

    Args:
        name: The name to use in ``match_on``. Built-in names cannot be replaced.
        function: ``function(recorded, live) -> bool``; it may also return None and raise
            ``AssertionError("why")`` so the reason shows in the error for a request with no twin.

    Raises:
        ConfigurationError: *name* is a built-in matcher's name.
    """
    if name in _BUILT_IN:
        raise ConfigurationError(f"{name!r} is a built-in matcher and cannot be replaced")
    _USER[name] = Matcher(name=name, function=function)


def unregister_matcher(name: str) -> None:
    """Forget a matcher added with `register_matcher` (no error if it is unknown)."""
    _USER.pop(name, None)


def resolve_matchers(match_on: Iterable[str | MatcherFunction | Matcher]) -> tuple[Matcher, ...]:
    """Turn matcher names and functions into `Matcher` objects, refusing unknown names with a suggestion."""
    resolved = []
    for item in match_on:
        if isinstance(item, Matcher):
            resolved.append(item)
        elif isinstance(item, str):
            matcher = _BUILT_IN.get(item) or _USER.get(item)
            if matcher is None:
                known = sorted({*_BUILT_IN, *_USER})
                close = difflib.get_close_matches(item, known, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ConfigurationError(
                    f"unknown matcher {item!r}.{hint} Known matchers: {', '.join(known)}; "
                    "add your own with playback_dvd.register_matcher(name, function)."
                )
            resolved.append(matcher)
        elif callable(item):
            resolved.append(Matcher(name=getattr(item, "__name__", repr(item)), function=item))
        else:
            raise ConfigurationError(f"match_on entries are names or callables, not {item!r}")
    return tuple(resolved)


def _generic_key(keyed: tuple[Matcher, ...]) -> Callable[[RequestView], tuple[Hashable, ...]]:
    def key(view: RequestView) -> tuple[Hashable, ...]:
        return tuple([matcher.key(view) for matcher in keyed])  # type: ignore[misc]  # keyed have keys

    return key


def _key_function(keyed: tuple[Matcher, ...]) -> Callable[[RequestView], tuple[Hashable, ...]]:
    """The index key function: one C-level attrgetter when every keyed matcher is a built-in one."""
    if len(keyed) < 2 or any(_BUILT_IN.get(matcher.name) is not matcher for matcher in keyed):
        return _generic_key(keyed)  # attrgetter of one name returns a bare value, not a 1-tuple
    return operator.attrgetter(*(_ATTRIBUTES[matcher.name] for matcher in keyed))


#: ``parts_key(method, url_parts, body_digest)``: the index key of a request read from its parts (see
#: `MatchPlan.parts_key`); *body_digest* is called only when the key holds the body.
PartsKey = Callable[[str, UrlParts, Callable[[], bytes]], Hashable]


def _default_parts_key(method: str, parts: UrlParts, body_digest: Callable[[], bytes]) -> Hashable:
    scheme, host, port, path, query = parts
    key: bytes = _pack((method.upper(), scheme, host, port, path, _query_pairs(query), body_digest()))
    return key


def _vcrpy_parts_key(method: str, parts: UrlParts, body_digest: Callable[[], bytes]) -> Hashable:
    scheme, host, port, path, query = parts
    key: bytes = _pack((method.upper(), scheme, host, port, path, _query_pairs(query)))
    return key


def _parts_key_function(keyed: tuple[Matcher, ...]) -> PartsKey | None:
    # The two usual plans, written out: the same tuple the attrgetter of `_key_function` builds from a view
    # (tests/dvd/test_matching.py checks they agree), without the view.
    if any(_BUILT_IN.get(matcher.name) is not matcher for matcher in keyed):
        return None
    names = tuple(matcher.name for matcher in keyed)
    return {DEFAULT_MATCH_ON: _default_parts_key, VCRPY_MATCH_ON: _vcrpy_parts_key}.get(names)


@attrs.frozen
class MatchPlan:
    """The configured matchers split into the keyed ones (the index) and the ones run inside a bucket.

    ``key(view)`` is the tuple of the keyed matchers' keys: the DVD's index key.
    """

    keyed: tuple[Matcher, ...]
    unkeyed: tuple[Matcher, ...]
    key: Callable[[RequestView], tuple[Hashable, ...]]
    #: The index key read from a request's method, URL parts and body digest, for the usual plans (the
    #: built-in matchers of `DEFAULT_MATCH_ON` or `VCRPY_MATCH_ON`, nothing else); None for the others.
    parts_key: PartsKey | None = None

    @classmethod
    def of(cls, matchers: Sequence[Matcher]) -> MatchPlan:
        keyed = tuple(m for m in matchers if m.key is not None)
        unkeyed = tuple(m for m in matchers if m.key is None)
        return cls(
            keyed=keyed,
            unkeyed=unkeyed,
            key=_key_function(keyed),
            parts_key=None if unkeyed else _parts_key_function(keyed),
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in (*self.keyed, *self.unkeyed))

    @property
    def stored_key_names(self) -> tuple[str, ...] | None:
        """The keyed matchers' names when all are built-in (their keys can be stored in a file), else None."""
        if any(_BUILT_IN.get(matcher.name) is not matcher for matcher in self.keyed):
            return None
        return tuple(matcher.name for matcher in self.keyed)

    def index_key(self, view: RequestView) -> Hashable:
        """The key of *view* in a DVD's index: `pack_key` of ``key(view)``."""
        return pack_key(self.key(view))

    def unkeyed_match(self, recorded: RequestView, live: RequestView) -> bool:
        return all(matcher.compare(recorded, live) is None for matcher in self.unkeyed)

    def differences(self, recorded: RequestView, live: RequestView) -> list[tuple[str, str]]:
        """Every matcher that fails, with how the two requests differ on it."""
        found = []
        for matcher in (*self.keyed, *self.unkeyed):
            difference = matcher.compare(recorded, live)
            if difference is not None:
                found.append((matcher.name, difference))
        return found
