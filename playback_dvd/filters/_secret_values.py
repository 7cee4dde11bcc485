"""Redaction by value: the values a rule removed in one recording, replaced wherever else they appear.

A token removed from an ``Authorization`` header is also the token the server echoes in a body, a
``Location`` header or a ``next`` link; each session (one `use_dvd` block, one recorded operation) keeps
the values its rules removed and replaces them everywhere: in later requests as they are made (so matching
compares the same text on record and replay) and in the whole recording when it is saved.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import attrs

from .._bodies import fix_content_length
from .._models import Request, Response
from ._secret_names import is_placeholder

#: Values shorter than this are redacted where a rule found them, never searched for elsewhere: replacing
#: "abc" in every body would rewrite unrelated text.
MIN_VALUE_LENGTH = 6


def _spellings(value: str) -> list[str]:
    """*value* as it may appear elsewhere: raw, percent-encoded (paths, queries, forms), JSON-escaped."""
    spellings = [value]
    for encoded in (quote(value, safe=""), quote_plus(value), json.dumps(value, ensure_ascii=False)[1:-1]):
        if encoded not in spellings:
            spellings.append(encoded)
    return spellings


class SecretValues:
    """The values the rules removed during one session, each with its placeholder; safe across threads.

    Args:
        keep: Values never replaced by value: those of ``filter_sensitive_data``, whose own placeholders
            must survive to be restored on load.
        enabled: False collects nothing (the ``by_value`` rule switched off).
    """

    def __init__(self, keep: Iterable[str] = (), *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._keep = frozenset(keep)
        self._placeholders: dict[str, str] = {}
        self._pairs: tuple[tuple[str, str], ...] = ()
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def __len__(self) -> int:
        return len(self._placeholders)

    def add(self, value: Any, placeholder: str) -> None:
        """Remember that *value* was removed and *placeholder* stands for it (the first placeholder wins)."""
        if not self.enabled or not isinstance(value, str) or len(value) < MIN_VALUE_LENGTH:
            return
        if value in self._placeholders or value in self._keep or is_placeholder(value):
            return
        with self._lock:
            if value in self._placeholders:
                return
            self._placeholders[value] = placeholder
            pairs = [*self._pairs, *((spelling, placeholder) for spelling in _spellings(value))]
            # Longest first: a value that contains another is replaced whole, not in pieces.
            pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
            self._pairs = tuple(pairs)  # replaced whole: readers never see a list being built

    def kept(self, value: str) -> bool:
        """Whether *value* is one of ``filter_sensitive_data``'s: left in place for its own placeholder."""
        return value in self._keep

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """``(spelling, placeholder)`` of every known value, longest spelling first."""
        return self._pairs

    def found_in(self, text: str, data: bytes = b"") -> bool:
        """Whether a known value (any spelling) appears in *text* or *data*: what `replace_text` and
        `replace_bytes` would replace."""
        return any(old in text or (data and old.encode("utf-8") in data) for old, _ in self._pairs)

    def replace_text(self, text: str) -> str:
        """*text* with every known value replaced by its placeholder."""
        for old, new in self._pairs:
            if old in text:
                text = text.replace(old, new)
        return text

    def replace_bytes(self, data: bytes) -> bytes:
        """*data* (UTF-8 text or not) with every known value replaced; the same object when none is in it."""
        if not data:
            return data
        for old, new in self._pairs:
            needle = old.encode("utf-8")
            if needle in data:
                data = data.replace(needle, new.encode("utf-8"))
        return data

    def replace_plain(self, value: Any) -> Any:
        """Plain data (strings, lists, dicts) with every known value replaced, in keys and values."""
        if not self._pairs:
            return value
        if isinstance(value, str):
            return self.replace_text(value)
        if isinstance(value, list):
            return [self.replace_plain(item) for item in value]
        if isinstance(value, dict):
            return {
                (self.replace_text(key) if isinstance(key, str) else key): self.replace_plain(item)
                for key, item in value.items()
            }
        return value

    def replace_in_request(self, request: Request) -> Request:
        """*request* with every known value replaced in its URL, headers and body."""
        if not self._pairs:
            return request
        url = self.replace_text(request.url)
        headers = tuple((name, self.replace_text(value)) for name, value in request.headers)
        body = self.replace_bytes(request.body)
        if body is not request.body:
            headers = fix_content_length(headers, len(body))
        return Request(request.method, url, headers, body)

    def replace_in_response(self, response: Response) -> Response:
        """*response* with every known value replaced in its headers and body."""
        if not self._pairs:
            return response
        headers = tuple((name, self.replace_text(value)) for name, value in response.headers)
        body = self.replace_bytes(response.body)
        if body is not response.body:
            headers = fix_content_length(headers, len(body))
        return attrs.evolve(response, headers=headers, body=body)
