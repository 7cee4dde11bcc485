"""What a message's headers say about its body: one header's value, and which kind of data the body is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from ._models import Headers

BodyKind = Literal["json", "form", "multipart"]


def decoded_headers(raw: Iterable[tuple[bytes, bytes]]) -> Headers:
    """Raw header pairs (as httpx and httpx2 hold them) as text, latin-1 as on the wire, order kept."""
    # A list comprehension, not a generator: this runs for every request (and is ~2x faster).
    return tuple([(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw])


def header_value(headers: Headers, name: str) -> str:
    """The value of the first header called *name* (given in lower case), or "" when there is none."""
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def body_kind(content_type: str, body: bytes) -> BodyKind | None:
    """Which structured data *body* holds, by its content type (JSON also when untyped and it looks so)."""
    lowered = content_type.lower()
    if lowered.startswith("application/x-www-form-urlencoded"):
        return "form"
    if lowered.startswith("multipart/form-data"):
        return "multipart"
    if "json" in lowered or (not lowered and body[:1] in (b"{", b"[")):
        return "json"
    return None


def fix_content_length(headers: Headers, length: int) -> Headers:
    """*headers* with any content-length set to *length* (a changed body must not contradict it)."""
    return tuple(
        (name, str(length)) if name.lower() == "content-length" else (name, value) for name, value in headers
    )
