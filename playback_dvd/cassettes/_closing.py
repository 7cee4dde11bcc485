"""`ClosedOnExit`: the `with cassette:` behaviour every cassette shares."""

from __future__ import annotations

from typing import TypeVar

_Self = TypeVar("_Self", bound="ClosedOnExit")


class ClosedOnExit:
    """A mixin: ``with cassette:`` gives the cassette itself and calls its ``close()`` on the way out."""

    def close(self) -> None:
        """Release what the cassette holds (overridden by each cassette)."""

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
