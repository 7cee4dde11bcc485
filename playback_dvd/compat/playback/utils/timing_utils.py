"""playback's ``Timed``: a context manager that measures how long its block took."""

from __future__ import annotations

import time
from types import TracebackType


class Timed:
    """``with Timed() as timed: ...`` then ``timed.duration`` (seconds)."""

    def __init__(self) -> None:
        self.start = 0.0
        self.duration = 0.0

    def __enter__(self) -> Timed:
        self.start = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.duration = time.perf_counter() - self.start
