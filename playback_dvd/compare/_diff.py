"""Structural diff of two values, path by path (``$.items[3].price: 10 -> 12``), with ignore rules."""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from .._errors import ConfigurationError

#: Key names that often change between runs without meaning anything; pass them as ``ignore_keys``.
VOLATILE_KEYS: tuple[str, ...] = (
    "*_at",
    "timestamp",
    "time",
    "date",
    "created",
    "updated",
    "request_id",
    "trace_id",
    "span_id",
    "uuid",
)

Segment = str | int
Path = tuple[Segment, ...]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATTERN_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\*|\d+|\"(?:[^\"\\]|\\.)*\")\]")
_ANY_INDEX = object()  # the ``[*]`` segment of a path pattern


class DifferenceKind(str, enum.Enum):
    """What happened at a path."""

    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"
    TYPE_CHANGED = "type_changed"


@attrs.frozen
class Difference:
    """One difference: at *path*, *expected* (recorded) became *actual* (replayed).

    Attributes:
        path: The path as text, e.g. ``$.items[3].price`` (``$`` is the whole value).
        kind: changed, added (only in the replay), removed (only in the recording), or type_changed.
        expected: The recorded value (None for added).
        actual: The replayed value (None for removed).
    """

    path: str
    kind: DifferenceKind
    expected: Any = None
    actual: Any = None

    def describe(self, max_value_chars: int = 80) -> str:
        """One readable line, values shortened to *max_value_chars*."""
        if self.kind is DifferenceKind.ADDED:
            return f"{self.path}: added {shorten(self.actual, max_value_chars)}"
        if self.kind is DifferenceKind.REMOVED:
            return f"{self.path}: removed (was {shorten(self.expected, max_value_chars)})"
        if self.kind is DifferenceKind.TYPE_CHANGED:
            return (
                f"{self.path}: type {type(self.expected).__name__} -> {type(self.actual).__name__}"
                f" ({shorten(self.expected, max_value_chars)} -> {shorten(self.actual, max_value_chars)})"
            )
        expected, actual = shorten(self.expected, max_value_chars), shorten(self.actual, max_value_chars)
        return f"{self.path}: {expected} -> {actual}"


@attrs.frozen
class StructuralDiff:
    """The differences found, bounded: at most ``max_differences`` are kept, ``total`` counts them all.

    Attributes:
        differences: The kept differences, in the order found.
        total: How many differences there are in all.
        max_value_chars: How long a value may get in `lines` before it is cut.
    """

    differences: tuple[Difference, ...] = ()
    total: int = 0
    max_value_chars: int = 80

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def truncated(self) -> int:
        """How many differences were found but not kept."""
        return self.total - len(self.differences)

    def lines(self) -> list[str]:
        """One line per kept difference, plus ``... and N more`` when some were left out."""
        lines = [difference.describe(self.max_value_chars) for difference in self.differences]
        if self.truncated:
            lines.append(f"... and {self.truncated} more")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def shorten(value: Any, max_chars: int) -> str:
    """``repr(value)`` cut to about *max_chars*, saying how long it was."""
    text = repr(value)
    if len(text) <= max_chars:
        return text
    return f"{text[:max_chars]}... ({len(text)} chars)"


def format_path(path: Path) -> str:
    """``("items", 3, "price")`` -> ``$.items[3].price``; odd keys are quoted: ``$["a b"]``."""
    parts = ["$"]
    for segment in path:
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif _IDENTIFIER.match(segment):
            parts.append(f".{segment}")
        else:
            escaped = segment.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'["{escaped}"]')
    return "".join(parts)


def parse_path_pattern(pattern: str) -> tuple[object, ...]:
    """Parse ``$.items[*].updated_at`` into segments; ``*`` matches any one key or index, ``[*]`` any index.

    Key segments may hold shell-style wildcards (``$.*_at``); quoted keys (``$["a b"]``) are taken as is.

    Raises:
        ConfigurationError: The pattern does not start with ``$`` or has a malformed segment.
    """
    if not pattern.startswith("$"):
        raise ConfigurationError(
            f"path pattern {pattern!r} must start with '$' (e.g. '$.items[*].updated_at')"
        )
    segments: list[object] = []
    position = 1
    while position < len(pattern):
        match = _PATTERN_TOKEN.match(pattern, position)
        if match is None:
            raise ConfigurationError(f"path pattern {pattern!r}: cannot read {pattern[position:]!r}")
        key, bracket = match.groups()
        if key is not None:
            segments.append(key)
        elif bracket == "*":
            segments.append(_ANY_INDEX)
        elif bracket.startswith('"'):
            segments.append(("literal", bracket[1:-1].replace('\\"', '"').replace("\\\\", "\\")))
        else:
            segments.append(int(bracket))
        position = match.end()
    return tuple(segments)


def _segment_matches(pattern: object, segment: Segment) -> bool:
    if pattern is _ANY_INDEX:
        return isinstance(segment, int)
    if isinstance(pattern, tuple):
        return isinstance(segment, str) and bool(segment == pattern[1])
    if isinstance(pattern, int):
        return isinstance(segment, int) and segment == pattern
    assert isinstance(pattern, str)
    if pattern == "*":
        return True
    return isinstance(segment, str) and fnmatch.fnmatchcase(segment, pattern)


def _path_matches(patterns: Iterable[tuple[object, ...]], path: Path) -> bool:
    return any(
        len(pattern) == len(path) and all(map(_segment_matches, pattern, path)) for pattern in patterns
    )


@attrs.frozen
class DiffOptions:
    """How two values are compared. See `StructuralComparator` for the meaning of each option."""

    ignore_paths: tuple[tuple[object, ...], ...] = ()
    ignore_keys: tuple[str, ...] = ()
    float_abs_tolerance: float = 0.0
    float_rel_tolerance: float = 0.0
    unordered_lists: bool | tuple[tuple[object, ...], ...] = False
    max_differences: int = 50
    max_value_chars: int = 80

    @classmethod
    def build(
        cls,
        *,
        ignore_paths: Sequence[str] = (),
        ignore_keys: Sequence[str] = (),
        float_abs_tolerance: float = 0.0,
        float_rel_tolerance: float = 0.0,
        unordered_lists: bool | Sequence[str] = False,
        max_differences: int = 50,
        max_value_chars: int = 80,
    ) -> DiffOptions:
        """Options from user-facing arguments (path patterns as text; checked here, once)."""
        if isinstance(ignore_paths, str) or isinstance(ignore_keys, str):
            raise ConfigurationError("ignore_paths and ignore_keys take a list of strings, not one string")
        if float_abs_tolerance < 0 or float_rel_tolerance < 0:
            raise ConfigurationError("float tolerances must be >= 0")
        if max_differences < 1 or max_value_chars < 1:
            raise ConfigurationError("max_differences and max_value_chars must be >= 1")
        unordered: bool | tuple[tuple[object, ...], ...]
        if isinstance(unordered_lists, bool):
            unordered = unordered_lists
        else:
            unordered = tuple(parse_path_pattern(pattern) for pattern in unordered_lists)
        return cls(
            ignore_paths=tuple(parse_path_pattern(pattern) for pattern in ignore_paths),
            ignore_keys=tuple(ignore_keys),
            float_abs_tolerance=float_abs_tolerance,
            float_rel_tolerance=float_rel_tolerance,
            unordered_lists=unordered,
            max_differences=max_differences,
            max_value_chars=max_value_chars,
        )


def structural_diff(expected: Any, actual: Any, options: DiffOptions | None = None) -> StructuralDiff:
    """Compare *expected* (recorded) with *actual* (replayed), path by path.

    Mappings are compared key by key, lists and tuples item by item (a tuple equals a list with the same
    items: stored recordings hold lists), sets without order, attrs classes and dataclasses field by field,
    anything else with ``==`` (floats within the tolerances; ``True`` is never equal to ``1``).

    Args:
        expected: The recorded value.
        actual: The replayed value.
        options: Ignore rules, tolerances and bounds (defaults: exact, 50 differences kept).

    Returns:
        The differences, at most ``options.max_differences`` kept, all counted.
    """
    options = options or DiffOptions()
    kept: list[Difference] = []
    total = 0
    for difference in _walk(expected, actual, (), options):
        total += 1
        if len(kept) < options.max_differences:
            kept.append(difference)
    return StructuralDiff(tuple(kept), total, options.max_value_chars)


def _normalize(value: Any) -> Any:
    if attrs.has(type(value)):
        return attrs.asdict(value, recurse=False)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _kind_of(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "sequence"
    if isinstance(value, (set, frozenset)):
        return "set"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    if value is None:
        return "none"
    return type(value).__qualname__


_PLAIN_KINDS: dict[type, str] = {
    dict: "mapping",
    list: "sequence",
    tuple: "sequence",
    str: "str",
    int: "number",
    float: "number",
    bool: "bool",
    type(None): "none",
    bytes: "bytes",
}


def _walk(expected: Any, actual: Any, path: Path, options: DiffOptions) -> Iterator[Difference]:
    if options.ignore_paths and _path_matches(options.ignore_paths, path):
        return
    # Plain JSON-like values (nearly all of them) skip the normalization checks: this is the hot loop.
    expected_kind = _PLAIN_KINDS.get(type(expected))
    if expected_kind is None:
        expected = _normalize(expected)
        expected_kind = _kind_of(expected)
    actual_kind = _PLAIN_KINDS.get(type(actual))
    if actual_kind is None:
        actual = _normalize(actual)
        actual_kind = _kind_of(actual)
    if expected_kind != actual_kind:
        yield Difference(format_path(path), DifferenceKind.TYPE_CHANGED, expected, actual)
    elif expected_kind == "mapping":
        yield from _walk_mappings(expected, actual, path, options)
    elif expected_kind == "sequence":
        if options.unordered_lists is True or (
            options.unordered_lists and _path_matches(options.unordered_lists, path)
        ):
            yield from _walk_unordered(list(expected), list(actual), path, options)
        else:
            yield from _walk_sequences(expected, actual, path, options)
    elif expected_kind == "set":
        yield from _walk_unordered(sorted(expected, key=repr), sorted(actual, key=repr), path, options)
    elif expected_kind == "number" and (isinstance(expected, float) or isinstance(actual, float)):
        if not _close(expected, actual, options):
            yield Difference(format_path(path), DifferenceKind.CHANGED, expected, actual)
    elif expected != actual:
        yield Difference(format_path(path), DifferenceKind.CHANGED, expected, actual)


def _close(expected: float, actual: float, options: DiffOptions) -> bool:
    if math.isnan(expected) and math.isnan(actual):
        return True  # a NaN recorded and replayed is the same outcome
    return math.isclose(
        expected, actual, rel_tol=options.float_rel_tolerance, abs_tol=options.float_abs_tolerance
    )


def _ignored_key(key: Any, options: DiffOptions) -> bool:
    return isinstance(key, str) and any(fnmatch.fnmatchcase(key, pattern) for pattern in options.ignore_keys)


def _one_sided(
    kind: DifferenceKind, path: Path, expected: Any, actual: Any, options: DiffOptions
) -> Iterator[Difference]:
    """The added or removed value at *path*, unless ``ignore_paths`` covers that path (as `_walk` checks)."""
    if not (options.ignore_paths and _path_matches(options.ignore_paths, path)):
        yield Difference(format_path(path), kind, expected, actual)


def _walk_mappings(
    expected: Mapping[Any, Any], actual: Mapping[Any, Any], path: Path, options: DiffOptions
) -> Iterator[Difference]:
    for key, value in expected.items():
        if options.ignore_keys and _ignored_key(key, options):
            continue
        child = (*path, key if isinstance(key, str) else repr(key))
        if key in actual:
            yield from _walk(value, actual[key], child, options)
        else:
            yield from _one_sided(DifferenceKind.REMOVED, child, value, None, options)
    for key, value in actual.items():
        if key in expected or (options.ignore_keys and _ignored_key(key, options)):
            continue
        child = (*path, key if isinstance(key, str) else repr(key))
        yield from _one_sided(DifferenceKind.ADDED, child, None, value, options)


def _walk_sequences(
    expected: Sequence[Any], actual: Sequence[Any], path: Path, options: DiffOptions
) -> Iterator[Difference]:
    for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
        yield from _walk(left, right, (*path, index), options)
    for index in range(len(actual), len(expected)):
        yield from _one_sided(DifferenceKind.REMOVED, (*path, index), expected[index], None, options)
    for index in range(len(expected), len(actual)):
        yield from _one_sided(DifferenceKind.ADDED, (*path, index), None, actual[index], options)


# Past this many item pairs, leftovers of an unordered list are paired in order rather than by best fit, so
# the best-fit search (one diff per pair) stays bounded. Pairing the equal items first is O(n*m) equality
# checks whatever the size: a huge unordered list with many changed items is still slow.
_MAX_PAIRINGS = 10_000


def _walk_unordered(
    expected: list[Any], actual: list[Any], path: Path, options: DiffOptions
) -> Iterator[Difference]:
    # First pair the items that are equal (under the same rules), then pair each leftover recorded item
    # with the leftover replayed item it differs least from, so a changed item reads as one change.
    unmatched_actual = list(range(len(actual)))
    leftover_expected: list[int] = []
    for index, item in enumerate(expected):
        for position, candidate in enumerate(unmatched_actual):
            if _equal(item, actual[candidate], (*path, index), options):
                del unmatched_actual[position]
                break
        else:
            leftover_expected.append(index)
    best_fit = len(leftover_expected) * len(unmatched_actual) <= _MAX_PAIRINGS
    for index in leftover_expected:
        if not unmatched_actual:
            yield from _one_sided(DifferenceKind.REMOVED, (*path, index), expected[index], None, options)
            continue
        position = 0
        if best_fit:
            position = min(
                range(len(unmatched_actual)),
                key=lambda p: _count(expected[index], actual[unmatched_actual[p]], (*path, index), options),
            )
        partner = unmatched_actual.pop(position)
        yield from _walk(expected[index], actual[partner], (*path, index), options)
    for partner in unmatched_actual:
        yield from _one_sided(DifferenceKind.ADDED, (*path, partner), None, actual[partner], options)


def _equal(expected: Any, actual: Any, path: Path, options: DiffOptions) -> bool:
    return next(_walk(expected, actual, path, options), None) is None


def _count(expected: Any, actual: Any, path: Path, options: DiffOptions, cap: int = 1000) -> int:
    count = 0
    for _ in _walk(expected, actual, path, options):
        count += 1
        if count >= cap:
            break
    return count
