"""Secrets already on disk: find them in a DVD document (the recording rules plus token shapes), or fix them.

`scan_document` reports where a secret sits (a field path such as
``interactions[2].response.body.access_token``) and which rule found it; it never reports the value
itself, so its output is safe to print in CI logs. `fix_document` rewrites a document as the secure
defaults would have recorded it, token shapes included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

from .._bodies import body_kind, header_value
from .._models import DVDDocument, Headers, InputRecord, Interaction, OutputRecord
from ._body_filters import decode_response_body, filter_body
from ._pipeline import Filters
from ._redaction import conceal_removed
from ._secret_names import is_placeholder, normalize_name, placeholder_for
from ._secret_rules import SecretRules
from ._secret_values import SecretValues

#: Shapes of credentials whatever field holds them: (rule name, pattern).
TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")),
    ("sk_key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}")),
    ("aws_access_key_id", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("slack_token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("stripe_key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}")),
    ("private_key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    ("bearer_token", re.compile(r"\bBearer\s+(?!<REDACTED)([A-Za-z0-9._~+/-]{16,}=*)")),
)
# One pass finds whether any shape is there at all; the shapes are then told apart only for hits.
_ANY_SHAPE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in TOKEN_SHAPES))


@attrs.frozen
class Finding:
    """One secret in a document: where it is and which rule found it (never the value)."""

    path: str
    rule: str


def _shapes(text: str) -> Iterator[tuple[str, str]]:
    """(rule, matched text) of every token shape in *text*."""
    if not text or _ANY_SHAPE.search(text) is None:
        return
    for name, pattern in TOKEN_SHAPES:
        for match in pattern.finditer(text):
            yield name, match.group(match.lastindex or 0)


class _Scanner:
    """Walks a document; a second walk with *echoes* looks for the values the first one found, elsewhere."""

    def __init__(
        self, rules: SecretRules, echoes: SecretValues | None = None, reported: frozenset[str] = frozenset()
    ) -> None:
        self.rules = rules
        self.echoes = echoes
        # Where the first walk found something: a URL or a body holding its own secret is no echo.
        self.reported = reported
        self.found = SecretValues()
        self.findings: list[Finding] = []

    def add(self, path: str, rule: str, value: str = "") -> None:
        if self.echoes is None:
            self.findings.append(Finding(path, rule))
            self.found.add(value, rule)

    def name_rule(self, name: str) -> str:
        return f"secret name {normalize_name(name)!r}"

    def secret(self, name: str, value: Any) -> bool:
        return (
            isinstance(value, str) and bool(value) and not is_placeholder(value) and self.rules.covers(name)
        )

    def text(self, path: str, text: str) -> None:
        if self.echoes is not None:
            if path in self.reported:
                return
            if self.echoes.replace_text(text) != text:
                self.findings.append(Finding(path, "echo of a secret found elsewhere in the file"))
            return
        for rule, value in _shapes(text):
            self.add(path, f"token shape {rule}", value)

    def url(self, path: str, url: str) -> None:
        try:
            parts = urlsplit(url)
        except ValueError:
            self.text(path, url)
            return
        password = parts.netloc.rpartition("@")[0].partition(":")[2] if "@" in parts.netloc else ""
        if password and not is_placeholder(password) and self.rules.url_password:
            self.add(path, "url password", unquote(password))
        for where, query in (("query", parts.query), ("fragment", parts.fragment)):
            for name, value in parse_qsl(query, keep_blank_values=True):
                if self.secret(name, value):
                    self.add(f"{path}.{where}.{name}", self.name_rule(name), value)
        self.text(path, url)

    def headers(self, path: str, headers: Headers) -> None:
        for name, value in headers:
            where = f"{path}.headers.{name.lower()}"
            if normalize_name(name) in ("location", "content_location", "link", "refresh"):
                self.url(where, value)
                continue
            found = SecretValues()
            if self.secret(name, value) and self.rules.redact_headers(((name, value),), found)[0][1] != value:
                self.add(where, self.name_rule(name))
                for spelling, _ in found.pairs():
                    self.found.add(spelling, "header")
            else:
                self.text(where, value)

    def plain(self, path: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}"
                if isinstance(key, str) and self.secret(key, item):
                    self.add(where, self.name_rule(key), item)
                else:
                    self.plain(where, item)
        elif isinstance(value, list):
            for number, item in enumerate(value):
                self.plain(f"{path}[{number}]", item)
        elif isinstance(value, str):
            if value.startswith(("http://", "https://")):
                self.url(path, value)
            else:
                self.text(path, value)

    def body(self, path: str, body: bytes, headers: Headers) -> None:
        if not body:
            return
        content_type = header_value(headers, "content-type")
        kind = body_kind(content_type, body)
        text = body.decode("utf-8", "replace")
        if kind == "json":
            try:
                data = json.loads(body)
            except ValueError:
                self.text(path, text)
                return
            self.plain(path, data)
            return
        if kind == "form":
            for name, value in parse_qsl(text, keep_blank_values=True):
                if self.secret(name, value):
                    self.add(f"{path}.{name}", self.name_rule(name), value)
            if self.echoes is not None:
                return
        if kind == "multipart" and self.echoes is None:
            values = SecretValues()
            filter_body(body, headers, self.rules, values)  # what the recording rules would remove
            for value, _ in values.pairs():
                self.found.add(value, "multipart")
            for name in re.findall(r'content-disposition:[^\r\n]*?\bname="([^"]*)"', text, re.IGNORECASE):
                if self.rules.covers(name) and f'name="{name}"\r\n\r\n<REDACTED' not in text:
                    self.add(f"{path}.{name}", self.name_rule(name))
        self.text(path, text)

    def interaction(self, path: str, interaction: Interaction) -> None:
        request = interaction.request
        self.url(f"{path}.request.url", request.url)
        self.headers(f"{path}.request", request.headers)
        self.body(f"{path}.request.body", request.body, request.headers)
        response = interaction.response
        if response is not None:
            self.headers(f"{path}.response", response.headers)
            decoded = decode_response_body(response)  # a compressed body is searched decoded
            self.body(f"{path}.response.body", decoded.body, decoded.headers)
        if interaction.exception is not None:
            self.text(f"{path}.exception", interaction.exception.message)


def _key_arguments(key: str) -> tuple[str, Any]:
    alias, _, encoded = key.partition(" ")
    try:
        return alias, json.loads(encoded)
    except ValueError:
        return alias, encoded


def scan_document(document: DVDDocument, rules: SecretRules | None = None) -> list[Finding]:
    """Where *document* holds a secret: the recording rules (names, URL passwords) and token shapes.

    A value found by a rule is then looked for everywhere else in the document (an echoed token).
    """
    rules = rules or SecretRules()
    first = _walk(document, _Scanner(rules))
    if not first.found:
        return first.findings
    reported = {finding.path for finding in first.findings}
    # A finding at "x.query.api_key" makes "x" (the URL, the body) hold that secret itself.
    holders = {path.rsplit(".", depth)[0] for path in reported for depth in (1, 2) if "." in path}
    echoes = _walk(document, _Scanner(rules, echoes=first.found, reported=frozenset(reported | holders)))
    return first.findings + [finding for finding in echoes.findings if finding.path not in reported]


def _walk(document: DVDDocument, scanner: _Scanner) -> _Scanner:
    for number, interaction in enumerate(document.interactions):
        scanner.interaction(f"interactions[{number}]", interaction)
    for key, record in document.inputs.items():
        alias, arguments = _key_arguments(key)
        scanner.plain(f"inputs[{alias}].key", arguments)
        scanner.plain(f"inputs[{alias}].value", record.value)
    for output in document.outputs:
        scanner.plain(f"outputs[{output.key}].arguments", output.arguments)
        scanner.plain(f"outputs[{output.key}].result", output.result)
    scanner.plain("metadata", dict(document.metadata))
    return scanner


def fix_document(document: DVDDocument, filters: Filters) -> DVDDocument:
    """*document* as *filters* (the secure defaults) would have recorded it, token shapes replaced too.

    Runs the same request and response filters as recording (so the fixed DVD replays under the same
    options), then replaces every removed value, and every token shape found, wherever it appears.
    """
    found = filters.new_secret_values()
    interactions = []
    for interaction in document.interactions:
        request = filters.request(interaction.request, found) or interaction.request
        response = None if interaction.response is None else filters.response(interaction.response, found)
        interactions.append(attrs.evolve(interaction, request=request, response=response))
    inputs = {}
    for key, record in document.inputs.items():
        alias, arguments = _key_arguments(key)
        if not isinstance(arguments, str):
            arguments = filters.redact_value(arguments, found)
            key = (
                f"{alias} {json.dumps(arguments, sort_keys=True, separators=(',', ':'), ensure_ascii=False)}"
            )
        inputs[key] = InputRecord(filters.redact_value(record.value, found), record.exception)
    outputs = tuple(
        OutputRecord(
            record.key,
            filters.redact_value(record.arguments, found),
            filters.redact_value(record.result, found),
            record.exception,
        )
        for record in document.outputs
    )
    fixed = attrs.evolve(document, interactions=tuple(interactions), inputs=inputs, outputs=outputs)
    _add_shapes(fixed, found)
    return conceal_removed(fixed, found)


def _add_shapes(document: DVDDocument, found: SecretValues) -> None:
    """Hand every token shape still in *document* to *found*, so it is replaced like a removed value."""
    for text in _all_texts(document):
        for rule, value in _shapes(text):
            found.add(value, placeholder_for(rule))


def _all_texts(document: DVDDocument) -> Iterator[str]:
    for interaction in document.interactions:
        yield interaction.request.url
        for message in (interaction.request, interaction.response):
            if message is None:
                continue
            yield from (value for _, value in message.headers)
            yield message.body.decode("utf-8", "replace")
        if interaction.exception is not None:
            yield interaction.exception.message
    yield from document.inputs
    plain: list[Any] = [record.value for record in document.inputs.values()]
    plain += [[output.arguments, output.result] for output in document.outputs]
    yield json.dumps([plain, dict(document.metadata)], default=str, ensure_ascii=False)
