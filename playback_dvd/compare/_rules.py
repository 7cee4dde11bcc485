"""Ignore rules as configuration: ``[tool.playback-dvd.compare]`` in pyproject.toml, per category.

```toml
[tool.playback-dvd.compare]                      # every category
ignore_keys = ["*_at", "request_id"]
float_abs_tolerance = 0.001

[tool.playback-dvd.compare.categories.Checkout]   # added to the rules above for Checkout
ignore_paths = ["$.operation.invoice_id"]
unordered_lists = ["$.operation.items"]
```
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._errors import ConfigurationError
from ._comparators import StructuralComparator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_LIST_RULES = ("ignore_paths", "ignore_keys")
_FLOAT_RULES = ("float_abs_tolerance", "float_rel_tolerance")
_RULE_NAMES = (*_LIST_RULES, *_FLOAT_RULES, "unordered_lists")
_TOP_LEVEL_NAMES = (*_RULE_NAMES, "detect_noise", "categories")


@attrs.frozen
class CompareRules:
    """How recordings are compared, for every category and per category.

    Lists (``ignore_paths``, ``ignore_keys``, ``unordered_lists`` as patterns) given for a category add
    to the ones given for all; a category's tolerance or ``unordered_lists = true`` replaces them.

    Attributes:
        ignore_paths: Path patterns to skip (see `StructuralComparator`).
        ignore_keys: Key names to skip wherever they appear.
        float_abs_tolerance: Floats within this absolute distance are equal.
        float_rel_tolerance: Floats within this relative distance are equal.
        unordered_lists: True for every list, or the patterns of the lists compared without order.
        detect_noise: Replay each recording twice and leave out what differs between the replays.
        categories: Rules for one category, added to these (``detect_noise`` and ``source`` unused there).
        source: Where the rules were read from (a file path, ``"command line"``), for the report.
    """

    ignore_paths: tuple[str, ...] = ()
    ignore_keys: tuple[str, ...] = ()
    float_abs_tolerance: float = 0.0
    float_rel_tolerance: float = 0.0
    unordered_lists: bool | tuple[str, ...] = False
    detect_noise: bool = False
    categories: Mapping[str, CompareRules] = attrs.field(factory=dict)
    source: str | None = None

    def for_category(self, category: str) -> CompareRules:
        """The rules that apply to *category*: these, with its own added."""
        own = self.categories.get(category)
        if own is None:
            return attrs.evolve(self, categories={})
        unordered: bool | tuple[str, ...]
        if isinstance(own.unordered_lists, bool) or isinstance(self.unordered_lists, bool):
            unordered = own.unordered_lists or self.unordered_lists
        else:
            unordered = self.unordered_lists + own.unordered_lists
        return attrs.evolve(
            self,
            ignore_paths=self.ignore_paths + own.ignore_paths,
            ignore_keys=self.ignore_keys + own.ignore_keys,
            float_abs_tolerance=own.float_abs_tolerance or self.float_abs_tolerance,
            float_rel_tolerance=own.float_rel_tolerance or self.float_rel_tolerance,
            unordered_lists=unordered,
            categories={},
        )

    def comparator(self, category: str) -> StructuralComparator:
        """The `StructuralComparator` for *category*.

        Raises:
            ConfigurationError: A path pattern is malformed.
        """
        rules = self.for_category(category)
        try:
            return StructuralComparator(
                ignore_paths=rules.ignore_paths,
                ignore_keys=rules.ignore_keys,
                float_abs_tolerance=rules.float_abs_tolerance,
                float_rel_tolerance=rules.float_rel_tolerance,
                unordered_lists=rules.unordered_lists,
            )
        except ValueError as error:
            raise ConfigurationError(f"{self.source or 'compare rules'}: {error}") from None

    def with_rules(self, **rules: Any) -> CompareRules:
        """These rules with more added to every category (lists extended, other values replaced when given),
        e.g. the command line's ``--ignore-key`` on top of pyproject.toml's."""
        changes: dict[str, Any] = {}
        for name, value in rules.items():
            if name in _LIST_RULES:
                changes[name] = getattr(self, name) + tuple(value)
            elif value:
                changes[name] = value
        return attrs.evolve(self, **changes)

    def describe(self, categories: Sequence[str]) -> dict[str, str]:
        """The rules in force, as ``{label: text}`` lines for the top of a report."""
        lines = {"rules from": self.source or "defaults (exact comparison)"}
        for category in categories:
            rules = self.for_category(category)
            parts = [f"{name}={_shown(getattr(rules, name))}" for name in _RULE_NAMES if getattr(rules, name)]
            if rules.detect_noise:
                parts.append("detect_noise")
            lines[f"rules for {category}"] = ", ".join(parts) or "exact"
        return lines


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in *start* or a parent directory, as ruff and pytest look for it."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_rules(path: str | Path | None = None, *, start: Path | None = None) -> CompareRules:
    """Read ``[tool.playback-dvd.compare]`` from *path*, or from the nearest pyproject.toml of *start*.

    No file, or a file without the table, gives the defaults (an exact comparison).

    Raises:
        ConfigurationError: *path* cannot be read, is not TOML, or the table holds an unknown key or a
            value of the wrong type (the message names the file and the key).
    """
    file = Path(path) if path is not None else find_pyproject(start or Path.cwd())
    if file is None:
        return CompareRules()
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(f"cannot read {file}: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"{file} is not valid TOML: {error}") from None
    table = document.get("tool", {}).get("playback-dvd", {}).get("compare")
    if table is None:
        return CompareRules(source=str(file) if path is not None else None)
    return rules_from_table(table, f"{file} [tool.playback-dvd.compare]")


def rules_from_table(table: Any, where: str) -> CompareRules:
    """`CompareRules` from a parsed ``[tool.playback-dvd.compare]`` table; *where* names it in errors.

    Raises:
        ConfigurationError: An unknown key, or a value of the wrong type.
    """
    rules = _rule_set(table, where, _TOP_LEVEL_NAMES)
    categories = table.get("categories", {})
    if not isinstance(categories, dict):
        raise ConfigurationError(f"{where}: categories must be a table of tables, one per category")
    per_category = {
        str(name): _rule_set(own, f"{where} categories.{name}", _RULE_NAMES)
        for name, own in categories.items()
    }
    detect_noise = table.get("detect_noise", False)
    if not isinstance(detect_noise, bool):
        raise ConfigurationError(f"{where}: detect_noise must be true or false")
    return attrs.evolve(rules, detect_noise=detect_noise, categories=per_category, source=where)


def _rule_set(table: Any, where: str, allowed: Sequence[str]) -> CompareRules:
    if not isinstance(table, dict):
        raise ConfigurationError(f"{where} must be a table")
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ConfigurationError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(allowed)})")
    values: dict[str, Any] = {}
    for name in _LIST_RULES:
        if name in table:
            values[name] = _strings(table[name], f"{where}: {name}")
    for name in _FLOAT_RULES:
        if name in table:
            value = table[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigurationError(f"{where}: {name} must be a number >= 0, got {value!r}")
            values[name] = float(value)
    if "unordered_lists" in table:
        value = table["unordered_lists"]
        values["unordered_lists"] = (
            value if isinstance(value, bool) else _strings(value, f"{where}: unordered_lists")
        )
    return CompareRules(**values)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigurationError(f"{where} must be a list of strings, got {value!r}")
    return tuple(value)
