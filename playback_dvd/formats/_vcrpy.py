"""Reading vcrpy cassettes (version 1, YAML or JSON) as DVD documents, with a loader that never runs code.

The YAML loader is PyYAML's safe loader (libyaml's when available) plus exactly the legacy python tags
vcrpy's own safe loader maps: ``!!python/str``, ``!!python/unicode``, ``!!python/tuple``,
``!!python/object/new:_io.BytesIO`` (its state) and ``!!python/object/apply:builtins.iter`` (its chunks).
Every other ``!!python/...`` tag is refused by name before anything is built.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Mapping
from typing import Any

import attrs

from .._bodies import fix_content_length
from .._errors import DVDFormatError
from .._models import DVDDocument, Headers, Interaction, Request, Response

_PYTHON_TAG = "tag:yaml.org,2002:python/"
_MIGRATION_HINT = (
    "it is a pre-1.0 vcrpy cassette (a top-level list); convert it with vcrpy's migration first: "
    "python -m vcr.migration PATH"
)


@attrs.frozen
class VcrpyDocument(DVDDocument):
    """A `DVDDocument` read from a vcrpy cassette: `use_dvd` never writes back over such a file."""


class _ForbiddenTag(Exception):
    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


def looks_like_vcrpy_json(data: Any) -> bool:
    """Whether parsed JSON *data* is shaped like a vcrpy cassette (rather than a foreign document)."""
    return isinstance(data, list) or (
        isinstance(data, dict) and "interactions" in data and "format" not in data
    )


def loads_vcrpy_json(data: Any, source: str) -> VcrpyDocument:
    """Convert a parsed vcrpy JSON cassette.

    Raises:
        DVDFormatError: Not a version-1 vcrpy cassette.
    """
    return _document(data, source)


def loads_vcrpy_yaml(payload: bytes, source: str) -> VcrpyDocument:
    """Parse and convert a vcrpy YAML cassette without running anything it names.

    Raises:
        DVDFormatError: Invalid YAML, a python tag other than the legacy ones vcrpy maps, not a version-1
            cassette, or PyYAML is not installed (``pip install playback-dvd[vcrpy]``).
    """
    try:
        import yaml
    except ImportError:
        if b"interactions" not in payload:
            raise DVDFormatError(
                source, "not a DVD: neither the binary magic bytes, a JSON document nor a vcrpy cassette"
            ) from None
        raise DVDFormatError(
            source,
            "it is not a DVD and looks like a vcrpy YAML cassette; reading those needs PyYAML: "
            "pip install 'playback-dvd[vcrpy]'",
        ) from None
    try:
        data = yaml.load(payload, Loader=_loader_class())  # a SafeLoader subclass: see _build_loader
    except _ForbiddenTag as refused:
        raise DVDFormatError(
            source,
            f"the YAML uses the tag !!{refused.tag[len('tag:yaml.org,2002:') :]}, which could run code; "
            "only the legacy tags vcrpy itself reads (python/str, python/unicode, python/tuple, "
            "python/object/new:_io.BytesIO, python/object/apply:builtins.iter) are accepted. Nothing was "
            "executed",
        ) from None
    except yaml.YAMLError as error:
        raise DVDFormatError(source, f"neither a DVD nor a readable vcrpy YAML cassette ({error})") from None
    return _document(data, source)


# -- the safe loader -------------------------------------------------------------------------------------

_LOADER: type[Any] | None = None


def _loader_class() -> type[Any]:
    global _LOADER  # built once, on first use, so PyYAML is imported only by those who read YAML
    if _LOADER is None:
        _LOADER = _build_loader()
    return _LOADER


def _build_loader() -> type[Any]:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CassetteLoader(base):  # type: ignore[misc, valid-type]  # base is chosen at run time
        """The safe loader plus vcrpy's legacy tags, mapped to plain data."""

    def construct_text(loader: Any, node: Any) -> str:
        return str(loader.construct_scalar(node))

    def construct_tuple(loader: Any, node: Any) -> list[Any]:
        return list(loader.construct_sequence(node, deep=True))

    def construct_bytes_io(loader: Any, node: Any) -> bytes:
        # BytesIO's pickled state is (content, position, dict): the content is all a body needs.
        state = (
            loader.construct_mapping(node, deep=True).get("state")
            if isinstance(node, yaml.MappingNode)
            else None
        )
        content = state[0] if isinstance(state, list) and state else b""
        return _as_bytes(content)

    def construct_iter(loader: Any, node: Any) -> bytes:
        # iter(chunks): vcrpy wrote a body given as an iterator as the list of its chunks.
        if isinstance(node, yaml.MappingNode):
            args = loader.construct_mapping(node, deep=True).get("args", [])
        else:
            args = loader.construct_sequence(node, deep=True)
        chunks = args[0] if args else []
        return b"".join(_as_bytes(chunk) for chunk in chunks)

    def refuse(loader: Any, suffix: str, node: Any) -> Any:
        raise _ForbiddenTag(_PYTHON_TAG + suffix)

    CassetteLoader.add_constructor(_PYTHON_TAG + "str", construct_text)
    CassetteLoader.add_constructor(_PYTHON_TAG + "unicode", construct_text)
    CassetteLoader.add_constructor(_PYTHON_TAG + "tuple", construct_tuple)
    CassetteLoader.add_constructor(_PYTHON_TAG + "object/new:_io.BytesIO", construct_bytes_io)
    CassetteLoader.add_constructor(_PYTHON_TAG + "object/apply:builtins.iter", construct_iter)
    # Exact tags above win over this prefix rule (PyYAML looks up exact constructors first).
    CassetteLoader.add_multi_constructor(_PYTHON_TAG, refuse)
    return CassetteLoader


# -- cassette data -> DVDDocument ------------------------------------------------------------------------


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(value).encode("utf-8")


def _headers(data: Any) -> Headers:
    if not data:
        return ()
    pairs = []
    for name, values in data.items():
        # vcrpy writes a list; hand-edited files may hold a bare string.
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return tuple(pairs)


def _request(data: Mapping[str, Any]) -> Request:
    return Request(
        method=str(data["method"]).upper(),
        url=str(data["uri"]),
        headers=_headers(data.get("headers")),
        body=_as_bytes(data.get("body")),
    )


def _response(data: Mapping[str, Any]) -> Response:
    if "status_code" in data:
        # vcrpy 4-5 httpx format: "content" is already decoded text, so the content-encoding header that
        # came with it no longer describes the body.
        body = _as_bytes(data.get("content"))
        headers = fix_content_length(
            tuple(pair for pair in _headers(data.get("headers")) if pair[0].lower() != "content-encoding"),
            len(body),
        )
        return Response(
            status_code=int(data["status_code"]),
            headers=headers,
            body=body,
            http_version=str(data.get("http_version") or "HTTP/1.1"),
        )
    status = data["status"]
    body_data = data.get("body") or {}
    return Response(
        status_code=int(status["code"]),
        headers=_headers(data.get("headers")),
        body=_as_bytes(body_data.get("string") if isinstance(body_data, Mapping) else body_data),
        reason_phrase=str(status.get("message") or ""),
    )


def _plain(value: Any) -> Any:
    # Metadata must survive our JSON format: YAML dates become ISO strings, bytes text or base64.
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return value


def _document(data: Any, source: str) -> VcrpyDocument:
    if isinstance(data, list):
        raise DVDFormatError(source, _MIGRATION_HINT)
    if not isinstance(data, dict) or "interactions" not in data:
        raise DVDFormatError(
            source, "not a DVD: neither the binary magic bytes, a JSON document nor a vcrpy cassette"
        )
    # A cassette without a version line is read as version 1, as vcrpy reads it (hand-written ones).
    if data.get("version", 1) != 1:
        raise DVDFormatError(
            source, f"vcrpy cassette version {data.get('version')!r} is not supported (only version 1)"
        )
    try:
        interactions = tuple(
            Interaction(request=_request(item["request"]), response=_response(item["response"]))
            for item in data["interactions"] or ()
        )
        metadata = _plain(data.get("metadata") or {})
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DVDFormatError(
            source, f"the vcrpy cassette does not follow vcrpy's format ({error!r})"
        ) from None
    return VcrpyDocument(interactions=interactions, metadata=metadata)
