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
from . import _validation as validation
from ._limits import DEFAULT_LIMITS, LoadLimits

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


def loads_vcrpy_json(data: Any, source: str, limits: LoadLimits = DEFAULT_LIMITS) -> VcrpyDocument:
    """Convert a parsed vcrpy JSON cassette.

    Raises:
        DVDFormatError: Not a version-1 vcrpy cassette, or a field of the wrong type (named).
    """
    return _document(data, source, limits)


def loads_vcrpy_yaml(payload: bytes, source: str, limits: LoadLimits = DEFAULT_LIMITS) -> VcrpyDocument:
    """Parse and convert a vcrpy YAML cassette without running anything it names.

    Raises:
        DVDFormatError: Invalid YAML, a python tag other than the legacy ones vcrpy maps, aliases that
            expand past ``limits.max_yaml_alias_nodes``, nesting past ``limits.max_depth``, not a
            version-1 cassette, or PyYAML is not installed (``pip install playback-dvd[vcrpy]``).
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
        loader = _loader_class()(payload)  # a SafeLoader subclass: see _build_loader
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_expansion(node, limits)
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except _TooLarge as refused:
        raise DVDFormatError(source, str(refused)) from None
    except RecursionError:
        raise DVDFormatError(source, "the YAML is nested too deeply to be a vcrpy cassette") from None
    except _ForbiddenTag as refused:
        raise DVDFormatError(
            source,
            f"the YAML uses the tag !!{refused.tag[len('tag:yaml.org,2002:') :]}, which could run code; "
            "only the legacy tags vcrpy itself reads (python/str, python/unicode, python/tuple, "
            "python/object/new:_io.BytesIO, python/object/apply:builtins.iter) are accepted. Nothing was "
            "executed",
        ) from None
    except (yaml.YAMLError, ValueError, TypeError) as error:  # constructors of bad scalars raise these too
        raise DVDFormatError(source, f"neither a DVD nor a readable vcrpy YAML cassette ({error})") from None
    return _document(data, source, limits)


class _TooLarge(Exception):
    """The YAML's aliases expand past the limit, or it nests past it."""


def _check_expansion(root: Any, limits: LoadLimits) -> None:
    """Refuse a node graph whose aliases add more than ``limits.max_yaml_alias_nodes`` nodes once expanded.

    An alias is the same node met twice; the constructor builds it once, but everything that walks the data
    afterwards (conversion, metadata, JSON) visits it every time. Sizes are memoized per node, so this
    costs O(nodes), whatever the expansion.
    """
    import yaml

    sizes: dict[int, int] = {}
    distinct = 0
    # Iterative post-order walk: the graph is a DAG of at most the file's size; recursion is avoided so
    # that the depth check, not the interpreter, decides.
    stack: list[tuple[Any, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, expanded = stack.pop()
        if id(node) in sizes:
            continue
        if depth > limits.max_depth + 16:  # vcrpy's own structure adds a few levels above the values
            raise _TooLarge(f"the YAML nests more than {limits.max_depth} levels deep (LoadLimits.max_depth)")
        children = _children(node, yaml)
        if not expanded:
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in children if id(child) not in sizes)
            continue
        distinct += 1
        sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
    added = sizes[id(root)] - distinct
    if added > limits.max_yaml_alias_nodes:
        raise _TooLarge(
            f"the YAML's aliases expand it by {added} nodes, more than the {limits.max_yaml_alias_nodes} "
            "allowed (LoadLimits.max_yaml_alias_nodes); vcrpy never writes such aliases"
        )


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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
        return _as_bytes(content, "body")

    def construct_iter(loader: Any, node: Any) -> bytes:
        # iter(chunks): vcrpy wrote a body given as an iterator as the list of its chunks.
        if isinstance(node, yaml.MappingNode):
            args = loader.construct_mapping(node, deep=True).get("args", [])
        else:
            args = loader.construct_sequence(node, deep=True)
        chunks = args[0] if args else []
        return b"".join(_as_bytes(chunk, "body") for chunk in chunks)

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


def _as_bytes(value: Any, path: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        validation.fail(path, "a body (text or bytes)", value)
    return validation.text(value, path).encode("utf-8")


def _headers(data: Any, path: str) -> Headers:
    if not data:
        return ()
    pairs = []
    for name, values in validation.mapping(data, path).items():
        where = validation.join(path, name)
        # vcrpy writes a list; hand-edited files may hold a bare string.
        items = values if isinstance(values, list) else [values]
        for index, value in enumerate(items):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)  # a hand-edited "content-length: 12" reads as a number
            pairs.append(
                (validation.latin1_text(name, where), validation.latin1_text(value, f"{where}[{index}]"))
            )
    return tuple(pairs)


def _request(data: Any, path: str) -> Request:
    data = validation.mapping(data, path)
    method = validation.required(data, "method", path)
    return Request(
        method=validation.method(method.upper() if isinstance(method, str) else method, f"{path}.method"),
        url=validation.url(validation.required(data, "uri", path), f"{path}.uri"),
        headers=_headers(data.get("headers"), f"{path}.headers"),
        body=_as_bytes(data.get("body"), f"{path}.body"),
    )


def _response(data: Any, path: str) -> Response:
    data = validation.mapping(data, path)
    if "status_code" in data:
        # vcrpy 4-5 httpx format: "content" is already decoded text, so the content-encoding header that
        # came with it no longer describes the body.
        body = _as_bytes(data.get("content"), f"{path}.content")
        headers = fix_content_length(
            tuple(
                pair
                for pair in _headers(data.get("headers"), f"{path}.headers")
                if pair[0].lower() != "content-encoding"
            ),
            len(body),
        )
        return Response(
            status_code=validation.status_code(data["status_code"], f"{path}.status_code"),
            headers=headers,
            body=body,
            http_version=validation.http_version(
                data.get("http_version") or "HTTP/1.1", f"{path}.http_version"
            ),
        )
    status = validation.mapping(validation.required(data, "status", path), f"{path}.status")
    body_data = data.get("body") or {}
    body_path = f"{path}.body"
    if isinstance(body_data, Mapping):
        body_data, body_path = body_data.get("string"), f"{path}.body.string"
    return Response(
        status_code=validation.status_code(
            validation.required(status, "code", f"{path}.status"), f"{path}.status.code"
        ),
        headers=_headers(data.get("headers"), f"{path}.headers"),
        body=_as_bytes(body_data, body_path),
        reason_phrase=validation.latin1_text(status.get("message") or "", f"{path}.status.message"),
    )


def _plain(value: Any, depth: int) -> Any:
    # Metadata must survive our JSON format: YAML dates become ISO strings, bytes text or base64. The depth
    # is bounded here, before the metadata checks: a YAML alias can make a list that contains itself.
    if depth < 0:
        raise validation.InvalidField("metadata", "nested too deeply (or it contains itself)")
    if isinstance(value, Mapping):
        return {
            key if isinstance(key, str) else str(key): _plain(item, depth - 1) for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth - 1) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return value


def _document(data: Any, source: str, limits: LoadLimits) -> VcrpyDocument:
    if isinstance(data, list):
        raise DVDFormatError(source, _MIGRATION_HINT)
    if not isinstance(data, dict) or "interactions" not in data:
        raise DVDFormatError(
            source, "not a DVD: neither the binary magic bytes, a JSON document nor a vcrpy cassette"
        )
    # A cassette without a version line is read as version 1, as vcrpy reads it (hand-written ones).
    if data.get("version", 1) != 1:
        raise DVDFormatError(
            source,
            f"vcrpy cassette version {validation.describe(data.get('version'))} is not supported "
            "(only version 1)",
        )
    with validation.field_errors_name(source):
        interactions = []
        for index, item in enumerate(validation.sequence(data["interactions"] or (), "interactions")):
            path = f"interactions[{index}]"
            item = validation.mapping(item, path)
            interactions.append(
                Interaction(
                    request=_request(validation.required(item, "request", path), f"{path}.request"),
                    response=_response(validation.required(item, "response", path), f"{path}.response"),
                )
            )
        raw_metadata = data.get("metadata") or {}
        validation.mapping(raw_metadata, "metadata")
        metadata = validation.metadata(_plain(raw_metadata, limits.max_depth), "metadata", limits)
    return VcrpyDocument(interactions=tuple(interactions), metadata=metadata)
