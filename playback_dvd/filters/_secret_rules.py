"""The secure defaults: secrets out of URLs, headers, bodies and intercepted values, by name.

`SecretRules` is what ``redact_secrets`` (on by default in every entry point), ``secret_names`` and
``not_secret`` build. Every value it removes becomes ``<REDACTED:field>`` and is handed to the session's
`SecretValues`, so it is also replaced wherever else it appears (see `_secret_values`).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from .._errors import ConfigurationError
from .._models import Headers
from ._secret_names import (
    DEFAULT_SECRET_NAMES,
    NOT_SECRET_BY_DEFAULT,
    SECRET_NAME_SUFFIXES,
    is_placeholder,
    normalize_name,
    placeholder_for,
)
from ._secret_values import SecretValues

#: Names of the rules themselves, accepted by ``not_secret`` to switch one rule off.
RULE_SWITCHES = frozenset({"url_password", "name_pattern", "by_value", "intercepts"})

_AUTHORIZATION = frozenset({"authorization", "proxy_authorization"})
_URL_HEADERS = frozenset({"location", "content_location", "link", "refresh"})
#: Characters kept readable in rewritten query strings: placeholders read ``<REDACTED:api_key>``.
QUERY_SAFE = "<>:"


def _names(option: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ConfigurationError(f"{option} must be a list of names, not {value!r}")
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"{option}: {name!r} is not a field name")
    return names


@attrs.frozen
class SecretRules:
    """Which names are secrets, and the rules that redact them (all on by default).

    Args:
        enabled: ``redact_secrets``; False stores traffic exactly as sent (the user's own filters still run).
        names: Normalized secret names: the defaults plus ``secret_names``, minus ``not_secret``.
        exempt: Normalized names never redacted by the defaults (``not_secret`` and pagination tokens).
        name_pattern: Redact names ending like a secret (``*_token``, ``*_secret``...).
        url_password: Redact the password of ``user:password@host`` URLs.
        by_value: Replace every removed value wherever else it appears in the recording.
        intercepts: Apply the name rules to intercepted arguments, return values and results.
    """

    enabled: bool = True
    names: frozenset[str] = DEFAULT_SECRET_NAMES
    exempt: frozenset[str] = NOT_SECRET_BY_DEFAULT
    name_pattern: bool = True
    url_password: bool = True
    by_value: bool = True
    intercepts: bool = True
    _cache: dict[str, bool] = attrs.field(factory=dict, eq=False, repr=False)
    _hints: list[re.Pattern[bytes]] = attrs.field(factory=list, eq=False, repr=False)
    #: Whether the header rules read a header of this name (raw bytes or text): see `_reads_header`.
    _header_reads: dict[str | bytes, bool] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def parse(cls, redact_secrets: Any = True, secret_names: Any = (), not_secret: Any = ()) -> SecretRules:
        """The rules of the options ``redact_secrets``, ``secret_names`` and ``not_secret``.

        Raises:
            ConfigurationError: *redact_secrets* is not a bool, or a name list is not a list of strings.
        """
        if not isinstance(redact_secrets, bool):
            raise ConfigurationError(f"redact_secrets must be True or False, not {redact_secrets!r}")
        added = {normalize_name(name) for name in _names("secret_names", secret_names)}
        kept = _names("not_secret", not_secret)
        switches = {name for name in kept if name in RULE_SWITCHES}
        exempt = {normalize_name(name) for name in kept if name not in RULE_SWITCHES}
        return cls(
            enabled=redact_secrets,
            names=frozenset((DEFAULT_SECRET_NAMES | added) - exempt),
            exempt=frozenset((NOT_SECRET_BY_DEFAULT | exempt) - added),
            name_pattern="name_pattern" not in switches,
            url_password="url_password" not in switches,
            by_value="by_value" not in switches,
            intercepts="intercepts" not in switches,
        )

    def __bool__(self) -> bool:
        return self.enabled

    def without(self, names: Iterable[str]) -> SecretRules:
        """These rules leaving *names* alone: the fields a user's own filter option already handles."""
        left = {normalize_name(name) for name in names}
        if not left or not self.enabled:
            return self
        return attrs.evolve(self, names=self.names - left, exempt=self.exempt | left)

    def new_values(self, keep: Iterable[str] = ()) -> SecretValues:
        """A session's collector of removed values (collecting nothing when ``by_value`` is off)."""
        return SecretValues(keep, enabled=self.by_value)

    # -- names ----------------------------------------------------------------------------------------

    def may_hold_secret(self, data: bytes, kind: str | None = None) -> bool:
        """A quick, conservative test: False only when *data* cannot hold a field these rules cover.

        Every spelling of a secret name (``X-Api-Key``, ``apiKey``, ``api_key``) contains its last word
        (``key``) in lower case, so one regex search over the lower-cased bytes spares parsing the bodies
        and query strings that hold nothing of interest (most of them). A URL with a password counts too.
        For a JSON body (*kind* ``"json"``) only its keys can name a field, so the search runs over the
        keys alone (the strings followed by a colon), unless the body holds a URL (whose query the rules
        read too) or an escape: then over the whole body. JSON with a NUL (UTF-16 or UTF-32, which the
        parser reads and a bytes search cannot) may always hold one.
        """
        if not self.enabled:
            return False
        if not self._hints:
            words = {name.rsplit("_", 1)[-1] for name in self.names}
            words |= (
                {suffix.rsplit("_", 1)[-1] for suffix in SECRET_NAME_SUFFIXES} if self.name_pattern else set()
            )
            alternatives = _by_first_letter(words)
            alternatives.append(r"://[^/\s\"'?#]*@")
            self._hints.append(re.compile("|".join(alternatives).encode()))
        hints = self._hints[0]
        if kind == "json":
            if b"\x00" in data:
                return True  # UTF-16 or UTF-32 JSON: the parser reads it, bytes searches cannot
            if b"\\" not in data and b"://" not in data:
                # With no escape, the quotes split the text into strings and what lies between, and a key
                # is a string followed by a colon; with no URL, nothing else is read (the rules read URLs'
                # queries). A regex over 1 KB costs ~9 µs, this split a quarter of it.
                pieces = data.split(b'"')
                keys = [
                    k
                    for k, after in zip(pieces[1::2], pieces[2::2], strict=False)
                    if after.lstrip()[:1] == b":"
                ]
                return hints.search(b"\n".join(keys).lower()) is not None
        return hints.search(data.lower()) is not None

    def covers(self, name: str) -> bool:
        """Whether the field *name* (any spelling) holds a secret under these rules."""
        if not self.enabled:
            return False
        known = self._cache.get(name)
        if known is None:
            normalized = normalize_name(name)
            known = normalized in self.names or (
                self.name_pattern
                and normalized.endswith(SECRET_NAME_SUFFIXES)
                and normalized not in self.exempt
            )
            self._cache[name] = known  # a benign race: two threads compute the same answer
        return known

    def leaves_headers_alone(self, raw_headers: Iterable[tuple[bytes, bytes]]) -> bool:
        """Whether `redact_headers` leaves these raw header pairs alone, judged by their names only.

        A quick, conservative test cached per name (a request's few header names repeat): a covered name,
        or one whose value gets the URL rules (``Location``...), answers False.
        """
        if not self.enabled:
            return True
        reads = self._header_reads
        for name, _ in raw_headers:
            read = reads.get(name)  # inline: this runs for every header of every replayed request
            if read is None:
                read = self._reads_header(name)
            if read:
                return False
        return True

    def _reads_header(self, name: str | bytes) -> bool:
        """Whether `redact_headers` reads a header called *name*: a covered name, or one whose value gets
        the URL rules (``Location``...). Cached per name: normalizing one costs two regex substitutions."""
        text = name.decode("latin-1") if isinstance(name, bytes) else name
        read = self.covers(text) or normalize_name(text) in _URL_HEADERS
        self._header_reads[name] = read  # a benign race, as in `covers`
        return read

    def lookup(self, name: str) -> tuple[bool, Any]:
        """(covered, None): the `FieldRules` view of these rules, for the body filters."""
        return self.covers(name), None

    def apply(self, name: str, value: Any, found: SecretValues | None = None) -> tuple[bool, Any]:
        """(keep, new value) for the field *name* holding *value*: its placeholder when it is a secret."""
        if not self.covers(name) or not _redactable(value, found):
            return True, value
        placeholder = placeholder_for(name)
        if found is not None:
            found.add(str(value), placeholder)
        return True, placeholder

    def filter_pairs(
        self, pairs: Sequence[tuple[str, Any]], found: SecretValues | None = None
    ) -> list[tuple[str, str]] | None:
        """(name, value) pairs with secrets replaced; None when none is a secret."""
        if not self.enabled or not any(
            self.covers(name) and _redactable(value, found) for name, value in pairs
        ):
            return None
        return [(name, str(self.apply(name, value, found)[1])) for name, value in pairs]

    # -- places ---------------------------------------------------------------------------------------

    def redact_headers(self, headers: Headers, found: SecretValues | None) -> Headers:
        """Header pairs with secret values replaced (the same object when none is a secret).

        ``Authorization: Bearer x`` keeps its scheme (``Bearer <REDACTED:authorization>``); cookies keep
        their names and attributes (``session=<REDACTED:cookie>; Path=/``), so a replayed cookie jar still
        sees the cookies it expects. ``Location``-like headers get the URL rules.
        """
        if not self.enabled:
            return headers
        reads = self._header_reads
        for name, _ in headers:
            read = reads.get(name)
            if read is None:
                read = self._reads_header(name)
            if read:
                break
        else:
            return headers  # most requests and responses: no header these rules read
        changed = False
        result = []
        for name, value in headers:
            new_value = self._header_value(name, value, found)
            changed = changed or new_value is not value
            result.append((name, new_value))
        return tuple(result) if changed else headers

    def _header_value(self, name: str, value: str, found: SecretValues | None) -> str:
        normalized = normalize_name(name)
        if normalized in _URL_HEADERS:
            return self.redact_url(value, found)
        if not self.covers(name) or not _redactable(value, found):
            return value
        placeholder = placeholder_for(name.lower())
        if normalized in _AUTHORIZATION:
            credentials = value.strip().partition(" ")[2].strip()
            if found is not None and found.kept(credentials):
                return value
            return _redact_authorization(value, placeholder, found)
        if normalized == "cookie":
            return _redact_cookies(value, placeholder, found, separator=";")
        if normalized == "set_cookie":
            return _redact_set_cookie(value, placeholder, found)
        if found is not None:
            found.add(value, placeholder)
        return placeholder

    def redact_url(self, url: str, found: SecretValues | None) -> str:
        """*url* with the userinfo password and secret query (and fragment) parameters replaced.

        A URL with nothing to redact is returned as it came, byte for byte.
        """
        if not self.enabled or ("?" not in url and "@" not in url and "#" not in url):
            return url
        if "@" not in url and not self.may_hold_secret(url.encode("utf-8", "surrogateescape")):
            return url
        try:
            parts = urlsplit(url)
        except ValueError:  # not a URL after all (a header holding something else): nothing to redact
            return url
        changed = False
        netloc = parts.netloc
        if self.url_password and "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user, colon, password = userinfo.partition(":")
            if colon and _redactable(password, found):
                placeholder = placeholder_for("url_password")
                if found is not None:
                    found.add(password, placeholder)
                netloc, changed = f"{user}:{placeholder}@{host}", True
        query = self._redact_query(parts.query, found)
        fragment = self._redact_query(parts.fragment, found) if "=" in parts.fragment else parts.fragment
        if query is not parts.query or fragment is not parts.fragment:
            changed = True
        if not changed:
            return url
        return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=fragment))

    def _redact_query(self, query: str, found: SecretValues | None) -> str:
        if not query:
            return query
        kept = self.filter_pairs(parse_qsl(query, keep_blank_values=True), found)
        return query if kept is None else urlencode(kept, safe=QUERY_SAFE)

    def redact_plain(self, value: Any, found: SecretValues | None) -> tuple[Any, bool]:
        """Plain data (JSON bodies, intercepted values) with secret-named entries replaced, at any depth.

        A secret-named list or dict (``"token": {...}``) is searched, not replaced whole, so code replaying
        it still gets the shape it expects. Strings that are URLs get the URL rules too (a pagination
        ``next`` link with an ``access_token``).

        Returns:
            The new value and whether anything changed (when not, the value is the object given).
        """
        kind = type(value)
        if kind is dict:
            result: dict[Any, Any] | None = None  # copied only at the first change: most dicts have none
            for key, item in value.items():
                item_kind = type(item)
                if item_kind is str:
                    if type(key) is str and self.covers(key) and _redactable(item, found):
                        new_item = self.apply(key, item, found)[1]
                    elif item.startswith(_URL_STARTS):
                        new_item = self.redact_url(item, found)
                    else:
                        continue
                elif item_kind is dict or item_kind is list:
                    new_item = self.redact_plain(item, found)[0]
                else:
                    continue  # numbers, booleans, None: nothing to redact (the hot path)
                if new_item is not item:
                    if result is None:
                        result = dict(value)
                    result[key] = new_item
            return (value, False) if result is None else (result, True)
        if kind is list:
            new_list: list[Any] | None = None
            for number, item in enumerate(value):
                new_item, item_changed = self.redact_plain(item, found)
                if item_changed:
                    if new_list is None:
                        new_list = list(value)
                    new_list[number] = new_item
            return (value, False) if new_list is None else (new_list, True)
        if kind is str and value.startswith(_URL_STARTS):
            redacted = self.redact_url(value, found)
            return redacted, redacted is not value
        return value, False


_URL_STARTS = ("http://", "https://")


#: Rules that redact nothing: ``redact_secrets=False``.
NO_SECRET_RULES = SecretRules(enabled=False)


def _redactable(value: Any, found: SecretValues | None) -> bool:
    """Whether a secret-named field's value is one to replace: non-empty text, not yet a placeholder.

    Numbers, booleans and None stay: ``"token": 3`` is a count, and an intercepted value structured back
    into an ``int`` field must still be one on replay. A ``filter_sensitive_data`` value stays for its own
    placeholder, which is restored to the real value on load.
    """
    if not isinstance(value, str) or not value or is_placeholder(value):
        return False
    return found is None or not found.kept(value)


def _redact_authorization(value: str, placeholder: str, found: SecretValues | None) -> str:
    scheme, space, credentials = value.strip().partition(" ")
    if not space or not credentials.strip() or " " in scheme:
        if found is not None:
            found.add(value, placeholder)
        return placeholder
    credentials = credentials.strip()
    if found is not None:
        found.add(credentials, placeholder)
        if scheme.lower() == "basic":  # the password alone may be echoed (or sit in a URL elsewhere)
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            password = decoded.partition(":")[2]
            if password:
                found.add(password, placeholder)
    return f"{scheme} {placeholder}"


def _redact_cookies(value: str, placeholder: str, found: SecretValues | None, *, separator: str) -> str:
    pieces = []
    for piece in value.split(separator):
        name, equals, cookie = piece.partition("=")
        if equals and _redactable(cookie.strip(), found):
            if found is not None:
                found.add(cookie.strip(), placeholder)
            pieces.append(f"{name}={placeholder}")
        else:
            pieces.append(piece)
    return separator.join(pieces)


def _redact_set_cookie(value: str, placeholder: str, found: SecretValues | None) -> str:
    # Only the first pair is the cookie; the rest are attributes (Path, Domain, Expires...).
    first, semicolon, attributes = value.partition(";")
    return _redact_cookies(first, placeholder, found, separator=";") + semicolon + attributes


def _by_first_letter(words: Iterable[str]) -> list[str]:
    """Regex alternatives for *words*, grouped by their first letter (``k(?:ey)``): the regex engine
    tries a branch only when its first letter is there, so a search over a body tries a few branches
    per position instead of all of them (a quarter less time over 1 KB of JSON)."""
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words), key=len, reverse=True):
        groups.setdefault(word[:1], []).append(re.escape(word[1:]))
    return [f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items())]
