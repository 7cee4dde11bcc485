"""The index key of a live request, read from its parsed URL (httpx or httpx2), equals its split string."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playback_dvd.dvd._matching import split_url
from playback_dvd.http._convert import url_parts

URLS = [
    "http://example.com/a?x=1",
    "HTTP://Example.COM:80/A/b?Y=2#frag",
    "https://h.com",
    "https://h.com:443",
    "https://h.com:8443/p",
    "http://h.com:00080/p",
    "http://u:p@h.com:81/x;y?q",
    "http://[::1]:8080/p?b=2&a=1",
    "http://xn--mnchen-3ya.de/%C3%A4?q=%C3%BC",
    "http://münchen.de/ä?ü=1",
    "http://h.com/p?a=1?b=2#x#y",
    "http://h.com?q",
    "http://h.com/a b?c d",
    "http://127.0.0.1:5000/items/1?q=v1&page=1",
    "ws://h.com/socket",
]


@pytest.mark.parametrize("url", URLS)
def test_parts_from_the_parsed_url_equal_the_split_of_its_string(hx: ModuleType, url: str) -> None:
    parsed = hx.URL(url)
    parts = url_parts(parsed)
    assert parts is None or parts == split_url(str(parsed))


def test_a_plain_url_is_read_from_the_parsed_url_without_splitting(hx: ModuleType) -> None:
    assert url_parts(hx.URL("HTTP://API.test/items/1?q=v1")) == (
        "http",
        "api.test",
        80,
        "/items/1",
        "q=v1",
    )


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


# hx is the same module for every example: a function-scoped fixture is safe here.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["http", "https", "ws"]),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.-]{0,20}", fullmatch=True),
    st.one_of(st.none(), st.integers(min_value=0, max_value=65535)),
    st.lists(_text, max_size=3),
    st.dictionaries(_text, _text, max_size=3),
)
def test_parts_equal_the_split_on_generated_urls(hx: ModuleType, scheme, host, port, segments, query) -> None:  # type: ignore[no-untyped-def]
    try:
        parsed = hx.URL(scheme=scheme, host=host, port=port, path="/" + "/".join(segments), params=query)
    except (hx.InvalidURL, ValueError, UnicodeError):
        return
    parts = url_parts(parsed)
    assert parts is None or parts == split_url(str(parsed))
