"""The fast paths taken for speed behave exactly like the plain code they replace."""

from __future__ import annotations

import re
from types import ModuleType
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import playback_dvd as pd
from playback_dvd import DEFAULT_MATCH_ON, DVD, Interaction, Request, Response
from playback_dvd.dvd._matching import MatchPlan, RequestView, _query_pairs, resolve_matchers, split_url

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def reference_split(url: str) -> tuple[str, str, int | None, str, str]:
    """What the matchers computed before the fast path: urllib's split, normalized."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return (
        scheme,
        (parts.hostname or "").lower(),
        port if port is not None else _DEFAULT_PORTS.get(scheme),
        parts.path or "/",
        parts.query,
    )


def reference_query(raw: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(parse_qsl(raw, keep_blank_values=True))) if raw else ()


TRICKY_URLS = [
    "http://example.com/a?x=1",
    "HTTP://Example.COM:80/A/b?Y=2#frag",
    "https://h.com",
    "https://h.com:443",
    "https://h.com:",
    "http://h.com:80x/abc",
    "http://h.com:80:90/",
    "http://h.com:65536/",
    "http://h.com:99999999/",
    "http://h.com:00080/p",
    "http://u:p@h.com:81/x;y?q",
    "http://[::1]:8080/p?b=2&a=1",
    "http://[fe80::1%25eth0]/",
    "http://xn--mnchen-3ya.de/%C3%A4?q=%C3%BC",
    "http://münchen.de/ä",
    "http:///path-only",
    "http://h.com/p?a=1?b=2#x#y",
    "http://h.com?q",
    "http://h.com#only",
    " http://h.com/leading-space",
    "http://h.com/tab\there",
    "ws://h.com/socket",
    "custom+scheme.v1://H/x",
    "mailto:someone@example.com",
    "/relative/path?x=1",
    "",
]


@pytest.mark.parametrize("url", TRICKY_URLS)
def test_split_url_equals_urllib_split_on_tricky_urls(url: str) -> None:
    assert split_url(url) == reference_split(url)


@settings(max_examples=500)
@given(
    st.text(alphabet=st.sampled_from(list("aZ09:/?#@[]%+.-_=&; \t\x7fé")), max_size=40),
)
def test_split_url_equals_urllib_split_on_random_text(tail: str) -> None:
    for url in (tail, "http://" + tail, "HTTPS://Host.Example" + tail):
        try:
            expected = reference_split(url)
        except ValueError as refused:  # urllib refuses some bracketed hosts; the fast path must too
            with pytest.raises(ValueError, match=re.escape(str(refused))):
                split_url(url)
            continue
        assert split_url(url) == expected


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(list("ab=&%2+ 0Fé;")), max_size=30))
def test_query_pairs_equal_parse_qsl_with_blank_values(raw: str) -> None:
    assert _query_pairs(raw) == reference_query(raw)


def test_index_key_of_built_in_matchers_is_the_tuple_of_their_keys() -> None:
    matchers = resolve_matchers([*DEFAULT_MATCH_ON, "uri", "url", "headers", "raw_body", "body"])
    plan = MatchPlan.of(matchers)
    view = RequestView(
        Request("POST", "https://H.com/p?b=2&a=1", (("Content-Type", "application/json"),), b'{"x": 1}')
    )
    assert plan.key(view) == tuple(matcher.key(view) for matcher in matchers)  # type: ignore[misc]


def test_index_key_of_a_single_matcher_is_still_a_tuple() -> None:
    plan = MatchPlan.of(resolve_matchers(["path"]))
    assert plan.key(RequestView(Request("GET", "http://h/p"))) == ("/p",)


def _interaction(url: str, body: bytes = b"ok") -> Interaction:
    return Interaction(Request("GET", url), Response(200, (("Content-Type", "text/plain"),), body))


def test_single_entry_bucket_plays_once_then_reports_already_played() -> None:
    dvd = DVD([_interaction("http://h/a")], record_mode="none", existed=True)
    assert dvd.play(Request("GET", "http://h/a")) is not None
    assert dvd.play(Request("GET", "http://h/a")) is None
    assert dvd.unmatched_error(Request("GET", "http://h/a")).reason == "already_played"


def test_single_entry_bucket_repeats_when_repeats_are_allowed() -> None:
    dvd = DVD([_interaction("http://h/a")], record_mode="none", existed=True, allow_playback_repeats=True)
    assert [dvd.play(Request("GET", "http://h/a")) is not None for _ in range(3)] == [True, True, True]
    assert dvd.play_count == 3


def test_identical_requests_are_answered_in_recording_order() -> None:
    dvd = DVD(
        [_interaction("http://h/a", b"first"), _interaction("http://h/a", b"second")],
        record_mode="none",
        existed=True,
    )
    answers = [dvd.play(Request("GET", "http://h/a")) for _ in range(3)]
    assert [a.response.body if a and a.response else None for a in answers] == [b"first", b"second", None]


def test_replay_through_a_client_matches_query_in_any_order(hx: ModuleType, tmp_path) -> None:
    path = tmp_path / "q.dvd"
    dvd = DVD(
        [_interaction("http://h.test/p?b=2&a=1&flag"), _interaction("http://h.test/p?x=%20y")],
        record_mode="all",
    )
    from playback_dvd.formats._files import write_document

    write_document(path, dvd.to_document())
    with pd.use_dvd(path, record_mode="none"), hx.Client() as client:
        assert client.get("http://H.TEST:80/p?flag&a=1&b=2").text == "ok"
        assert client.get("http://h.test/p?x=+y").text == "ok"
