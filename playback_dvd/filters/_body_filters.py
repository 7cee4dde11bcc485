"""Body filters: named fields out of bodies (form, JSON, multipart); compressed responses decoded."""

from __future__ import annotations

import json
import re
import zlib
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode

import attrs

from .._bodies import body_kind, fix_content_length, header_value
from .._models import Headers, Request, Response
from ._redaction import NamedFieldRules
from ._secret_rules import QUERY_SAFE
from ._secret_values import SecretValues

# -- named fields of bodies (filter_post_data_parameters and the secure defaults) -------------------------


def _filter_form(body: bytes, rules: NamedFieldRules, found: SecretValues | None) -> bytes:
    pairs = parse_qsl(body.decode("utf-8", "surrogateescape"), keep_blank_values=True)
    kept = rules.filter_pairs(pairs, found)
    if kept is None:
        return body
    return urlencode(kept, safe=QUERY_SAFE).encode("utf-8", "surrogateescape")


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PART_NAME = re.compile(rb'content-disposition:[^\r\n]*?\bname="([^"]*)"', re.IGNORECASE)


def _filter_multipart(
    body: bytes, content_type: str, rules: NamedFieldRules, found: SecretValues | None
) -> bytes:
    # Rebuilt on the original boundary, part by part, so every part the rules do not cover stays byte for
    # byte as it was (files included).
    boundary = _BOUNDARY.search(content_type)
    if boundary is None:
        return body
    delimiter = b"--" + boundary.group(1).encode("latin-1")
    pieces = body.split(delimiter)
    changed = False
    out = [pieces[0]]
    for piece in pieces[1:]:
        head, separator, content = piece.partition(b"\r\n\r\n")
        name_match = _PART_NAME.search(head)
        if not separator or name_match is None:
            out.append(piece)
            continue
        name = name_match.group(1).decode("utf-8", "replace")
        if not rules.lookup(name)[0]:
            out.append(piece)
            continue
        trailer = b"\r\n" if content.endswith(b"\r\n") else b""
        value = content[: len(content) - len(trailer)].decode("utf-8", "replace")
        keep, new_value = rules.apply(name, value, found)
        if keep and new_value == value:
            out.append(piece)
            continue
        changed = True
        if keep:
            out.append(head + separator + str(new_value).encode("utf-8") + trailer)
    return delimiter.join(out) if changed else body


def filter_body(
    body: bytes, headers: Headers, rules: NamedFieldRules, found: SecretValues | None = None
) -> bytes:
    """*body* with the fields *rules* cover removed or replaced; the same object when none matched.

    Understands ``application/x-www-form-urlencoded``, JSON (nested objects and lists) and
    ``multipart/form-data``; other bodies (binary uploads, compressed ones) are left alone.
    """
    if not rules or not body:
        return body
    content_type = header_value(headers, "content-type")
    kind = body_kind(content_type, body)
    if kind is None or not rules.may_hold_secret(body, kind):  # other bodies are left alone anyway
        return body
    if kind == "form":
        return _filter_form(body, rules, found)
    if kind == "multipart":
        return _filter_multipart(body, content_type, rules, found)
    if kind == "json" and not header_value(headers, "content-encoding"):
        try:
            data = json.loads(body)
        except ValueError:
            return body
        data, changed = rules.redact_plain(data, found)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() if changed else body
    return body


Message = TypeVar("Message", Request, Response)


def filter_message_body(
    message: Message, rules: NamedFieldRules, found: SecretValues | None = None
) -> Message:
    """A request or response with the named fields of its body removed or replaced (see `filter_body`).

    The same object when no field matched; otherwise ``content-length`` follows the new body.
    """
    new_body = filter_body(message.body, message.headers, rules, found)
    if new_body is message.body:
        return message
    return attrs.evolve(message, body=new_body, headers=fix_content_length(message.headers, len(new_body)))


# -- decode_compressed_response --------------------------------------------------------------------------


def _decode_one(coding: str, body: bytes) -> bytes | None:
    if coding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        return decoder.decompress(body) + decoder.flush()
    if coding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:  # servers disagree on zlib-wrapped vs raw deflate; httpx accepts both
            return zlib.decompress(body, -zlib.MAX_WBITS)
    if coding == "br":
        try:
            import brotli
        except ImportError:
            return None
        return bytes(brotli.decompress(body))
    if coding == "zstd":
        import zstandard

        return bytes(zstandard.ZstdDecompressor().decompressobj().decompress(body))
    if coding == "identity":
        return body
    return None


def decode_response_body(response: Response) -> Response:
    """*response* stored decoded: body decompressed, content-encoding removed, content-length fixed.

    Handles gzip, deflate (zlib or raw), br (when brotli is installed) and zstd, stacked codings included.

    A body that cannot be decoded (unknown coding, ``br`` without brotli installed, a truncated or corrupt
    body) is kept as it came, headers included, so the replay still decodes it the way the live call did.
    """
    encoding = header_value(response.headers, "content-encoding")
    if not encoding or not response.body:
        return response
    body = response.body
    try:
        # Codings are listed in the order they were applied: undo them from the last.
        for coding in reversed([part.strip().lower() for part in encoding.split(",") if part.strip()]):
            decoded = _decode_one(coding, body)
            if decoded is None:
                return response
            body = decoded
    except Exception:  # zlib.error, brotli.error, zstandard.ZstdError: all mean "keep the wire bytes"
        return response
    headers = tuple((name, value) for name, value in response.headers if name.lower() != "content-encoding")
    return attrs.evolve(response, body=body, headers=fix_content_length(headers, len(body)))
