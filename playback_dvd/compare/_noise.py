"""Noise: what differs between two replays of one recording on the same code is not a regression.

Twitter's Diffy compares a candidate with two instances of the old code and drops what differs between
those two; Keploy flags noisy fields by replaying twice. Here each recording is replayed twice on today's
code: the paths whose values differ between the two replays (a timestamp, a generated id, a random pick)
are that recording's noise, excluded from its verdict, and listed per category in the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._diff import shorten, structural_diff

if TYPE_CHECKING:
    from ._comparators import StructuralComparator
    from ._status import Comparison

# Noise between two replays is searched without the comparator's cap on kept differences: a noisy path
# left out would not be excluded, and would show as a Different.
_MAX_NOISY_PATHS = 10_000
# Example value pairs kept per noisy path of a category (all in JSON; the text report shows fewer).
_EXAMPLES_PER_PATH = 3
_TEXT_EXAMPLES = 2
_INDEX = re.compile(r"\[\d+\]")


@attrs.frozen
class NoisyValue:
    """A path whose value differed between two replays of one recording on the same code.

    Attributes:
        path: The path, e.g. ``$.operation.created_at``.
        first: Its value in the first replay (None when absent).
        second: Its value in the second replay (None when absent).
    """

    path: str
    first: Any = None
    second: Any = None


@attrs.frozen
class NoisyPath:
    """A path that was noise in some recordings of a category.

    Attributes:
        pattern: The path with list indices generalised (``$.items[*].id``): ready for ``ignore_paths``.
        recordings: How many recordings it was noisy in.
        examples: Up to three ``(first replay, second replay)`` value pairs, shortened to text.
    """

    pattern: str
    recordings: int
    examples: tuple[tuple[str, str], ...]


def find_noise(first: Any, second: Any, comparator: StructuralComparator) -> tuple[NoisyValue, ...]:
    """The paths where two replays' extracted results differ, under *comparator*'s rules."""
    options = attrs.evolve(comparator.options, max_differences=_MAX_NOISY_PATHS)
    diff = structural_diff(first, second, options)
    return tuple(NoisyValue(d.path, d.expected, d.actual) for d in diff.differences)


def noise_pattern(path: str) -> str:
    """``$.items[3].id`` -> ``$.items[*].id``: the same field in every item of a list."""
    return _INDEX.sub("[*]", path)


def noise_by_category(comparisons: Iterable[Comparison]) -> dict[str, list[NoisyPath]]:
    """``{category: [NoisyPath...]}``, categories and patterns sorted; categories without noise left out."""
    found: dict[str, dict[str, tuple[set[str], list[tuple[str, str]]]]] = {}
    for comparison in comparisons:
        for value in comparison.noise:
            pattern = noise_pattern(value.path)
            recordings, examples = found.setdefault(comparison.category, {}).setdefault(pattern, (set(), []))
            recordings.add(comparison.recording_id)
            if len(examples) < _EXAMPLES_PER_PATH:
                examples.append((shorten(value.first, 40), shorten(value.second, 40)))
    return {
        category: [
            NoisyPath(pattern, len(recordings), tuple(examples))
            for pattern, (recordings, examples) in sorted(paths.items())
        ]
        for category, paths in sorted(found.items())
    }


def noise_lines(comparisons: Sequence[Comparison]) -> list[str]:
    """The report's "noisy paths" section (empty when no noise was found)."""
    table = noise_by_category(comparisons)
    if not table:
        return []
    lines = ["noisy paths (they differed between two replays of the same recording; not in the verdict):"]
    for category, paths in table.items():
        lines.append(f"  {category}:")
        for path in paths:
            examples = "; ".join(f"{first} / {second}" for first, second in path.examples[:_TEXT_EXAMPLES])
            lines.append(f"    {path.pattern} in {path.recordings} recording(s), e.g. {examples}")
    return lines


def noise_data(comparisons: Sequence[Comparison]) -> dict[str, list[dict[str, Any]]]:
    """The noisy paths per category, for the JSON report."""
    return {
        category: [
            {
                "path": path.pattern,
                "recordings": path.recordings,
                "examples": [list(e) for e in path.examples],
            }
            for path in paths
        ]
        for category, paths in noise_by_category(comparisons).items()
    }


def suggested_ignores(comparisons: Sequence[Comparison]) -> str:
    """The noisy paths as a ``[tool.playback-dvd.compare]`` block to paste into pyproject.toml."""
    table = noise_by_category(comparisons)
    if not table:
        return "# no noisy paths found: nothing to ignore\n"
    out = ["# Paths that differed between two replays of the same recording (playback-dvd --detect-noise)."]
    for category, paths in table.items():
        out.extend(["", f"[tool.playback-dvd.compare.categories.{_toml_key(category)}]", "ignore_paths = ["])
        out.extend(f"    {_toml_string(path.pattern)},  # {path.recordings} recording(s)" for path in paths)
        out.append("]")
    return "\n".join(out) + "\n"


def _toml_string(text: str) -> str:
    if "'" not in text and text.isprintable():
        return f"'{text}'"  # a literal string: $["a b"] stays readable
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)
