"""The default result extractor (all outputs) and comparator (the structural diff)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from .._models import Output
from ._diff import DiffOptions, parse_path_pattern, structural_diff
from ._status import ComparatorResult, EqualityStatus


def all_outputs(outputs: Sequence[Output]) -> dict[str, Any]:
    """The default result extractor: every output by key (``"operation"`` and ``"{alias} #{n}"``).

    So a diff path reads ``$.operation.total`` or ``$["checkout.save_invoice #1"].invoice.total``, and an
    intercepted output the replay no longer makes shows as removed.
    """
    return {output.key: output.value for output in outputs}


def operation_result(outputs: Sequence[Output]) -> Any:
    """A result extractor that keeps only the operation's return value (None when there is none)."""
    for output in outputs:
        if output.key == "operation":
            return output.value
    return None


@attrs.frozen(init=False)
class StructuralComparator:
    """The default comparator: a structural diff, path by path, with ignore rules and tolerances.

    It is picklable (so it can run in worker processes) and accepts, and ignores, the keyword arguments a
    ``comparison_data_extractor`` provides.

    Args:
        ignore_paths: Path patterns to skip, e.g. ``"$.operation.items[*].updated_at"``; ``*`` matches
            any one key or index, ``[*]`` any index, and key segments may use shell wildcards.
        ignore_keys: Key names to skip wherever they appear (shell wildcards allowed, e.g. ``"*_at"``;
            see `VOLATILE_KEYS` for a starting list).
        float_abs_tolerance: Floats within this absolute distance are equal.
        float_rel_tolerance: Floats within this relative distance are equal.
        unordered_lists: True to compare every list without regard to order, or path patterns of the
            lists to compare so.
        max_differences: How many differences a result keeps (all are counted).
        max_value_chars: How long a value may be in messages before it is cut.
    """

    options: DiffOptions

    def __init__(
        self,
        *,
        ignore_paths: Sequence[str] = (),
        ignore_keys: Sequence[str] = (),
        float_abs_tolerance: float = 0.0,
        float_rel_tolerance: float = 0.0,
        unordered_lists: bool | Sequence[str] = False,
        max_differences: int = 50,
        max_value_chars: int = 80,
    ) -> None:
        self.__attrs_init__(
            DiffOptions.build(
                ignore_paths=ignore_paths,
                ignore_keys=ignore_keys,
                float_abs_tolerance=float_abs_tolerance,
                float_rel_tolerance=float_rel_tolerance,
                unordered_lists=unordered_lists,
                max_differences=max_differences,
                max_value_chars=max_value_chars,
            )
        )

    def ignoring_paths(self, paths: Sequence[str]) -> StructuralComparator:
        """This comparator with *paths* (patterns or concrete paths) ignored as well."""
        extra = tuple(parse_path_pattern(path) for path in paths)
        options = attrs.evolve(self.options, ignore_paths=self.options.ignore_paths + extra)
        comparator = object.__new__(type(self))  # __init__ takes the user-facing arguments, not options
        comparator.__attrs_init__(options)
        return comparator

    def __call__(self, expected: Any, actual: Any, **comparison_data: Any) -> ComparatorResult:
        """Compare the recorded *expected* with the replayed *actual*.

        Returns:
            Equal with no diff, or Different with a `StructuralDiff` and a message naming the first change.
        """
        diff = structural_diff(expected, actual, self.options)
        if not diff:
            return ComparatorResult(EqualityStatus.Equal)
        first = diff.differences[0].describe(self.options.max_value_chars)
        more = f" (and {diff.total - 1} more)" if diff.total > 1 else ""
        return ComparatorResult(EqualityStatus.Different, f"{first}{more}", diff)
