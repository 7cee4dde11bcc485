"""The options shared by `use_dvd`, the `Recorder` and the pytest plugin: one definition, checked once.

Unknown names are refused with the closest valid name (vcrpy silently ignores ``filter_header``, and the
secret it was meant to hide ends up in the cassette).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import attrs

from ._errors import ConfigurationError
from .dvd._dvd import RecordMode
from .dvd._matching import DEFAULT_MATCH_ON, VCRPY_MATCH_ON, Matcher, MatcherFunction, resolve_matchers
from .filters._pipeline import NO_FILTERS, Filters, HostRule, as_hooks
from .filters._redaction import FieldRules, SensitiveData
from .filters._secret_rules import SecretRules
from .formats._limits import DEFAULT_LIMITS, LoadLimits


class DVDOptions(TypedDict, total=False):
    """The keyword options of `use_dvd` (and of `Recorder` and ``@pytest.mark.dvd``)."""

    record_mode: RecordMode | str
    match_on: Sequence[str | MatcherFunction | Matcher]
    additional_matchers: Sequence[str | MatcherFunction | Matcher]
    allow_playback_repeats: bool
    record_on_exception: bool
    max_body_bytes: int | None
    before_record_request: Any
    before_record_response: Any
    filter_headers: Sequence[str | tuple[str, Any]]
    filter_query_parameters: Sequence[str | tuple[str, Any]]
    filter_post_data_parameters: Sequence[str | tuple[str, Any]]
    filter_sensitive_data: Mapping[str, Any]
    decode_compressed_response: bool
    ignore_hosts: Sequence[str | re.Pattern[str]]
    ignore_localhost: bool
    allow_ignored_on_replay: bool
    redact_secrets: bool
    secret_names: Sequence[str]
    not_secret: Sequence[str]
    block_network: bool
    allowed_hosts: Sequence[str]
    load_limits: LoadLimits


@attrs.frozen
class ResolvedOptions:
    """`DVDOptions` checked and turned into the objects that do the work."""

    record_mode: RecordMode = RecordMode.ONCE
    match_on: tuple[str | MatcherFunction | Matcher, ...] = DEFAULT_MATCH_ON
    allow_playback_repeats: bool = False
    record_on_exception: bool = True
    max_body_bytes: int | None = None
    filters: Filters = NO_FILTERS
    allow_ignored_on_replay: bool = False
    #: Whether ``match_on`` was given: a vcrpy cassette replays with vcrpy's default otherwise.
    match_on_given: bool = False
    block_network: bool = False
    allowed_hosts: tuple[str, ...] = ()
    load_limits: LoadLimits = DEFAULT_LIMITS

    def match_on_for(self, *, vcrpy: bool) -> tuple[str | MatcherFunction | Matcher, ...]:
        """The matchers of a DVD: a vcrpy cassette keeps vcrpy's default (no body) unless match_on was given.

        vcrpy recorded those cassettes under its own default, so they may hold requests that differ only
        in their bodies (a timestamp, a nonce) and that vcrpy answered anyway.
        """
        if not vcrpy or self.match_on_given:
            return self.match_on
        return (*VCRPY_MATCH_ON, *self.match_on[len(DEFAULT_MATCH_ON) :])


_KNOWN = frozenset(DVDOptions.__annotations__)


def check_option_names(options: Mapping[str, Any], *, extra: frozenset[str] = frozenset()) -> None:
    """Refuse unknown option names, suggesting the closest valid one."""
    known = _KNOWN | extra
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(
                f"unknown option {name!r}{hint} Valid options: {', '.join(sorted(known))}"
            )


def resolve_options(options: Mapping[str, Any]) -> ResolvedOptions:
    """Check *options* (names, values) and build the matchers and filters they describe.

    The secret rules are on unless ``redact_secrets=False`` (docs/secrets.md lists them); ``secret_names``
    adds names, ``not_secret`` keeps names (or whole rules) in clear.

    Args:
        options: The keyword options (`DVDOptions`).

    Raises:
        ConfigurationError: An unknown option name, record mode or matcher, or a filter option of the
            wrong shape.
    """
    check_option_names(options)
    match_on = (*options.get("match_on", DEFAULT_MATCH_ON), *options.get("additional_matchers", ()))
    resolve_matchers(match_on)  # fail now, not at the first request, on a misspelled matcher
    max_body_bytes = options.get("max_body_bytes")
    if max_body_bytes is not None and (not isinstance(max_body_bytes, int) or max_body_bytes < 0):
        raise ConfigurationError(f"max_body_bytes must be a non-negative int or None, not {max_body_bytes!r}")
    return ResolvedOptions(
        record_mode=RecordMode.parse(options.get("record_mode", RecordMode.ONCE)),
        match_on=match_on,
        allow_playback_repeats=bool(options.get("allow_playback_repeats", False)),
        record_on_exception=bool(options.get("record_on_exception", True)),
        max_body_bytes=max_body_bytes,
        filters=_build_filters(options),
        allow_ignored_on_replay=bool(options.get("allow_ignored_on_replay", False)),
        match_on_given="match_on" in options,
        block_network=bool(options.get("block_network", False)),
        allowed_hosts=_host_patterns(options.get("allowed_hosts", ())),
        load_limits=_load_limits(options.get("load_limits", DEFAULT_LIMITS)),
    )


def _load_limits(value: Any) -> LoadLimits:
    if not isinstance(value, LoadLimits):
        raise ConfigurationError(f"load_limits must be a playback_dvd.LoadLimits, not {value!r}")
    return value


def _host_patterns(value: Any) -> tuple[str, ...]:
    patterns = (value,) if isinstance(value, str) else tuple(value)
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise ConfigurationError(f"allowed_hosts holds host names or globs, not {pattern!r}")
    return patterns


def _build_filters(options: Mapping[str, Any]) -> Filters:
    headers = FieldRules.parse("filter_headers", options.get("filter_headers", ()), case_insensitive=True)
    sensitive = options.get("filter_sensitive_data", {})
    if not isinstance(sensitive, Mapping) or not all(isinstance(key, str) for key in sensitive):
        raise ConfigurationError("filter_sensitive_data must be a dict {placeholder: value or callable}")
    query = FieldRules.parse("filter_query_parameters", options.get("filter_query_parameters", ()))
    post_data = FieldRules.parse(
        "filter_post_data_parameters", options.get("filter_post_data_parameters", ())
    )
    secrets = SecretRules.parse(
        options.get("redact_secrets", True), options.get("secret_names", ()), options.get("not_secret", ())
    )
    filters = Filters(
        request_hooks=as_hooks(options.get("before_record_request")),  # type: ignore[arg-type]
        response_hooks=as_hooks(options.get("before_record_response")),  # type: ignore[arg-type]
        ignore=HostRule.parse(options.get("ignore_hosts"), bool(options.get("ignore_localhost", False))),
        headers=headers,
        query=query,
        post_data=post_data,
        # A name the user filters himself is left to his rule (his placeholder is not redacted again).
        secrets=secrets,
        secret_headers=secrets.without(headers.names()),
        secret_query=secrets.without(query.names()),
        secret_post_data=secrets.without(post_data.names()),
        decode_compressed=bool(options.get("decode_compressed_response", False)),
        sensitive_data=SensitiveData(dict(sensitive)),
    )
    return NO_FILTERS if filters == NO_FILTERS else filters
