"""Words for people: counts with the right plural."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 interaction``, ``2 interactions``, ``1,998 recordings`` (*nouns* for an irregular plural)."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
