"""The secret rules one by one: names in every spelling, the pattern and its exemptions, values, shapes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playback_dvd._models import DVDDocument, Interaction, Request, Response
from playback_dvd.filters._scan import scan_document
from playback_dvd.filters._secret_names import (
    DEFAULT_SECRET_NAMES,
    SECRET_NAME_SUFFIXES,
    normalize_name,
    placeholder_for,
    unquote_placeholders,
)
from playback_dvd.filters._secret_rules import SecretRules
from playback_dvd.filters._secret_values import SecretValues

RULES = SecretRules()


@pytest.mark.parametrize(
    "name",
    ["X-Auth-Token", "x_auth_token", "xAuthToken", "API_KEY", "apiKey", "api-key", "X-Amz-Signature",
     "client_secret", "sessionToken", "new_password", "Set-Cookie", "aws_secret_access_key"],
)  # fmt: skip
def test_a_secret_name_is_recognised_in_any_spelling(name: str) -> None:
    assert RULES.covers(name)


@pytest.mark.parametrize(
    "name",
    ["next_token", "pageToken", "NextContinuationToken", "max_tokens", "token_type", "expires_in",
     "user", "primary_key", "keyboard", "content-type"],
)  # fmt: skip
def test_pagination_tokens_counts_and_ordinary_names_are_not_secrets(name: str) -> None:
    assert not RULES.covers(name)


def test_normalized_names_fold_camel_case_dashes_and_case() -> None:
    assert (
        normalize_name("X-Amz-Security-Token")
        == normalize_name("xAmzSecurityToken")
        == "x_amz_security_token"
    )


def test_placeholders_are_safe_in_json_queries_and_headers() -> None:
    assert placeholder_for('we"ird name') == "<REDACTED:we_ird_name>"
    assert unquote_placeholders("/a/%3CREDACTED%3Atoken%3E/b") == "/a/<REDACTED:token>/b"


def test_not_secret_and_secret_names_adjust_the_list() -> None:
    rules = SecretRules.parse(True, ["customer-pin"], ["token", "name_pattern"])
    assert rules.covers("customerPin")
    assert not rules.covers("token")
    assert not rules.covers("session_token")  # the pattern is off
    assert rules.covers("access_token")  # exact names stay


def test_only_text_is_redacted_and_containers_are_searched() -> None:
    found = SecretValues()
    value, changed = RULES.redact_plain(
        {"token": 3, "password": None, "secret": {"password": "in-a-dict-123"}, "flag": True}, found
    )
    assert changed
    assert value == {
        "token": 3,
        "password": None,
        "secret": {"password": "<REDACTED:password>"},
        "flag": True,
    }
    assert found.replace_text("echo in-a-dict-123") == "echo <REDACTED:password>"


def test_removed_values_are_found_in_their_encoded_spellings_and_short_ones_are_not_searched() -> None:
    found = SecretValues()
    found.add("a/b+c=d-long", "<REDACTED:x>")
    found.add("short", "<REDACTED:y>")
    assert found.replace_text("raw a/b+c=d-long, url a%2Fb%2Bc%3Dd-long, form a%2Fb%2Bc%3Dd-long") == (
        "raw <REDACTED:x>, url <REDACTED:x>, form <REDACTED:x>"
    )
    assert found.replace_text("short stays") == "short stays"


def test_authorization_keeps_its_scheme_and_collects_the_basic_password() -> None:
    found = SecretValues()
    headers = (("Authorization", "Basic dXNlcjpodW50ZXIyMg=="),)  # user:hunter22
    assert RULES.redact_headers(headers, found) == (("Authorization", "Basic <REDACTED:authorization>"),)
    assert found.replace_text("password hunter22") == "password <REDACTED:authorization>"


def test_the_scanner_does_not_flag_ids_digests_and_placeholders() -> None:
    body = json.dumps(
        {
            "id": "3f2b8c1e-9a7d-4e6f-8b5c-2d1a0e9f7c6b",
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "token": "<REDACTED:token>",
            "auth": "Bearer <REDACTED:authorization>",
            "image": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
            "60e6kgAAAABJRU5ErkJggg==",
            "next": "https://api.example.com/items?page=2&page_token=abcdef123456",
            "max_tokens": 4096,
        }
    ).encode()
    document = DVDDocument(
        interactions=(
            Interaction(
                Request("GET", "https://api.example.com/items?id=1", (("Cookie", "a=<REDACTED:cookie>"),)),
                Response(200, (("Content-Type", "application/json"),), body),
            ),
        )
    )
    assert scan_document(document) == []


def _spellings(name: str) -> list[str]:
    words = name.split("_")
    camel = words[0] + "".join(word.title() for word in words[1:])
    return [name, name.upper(), "-".join(word.title() for word in words), camel]


@pytest.mark.parametrize(
    "name", sorted(DEFAULT_SECRET_NAMES | {f"my{suffix}" for suffix in SECRET_NAME_SUFFIXES})
)
def test_the_quick_pre_check_never_misses_a_secret_name_in_any_spelling(name: str) -> None:
    # `may_hold_secret` spares parsing bodies and queries that hold no secret name; a miss here would let a
    # secret through, so every name the rules cover must pass it, in each spelling, inside JSON and a query.
    for spelling in _spellings(name):
        assert RULES.covers(spelling)
        assert RULES.may_hold_secret(json.dumps({"data": "0a1b", spelling: "v"}).encode())
        assert RULES.may_hold_secret(f"page=2&{spelling}=v".encode())


def test_the_quick_pre_check_passes_bodies_without_secret_names() -> None:
    assert not RULES.may_hold_secret(json.dumps({"id": 5, "data": "0a1b2c3d" * 100}).encode())
    assert RULES.may_hold_secret(b"see http://user:pw@host/")


_json_names = st.sampled_from(
    [
        "id",
        "name",
        "apiKey",
        "X-Api-Key",
        "access_token",
        "next_page_token",
        'pass"word',
        "api\u005fkey",
        "ünï",
    ]
)
_json_values = st.recursive(
    st.none()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["https://h/?access_token=abcdef123", "http://u:pw@h/", "a\\b", 'say "hi"', "12:30/x"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_json_names, children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=500, deadline=None)
@given(
    document=st.dictionaries(_json_names, _json_values, max_size=4),
    ensure_ascii=st.booleans(),
    indent=st.sampled_from([None, 1]),
)
def test_the_json_pre_check_says_no_only_when_the_rules_would_change_nothing(
    document: dict[str, object], ensure_ascii: bool, indent: int | None
) -> None:
    body = json.dumps(document, ensure_ascii=ensure_ascii, indent=indent).encode()
    if not RULES.may_hold_secret(body, "json"):
        assert RULES.redact_plain(json.loads(body), SecretValues())[1] is False
