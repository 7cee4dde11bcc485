"""`ComparisonReport`: the outcome of many comparisons, counted per status and per category."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone

import attrs

from ._status import Comparison, EqualityStatus


@attrs.frozen
class ComparisonReport:
    """Comparisons and what they add up to. Write it with `render_report` / `write_report`.

    Attributes:
        comparisons: Every comparison, in the order they finished.
        category_errors: Categories that could not be compared at all (e.g. their tuning raised), with
            the formatted traceback.
        started_at: When the run started (UTC).
        duration: Wall-clock seconds the whole run took.
        context: What was compared and how (e.g. the ignore rules in force), shown at the top of each
            report.
    """

    comparisons: tuple[Comparison, ...] = ()
    category_errors: Mapping[str, str] = attrs.field(factory=dict)
    started_at: datetime = attrs.field(factory=lambda: datetime.now(timezone.utc))
    duration: float = 0.0
    context: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def collect(
        cls,
        comparisons: Iterable[Comparison],
        category_errors: Mapping[str, str] | None = None,
        on_comparison: Callable[[Comparison], None] | None = None,
        *,
        context: Mapping[str, str] | None = None,
    ) -> ComparisonReport:
        """Run *comparisons* (e.g. ``equalizer.run_comparison()``) to the end and report them.

        Args:
            comparisons: The comparisons; consumed here.
            category_errors: Categories that failed before any comparison.
            on_comparison: Called with each comparison as it arrives (progress display).
            context: See the attribute.
        """
        started_at = datetime.now(timezone.utc)
        clock = time.perf_counter()
        collected = []
        for comparison in comparisons:
            collected.append(comparison)
            if on_comparison is not None:
                on_comparison(comparison)
        duration = time.perf_counter() - clock
        return cls(tuple(collected), dict(category_errors or {}), started_at, duration, dict(context or {}))

    @property
    def counts(self) -> dict[str, int]:
        """How many comparisons ended in each status (every status listed, zeros included)."""
        counts = {status.name: 0 for status in EqualityStatus}
        for comparison in self.comparisons:
            counts[comparison.equality_status.name] += 1
        return counts

    @property
    def counts_by_category(self) -> dict[str, dict[str, int]]:
        """``{category: {status name: count}}`` for each category that has comparisons, sorted by name."""
        table: dict[str, dict[str, int]] = {}
        for comparison in sorted(self.comparisons, key=lambda c: c.category):
            row = table.setdefault(comparison.category, {status.name: 0 for status in EqualityStatus})
            row[comparison.equality_status.name] += 1
        return table

    @property
    def categories(self) -> list[str]:
        """Every category that appears, in comparisons or as an error, sorted."""
        return sorted({c.category for c in self.comparisons} | set(self.category_errors))

    @property
    def failures(self) -> list[Comparison]:
        """Comparisons that ended Failed or EqualizerFailure."""
        bad = (EqualityStatus.Failed, EqualityStatus.EqualizerFailure)
        return [c for c in self.comparisons if c.equality_status in bad]

    @property
    def differences(self) -> list[Comparison]:
        """Comparisons that ended Different."""
        return [c for c in self.comparisons if c.equality_status is EqualityStatus.Different]

    @property
    def passed(self) -> bool:
        """True when every comparison is Equal or Fixed and no category failed."""
        return not self.category_errors and all(c.equality_status.passed for c in self.comparisons)

    @property
    def exit_code(self) -> int:
        """0 when `passed`, else 1 (the ``playback-dvd compare`` convention)."""
        return 0 if self.passed else 1

    @property
    def replay_seconds(self) -> float:
        """The sum of the comparisons' durations (more than `duration` when replays ran in parallel)."""
        return sum(c.duration for c in self.comparisons)

    def summary(self) -> str:
        """One line: ``12 compared in 3.2 s: 10 Equal, 1 Fixed, 1 Different``."""
        nonzero = [f"{count} {name}" for name, count in self.counts.items() if count]
        errors = f", {len(self.category_errors)} category errors" if self.category_errors else ""
        details = ", ".join(nonzero) or "nothing"
        return f"{len(self.comparisons)} compared in {self.duration:.2f} s: {details}{errors}"
