"""Secrets out of headers, query strings and whole DVDs: the user's field rules, and sensitive data.

``filter_sensitive_data`` works on whole documents: placeholders on save, the real values back on load.
The secure defaults (``redact_secrets``) live in `_secret_rules`; both kinds of rules hand the values they
remove to the session's `SecretValues`, which replaces them wherever else they appear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import attrs

from .._bodies import fix_content_length
from .._errors import ConfigurationError
from .._models import (
    DVDDocument,
    ExceptionInfo,
    Headers,
    InputRecord,
    Interaction,
    OutputRecord,
    Request,
)
from ._secret_names import placeholder_for
from ._secret_values import SecretValues

#: A replacement: a fixed string, or a callable ``value -> new value | None`` (None removes the entry).
Replacement = Callable[[Any], Any]


def callable_name(function: object) -> str:
    """A readable name for a user callable, used in error messages."""
    return getattr(function, "__qualname__", None) or repr(function)


class NamedFieldRules(Protocol):
    """What the body filters need of a rule set: `FieldRules` (the user's) or `SecretRules` (the defaults)."""

    def __bool__(self) -> bool: ...

    def lookup(self, name: str) -> tuple[bool, Any]: ...

    def apply(self, name: str, value: Any, found: SecretValues | None = None) -> tuple[bool, Any]: ...

    def filter_pairs(
        self, pairs: Sequence[tuple[str, Any]], found: SecretValues | None = None
    ) -> list[tuple[str, str]] | None: ...

    def redact_plain(self, value: Any, found: SecretValues | None) -> tuple[Any, bool]: ...

    def may_hold_secret(self, data: bytes, kind: str | None = None) -> bool: ...


def _call(option: str, name: str, replacement: Replacement, value: Any) -> Any:
    try:
        return replacement(value)
    except Exception as error:
        raise ConfigurationError(
            f"{option}: the replacement {callable_name(replacement)} for {name!r} raised {error!r}"
        ) from error


@attrs.frozen
class FieldRules:
    """Which named fields one filter option removes or replaces: ``{name: None | str | callable}``.

    Args:
        option: The option these rules came from (named in errors).
        rules: Field name -> None (remove), a string, or ``callable(value) -> value | None``.
        case_insensitive: Compare names ignoring case (header names).
    """

    option: str
    rules: Mapping[str, Any]
    case_insensitive: bool = False

    @classmethod
    def parse(cls, option: str, entries: Any, *, case_insensitive: bool = False) -> FieldRules:
        """Read ``[name | (name, replacement)]`` as the user wrote it.

        Raises:
            ConfigurationError: An entry is neither a name nor a ``(name, replacement)`` pair.
        """
        rules: dict[str, Any] = {}
        if isinstance(entries, (str, bytes)) or not isinstance(entries, Iterable):
            raise ConfigurationError(f"{option} must be a list of names or (name, replacement) pairs")
        for entry in entries:
            if isinstance(entry, str):
                name, replacement = entry, None
            elif isinstance(entry, (tuple, list)) and len(entry) == 2 and isinstance(entry[0], str):
                name, replacement = entry
                if replacement is not None and not isinstance(replacement, str) and not callable(replacement):
                    raise ConfigurationError(
                        f"{option}: the replacement for {name!r} must be a string, a callable or None"
                    )
            else:
                raise ConfigurationError(
                    f"{option}: {entry!r} is neither a name nor a (name, replacement) pair"
                )
            rules[name.lower() if case_insensitive else name] = replacement
        return cls(option, rules, case_insensitive)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def names(self) -> frozenset[str]:
        """The field names these rules cover (lower-cased when case-insensitive)."""
        return frozenset(self.rules)

    def lookup(self, name: str) -> tuple[bool, Any]:
        """(covered, replacement) for the field *name*."""
        key = name.lower() if self.case_insensitive else name
        if key in self.rules:
            return True, self.rules[key]
        return False, None

    def apply(self, name: str, value: Any, found: SecretValues | None = None) -> tuple[bool, Any]:
        """(keep, new value) for one field: removed when the rule says None or its callable returns None.

        The value a rule removed or changed goes to *found*, so it is replaced wherever else it appears.
        """
        covered, replacement = self.lookup(name)
        if not covered:
            return True, value
        if replacement is None:
            result = None
        elif isinstance(replacement, str):
            result = replacement
        else:
            result = _call(self.option, name, replacement, value)
        if found is not None and isinstance(value, str) and result != value:
            found.add(value, result if isinstance(result, str) and result else placeholder_for(name))
        return result is not None, result

    def filter_pairs(
        self, pairs: Sequence[tuple[str, Any]], found: SecretValues | None = None
    ) -> list[tuple[str, str]] | None:
        """(name, value) pairs with the covered ones removed or replaced; None when no rule covers any."""
        if not self or not any(self.lookup(name)[0] for name, _ in pairs):
            return None
        kept = []
        for name, value in pairs:
            keep, new_value = self.apply(name, value, found)
            if keep:
                kept.append((name, str(new_value)))
        return kept

    def may_hold_secret(self, data: bytes, kind: str | None = None) -> bool:
        """Whether *data* (of body *kind*) may hold a covered field (always, when there are rules: they are
        few and exact)."""
        return bool(self.rules)

    def redact_plain(self, value: Any, found: SecretValues | None) -> tuple[Any, bool]:
        """JSON data with covered keys removed or replaced at any depth, inside lists too.

        A covered key is replaced whole, whatever it holds (vcrpy's meaning).

        Returns:
            The new value and whether anything changed.
        """
        if isinstance(value, dict):
            changed = False
            result = {}
            for key, item in value.items():
                if self.lookup(key)[0]:
                    changed = True
                    keep, new_item = self.apply(key, item, found)
                    if keep:
                        result[key] = new_item
                else:
                    result[key], item_changed = self.redact_plain(item, found)
                    changed = changed or item_changed
            return (result, True) if changed else (value, False)
        if isinstance(value, list):
            items = [self.redact_plain(item, found) for item in value]
            if any(changed for _, changed in items):
                return [item for item, _ in items], True
        return value, False


def filter_header_pairs(headers: Headers, rules: FieldRules, found: SecretValues | None = None) -> Headers:
    """Header pairs with the covered ones removed or replaced (same object when nothing is covered)."""
    kept = rules.filter_pairs(headers, found)
    return headers if kept is None else tuple(kept)


def filter_url_query(url: str, rules: FieldRules, found: SecretValues | None = None) -> str:
    """The URL with covered query parameters removed or replaced; untouched (byte for byte) otherwise."""
    if not rules:
        return url
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = rules.filter_pairs(parse_qsl(parts.query, keep_blank_values=True), found)
    if kept is None:
        return url
    # '<', '>' and ':' stay readable so a placeholder such as <REDACTED:key> reads as written.
    return urlunsplit(parts._replace(query=urlencode(kept, safe="<>:")))


# -- filter_sensitive_data -------------------------------------------------------------------------------


@attrs.frozen
class SensitiveData:
    """``{placeholder: value or callable() -> value}``: placeholders on save, the values back on load.

    Applies to URLs, header values and bodies, so the file holds no secret and replayed code sees real values.

    Callables are called each time a DVD is saved or loaded (e.g. ``lambda: os.environ["API_TOKEN"]``);
    an empty value is skipped (replacing "" would rewrite everything).
    """

    values: Mapping[str, Any]

    def __bool__(self) -> bool:
        return bool(self.values)

    def _pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for placeholder, value in self.values.items():
            if callable(value):
                try:
                    value = value()
                except Exception as error:
                    raise ConfigurationError(
                        f"filter_sensitive_data: the value callable {callable_name(value)} for "
                        f"{placeholder!r} raised {error!r}"
                    ) from error
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                raise ConfigurationError(
                    f"filter_sensitive_data: the value for {placeholder!r} must be a string, "
                    f"not {type(value).__name__}"
                )
            pairs.append((value, placeholder))
        return pairs

    def current_values(self) -> list[str]:
        """The sensitive values as they are now (callables called)."""
        return [value for value, _ in self._pairs()]

    def conceal(self, document: DVDDocument) -> DVDDocument:
        """*document* with every sensitive value replaced by its placeholder (what is saved)."""
        return _replace_everywhere(document, self._pairs()) if self.values else document

    def restore(self, document: DVDDocument) -> DVDDocument:
        """*document* with every placeholder replaced by its current value (what is replayed)."""
        if not self.values:
            return document
        return _replace_everywhere(document, [(placeholder, value) for value, placeholder in self._pairs()])


def _replace_text(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def _replace_url(url: str, pairs: list[tuple[str, str]]) -> str:
    url = _replace_text(url, pairs)
    # httpx percent-encodes query values, so a secret with reserved characters is stored encoded.
    encoded = [(quote(old, safe=""), new) for old, new in pairs if quote(old, safe="") != old]
    return _replace_text(url, encoded) if encoded else url


def _replace_headers(headers: Headers, pairs: list[tuple[str, str]]) -> Headers:
    replaced = tuple((name, _replace_text(value, pairs)) for name, value in headers)
    return headers if replaced == headers else replaced


def _replace_body(body: bytes, headers: Headers, pairs: list[tuple[str, str]]) -> tuple[bytes, Headers]:
    new_body = body
    for old, new in pairs:
        old_bytes = old.encode("utf-8")
        if old_bytes in new_body:
            new_body = new_body.replace(old_bytes, new.encode("utf-8"))
    if new_body is body:
        return body, headers
    return new_body, fix_content_length(headers, len(new_body))


def _replace_interaction(interaction: Interaction, pairs: list[tuple[str, str]]) -> Interaction:
    """*interaction* with *pairs* replaced; the same object when none occurs (the common case at save)."""
    request = interaction.request
    body, headers = _replace_body(request.body, _replace_headers(request.headers, pairs), pairs)
    url = _replace_url(request.url, pairs)
    new_request = request
    if body is not request.body or headers is not request.headers or url != request.url:
        new_request = Request(request.method, url, headers, body)
    response = new_response = interaction.response
    if response is not None:
        body, headers = _replace_body(response.body, _replace_headers(response.headers, pairs), pairs)
        if body is not response.body or headers is not response.headers:
            new_response = attrs.evolve(response, headers=headers, body=body)
    if new_request is request and new_response is response:
        return interaction
    return attrs.evolve(interaction, request=new_request, response=new_response)


def _replace_everywhere(document: DVDDocument, pairs: list[tuple[str, str]]) -> DVDDocument:
    if not pairs:
        return document
    return attrs.evolve(
        document, interactions=tuple(_replace_interaction(item, pairs) for item in document.interactions)
    )


# -- redaction by value ----------------------------------------------------------------------------------


def conceal_removed(document: DVDDocument, values: SecretValues) -> DVDDocument:
    """*document* with every value a rule removed replaced by its placeholder, wherever it appears.

    Covers URLs, headers and bodies of both sides, exception messages, input keys and values, output
    arguments and results, and metadata. A compressed body is searched only once decoded (the secure
    defaults store text bodies decoded).
    """
    pairs = list(values.pairs())
    if not pairs:
        return document
    interactions = tuple(
        replaced
        if replaced.exception is None
        else attrs.evolve(replaced, exception=_replace_exception(replaced.exception, values))
        for replaced in (_replace_interaction(item, pairs) for item in document.interactions)
    )
    inputs = {
        values.replace_text(key): InputRecord(
            values.replace_plain(record.value), _replace_exception(record.exception, values)
        )
        for key, record in document.inputs.items()
    }
    outputs = tuple(
        OutputRecord(
            values.replace_text(record.key),
            values.replace_plain(record.arguments),
            values.replace_plain(record.result),
            _replace_exception(record.exception, values),
        )
        for record in document.outputs
    )
    return attrs.evolve(
        document,
        interactions=interactions,
        inputs=inputs,
        outputs=outputs,
        metadata=values.replace_plain(dict(document.metadata)),
    )


def _replace_exception(info: ExceptionInfo | None, values: SecretValues) -> ExceptionInfo | None:
    if info is None:
        return None
    message = values.replace_text(info.message)
    return info if message == info.message else ExceptionInfo(info.type_name, message)
