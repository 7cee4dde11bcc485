"""What is kept of a request or response before it is recorded or matched; every filter fails closed.

Order on a request (the same for a live request before matching and for one being recorded, so matching
compares filtered with filtered): ``ignore_hosts``/``ignore_localhost``, ``filter_headers`` then the
secret rules on headers, ``filter_query_parameters`` then the secret rules on the URL,
``filter_post_data_parameters`` then the secret rules on the body, the values removed so far replaced
wherever else they appear, then the user's ``before_record_request`` hooks. On a response (only when
recording): decoding (``decode_compressed_response``, or a compressed text body under the secret rules),
``filter_headers``, the secret rules on headers and body, the removed values replaced, then
``before_record_response``. ``filter_sensitive_data`` and the removed values work on whole documents when
saving; ``filter_sensitive_data`` again when loading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from .._bodies import decoded_headers, header_value
from .._errors import ConfigurationError, PlaybackDVDError, UnmatchedRequestError
from .._models import DVDDocument, Request, Response
from ..dvd._matching import UrlParts, split_url
from ._body_filters import decode_response_body, filter_message_body
from ._redaction import (
    FieldRules,
    SensitiveData,
    callable_name,
    conceal_removed,
    filter_header_pairs,
    filter_url_query,
)
from ._secret_names import unquote_placeholders
from ._secret_rules import NO_SECRET_RULES, SecretRules
from ._secret_values import SecretValues

RequestHook = Callable[[Request], "Request | None"]
ResponseHook = Callable[[Response], "Response | None"]

LOCALHOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})

_NO_RULES = FieldRules("", {})
_NO_SECRETS = SensitiveData({})


@attrs.frozen
class HostRule:
    """The hosts whose requests are neither recorded nor replayed: exact names and full-match patterns."""

    names: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()
    localhost: bool = False

    @classmethod
    def parse(cls, hosts: Iterable[str | re.Pattern[str]] | None, localhost: bool) -> HostRule | None:
        """The rule for ``ignore_hosts`` and ``ignore_localhost``; None when nothing is ignored.

        Raises:
            ConfigurationError: An entry is neither a host name nor a compiled pattern.
        """
        names: set[str] = set()
        patterns: list[re.Pattern[str]] = []
        if isinstance(hosts, str):
            raise ConfigurationError("ignore_hosts must be a list of host names or compiled patterns")
        for host in hosts or ():
            if isinstance(host, re.Pattern):
                patterns.append(host)
            elif isinstance(host, str):
                names.add(host.lower().strip("[]"))
            else:
                raise ConfigurationError(f"ignore_hosts: {host!r} is neither a host name nor a re.Pattern")
        if not names and not patterns and not localhost:
            return None
        return cls(frozenset(names), tuple(patterns), localhost)

    def reason(self, url: str) -> str | None:
        """The option that ignores a request to *url*, or None when it is not ignored."""
        # split_url lower-cases the host like urlsplit's hostname, at a fifth of its cost.
        return self.reason_for_host(split_url(url)[1])

    def reason_for_host(self, host: str) -> str | None:
        """`reason` for a request to *host* (lower-cased, as `split_url` gives it)."""
        host = host.strip("[]")
        if self.localhost and host in LOCALHOSTS:
            return "ignore_localhost"
        if host in self.names or any(pattern.fullmatch(host) for pattern in self.patterns):
            return "ignore_hosts"
        return None


@attrs.frozen
class Filters:
    """The request and response transformations applied before recording and before matching.

    A request that a filter drops (an ignored host, or a hook returning None) is *ignored*: neither
    recorded nor replayed. A response hook returning None means "do not record this interaction". A
    ``before_record_request`` / ``before_record_response`` hook that raises stops the request with its own
    exception (as in vcrpy), noted with the hook's name; a replacement callable that raises stops it with
    a `ConfigurationError` naming it. Neither ever silently lets a secret through.
    """

    request_hooks: tuple[RequestHook, ...] = ()
    response_hooks: tuple[ResponseHook, ...] = ()
    ignore: HostRule | None = None
    headers: FieldRules = _NO_RULES
    query: FieldRules = _NO_RULES
    post_data: FieldRules = _NO_RULES
    secrets: SecretRules = NO_SECRET_RULES
    secret_headers: SecretRules = NO_SECRET_RULES
    secret_query: SecretRules = NO_SECRET_RULES
    secret_post_data: SecretRules = NO_SECRET_RULES
    decode_compressed: bool = False
    sensitive_data: SensitiveData = _NO_SECRETS
    #: Whether a filter beyond the secret rules may change requests (a hook, or a field option): then
    #: `leave_alone` always answers False. Read per request on the replay path, so computed once.
    _user_request_filters: bool = attrs.field(init=False, eq=False, repr=False)

    @_user_request_filters.default
    def _any_user_request_filter(self) -> bool:
        return bool(self.request_hooks or self.headers or self.query or self.post_data)

    def new_secret_values(self) -> SecretValues:
        """A collector of one session's removed values, sparing those of ``filter_sensitive_data``."""
        keep = self.sensitive_data.current_values() if self.sensitive_data else ()
        return self.secrets.new_values(keep)

    def keep_match_features(
        self,
        url_parts: UrlParts,
        url: Any,
        raw_headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        found: SecretValues,
    ) -> bool:
        """A quick, conservative test: True only when `request` would keep this request's method, URL,
        body and content type: all that the usual matchers' index key reads.

        It reads the request as the client library holds it (`http._convert.url_parts` of its *url*:
        `split_url`'s parts, with the raw path and query, of a URL without userinfo or fragment; the raw
        header pairs; the body), so a replayed request needs no `Request` model (the replay path). As
        `request` does, it hands *found* the values the header rules remove (an ``Authorization``
        token), which later requests must not show. False means: run `request`.
        """
        if self._user_request_filters:
            return False
        _, host, _, path, query = url_parts
        if self.ignore is not None and self.ignore.reason_for_host(host) is not None:
            return False
        # A percent-encoded "<": `unquote_placeholders` would rewrite the URL (written out: the replay path).
        if self.secrets and ("%3C" in path or "%3c" in path or "%3C" in query or "%3c" in query):
            return False
        if query and self.secret_query.may_hold_secret(query.encode("utf-8", "surrogateescape")):
            return False
        if body and self.secret_post_data.may_hold_secret(body):
            return False
        content_type = None
        if not self.secret_headers.leaves_headers_alone(raw_headers):
            # A secret header: its value is not in the key, but later requests must not show it.
            headers = decoded_headers(raw_headers)
            content_type = header_value(headers, "content-type")
            if (
                header_value(self.secret_headers.redact_headers(headers, found), "content-type")
                != content_type
            ):
                return False
        if found:
            if content_type is None:
                content_type = next(
                    (
                        value.decode("latin-1")
                        for name, value in raw_headers
                        if name.lower() == b"content-type"
                    ),
                    "",
                )
            return not found.found_in(f"{url} {content_type}", body)
        return True

    def request(self, request: Request, found: SecretValues | None = None) -> Request | None:
        """Apply the request filters in order; None when the request is ignored.

        Args:
            request: The request as sent.
            found: The session's removed values: fed with what the rules remove here, and replaced in
                this request wherever they appear.
        """
        if self.ignore is not None and self.ignore.reason(request.url) is not None:
            return None
        headers = filter_header_pairs(request.headers, self.headers, found)
        headers = self.secret_headers.redact_headers(headers, found)
        url = self.secret_query.redact_url(filter_url_query(request.url, self.query, found), found)
        if self.secrets:
            url = unquote_placeholders(url)
        if headers is not request.headers or url is not request.url:
            request = Request(request.method, url, headers, request.body)
        request = filter_message_body(request, self.post_data, found)
        request = filter_message_body(request, self.secret_post_data, found)
        if found:
            request = found.replace_in_request(request)
        result: Request | None = _run_hooks("request", self.request_hooks, request)
        return result

    def response(self, response: Response, found: SecretValues | None = None) -> Response | None:
        """Apply the response filters in order; None when one of them says not to record."""
        if self.decode_compressed or (self.secrets and _compressed_text(response)):
            response = decode_response_body(response)
        headers = filter_header_pairs(response.headers, self.headers, found)
        headers = self.secret_headers.redact_headers(headers, found)
        if headers is not response.headers:
            response = attrs.evolve(response, headers=headers)
        response = filter_message_body(response, self.secrets, found)
        if found:
            response = found.replace_in_response(response)
        result: Response | None = _run_hooks("response", self.response_hooks, response)
        return result

    def redact_value(self, value: Any, found: SecretValues | None) -> Any:
        """An intercepted value (plain data) with secret-named entries and removed values replaced."""
        if self.secrets.intercepts:
            value = self.secrets.redact_plain(value, found)[0]
        return found.replace_plain(value) if found else value

    def ignored_reason(self, request: Request) -> str:
        """Which option ignores *request* (for the message refusing it in a replay-only DVD)."""
        if self.ignore is not None:
            reason = self.ignore.reason(request.url)
            if reason is not None:
                return reason
        return "a before_record_request hook returned None for it"

    def refuse_ignored(
        self, request: Request, *, path: str | None, record_mode: str
    ) -> UnmatchedRequestError:
        """The error for an ignored request met in a write-protected DVD: it would reach the network."""
        where = f"DVD {path}" if path else "the DVD"
        return UnmatchedRequestError(
            f"{request.method} {request.url} is ignored ({self.ignored_reason(request)}), so it would go to "
            f"the network, but {where} is replay-only (record_mode {record_mode!r}) and a replay must not "
            "reach the network by surprise. Pass allow_ignored_on_replay=True to let ignored requests "
            "through, or stop ignoring this host.",
            reason="ignored",
            request=request,
        )

    def conceal(self, document: DVDDocument, found: SecretValues | None = None) -> DVDDocument:
        """*document* as it is saved: sensitive values and the session's removed values replaced."""
        document = self.sensitive_data.conceal(document)
        return conceal_removed(document, found) if found else document

    def restore(self, document: DVDDocument) -> DVDDocument:
        """*document* as it is replayed: placeholders replaced by the sensitive values."""
        return self.sensitive_data.restore(document)


_TEXT_TYPES = ("json", "text/", "xml", "javascript", "x-www-form-urlencoded")


def _compressed_text(response: Response) -> bool:
    """Whether *response* is a compressed text body: searched for secrets only once decoded."""
    if not response.body or not header_value(response.headers, "content-encoding"):
        return False
    content_type = header_value(response.headers, "content-type").lower()
    return any(kind in content_type for kind in _TEXT_TYPES)


def _run_hooks(kind: str, hooks: Sequence[Callable[[Any], Any]], value: Any) -> Any:
    for hook in hooks:
        try:
            result = hook(value)
        except PlaybackDVDError:
            raise
        except Exception as error:
            # The user's own exception, unchanged (vcrpy's behaviour: their except clauses still work),
            # with a note saying where it came from; the request it stopped never reaches the network.
            _note(error, f"raised by the before_record_{kind} hook {callable_name(hook)} (playback_dvd)")
            raise
        if result is None:
            return None
        value = result
    return value


def as_hooks(
    value: Callable[..., object] | Sequence[Callable[..., object]] | None,
) -> tuple[Callable[..., object], ...]:
    """Accept one callable, a list of them, or None.

    Raises:
        ConfigurationError: Something in the list is not callable.
    """
    if value is None:
        return ()
    if callable(value):
        return (value,)
    hooks = tuple(value)
    for hook in hooks:
        if not callable(hook):
            raise ConfigurationError(f"a before_record hook must be callable, not {hook!r}")
    return hooks


NO_FILTERS = Filters()


def _note(error: BaseException, note: str) -> None:
    add_note = getattr(error, "add_note", None)
    if add_note is not None:  # Python 3.11+
        add_note(note)
