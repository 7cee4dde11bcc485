"""The terminal: whether to colour (``--color``, ``NO_COLOR``, ``FORCE_COLOR``), colours, and a progress line.

Plain ANSI escapes, no dependency: the command needs four colours and one line redrawn in place.
"""

from __future__ import annotations

import os
import re
import time
from typing import TextIO

COLOR_CHOICES = ("auto", "always", "never")

_CODES = {"green": "32", "blue": "34", "yellow": "33", "red": "31", "bold": "1", "dim": "2"}
_STATUS_COLORS = {
    "Equal": "green",
    "Fixed": "blue",
    "Different": "yellow",
    "Failed": "red",
    "EqualizerFailure": "red",
    "Skipped": "dim",
}
_STATUS_TAG = re.compile(r"^\[(Equal|Fixed|Different|Failed|EqualizerFailure|Skipped)\]")
_STATUS_COUNT = re.compile(r"\b(\d[\d,]*) (Equal|Fixed|Different|Failed|EqualizerFailure)\b")


def wants_color(stream: TextIO, choice: str = "auto") -> bool:
    """Whether to colour what goes to *stream*.

    ``always`` and ``never`` decide; ``auto`` follows the conventions of no-color.org and force-color.org:
    ``NO_COLOR`` (any non-empty value) turns colour off, ``FORCE_COLOR`` (non-empty, not ``0``) turns it
    on, and otherwise a terminal (not ``TERM=dumb``) gets colour and a pipe or a file does not.
    """
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force:
        return force != "0"
    return _isatty(stream) and os.environ.get("TERM") != "dumb"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False


def paint(text: str, color: str) -> str:
    """*text* in *color* (``green``, ``red``, ``bold``...), reset after."""
    return f"\033[{_CODES[color]}m{text}\033[0m"


def color_report(text: str) -> str:
    """The text report with its status tags and summary counts coloured."""
    lines = text.splitlines(keepends=True)
    out = []
    for number, line in enumerate(lines):
        match = _STATUS_TAG.match(line)
        if match is not None:
            tag = match.group(0)
            line = paint(tag, _STATUS_COLORS[match.group(1)]) + line[len(tag) :]
        elif number == len(lines) - 1:  # the summary
            line = _STATUS_COUNT.sub(lambda m: paint(m.group(0), _STATUS_COLORS[m.group(2)]), line)
        out.append(line)
    return "".join(out)


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """``compared 120/2,000 (3 not equal), 45.2/s, ETA 41 s`` on a stream.

    On a terminal the line is redrawn in place (at most 10 times a second) and cleared when `close` is
    called, so the report starts on a clean line; elsewhere (a CI log) a line is printed every 10%.

    Args:
        total: How many items are expected.
        stream: Where to write (stderr).
        color: Colour the count of items not equal.
    """

    def __init__(self, total: int, stream: TextIO, *, color: bool = False) -> None:
        self.total, self.stream, self.color = total, stream, color
        self.done = self.bad = 0
        self.live = _isatty(stream)
        self.step = max(1, total // 10)
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._drawn = False

    def line(self) -> str:
        """The progress line as it stands."""
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        bad = f"{self.bad:,} not equal"
        if self.color and self.bad:
            bad = paint(bad, "red")
        text = f"compared {self.done:,}/{self.total:,} ({bad})"
        if self.done and rate > 0:
            text += f", {rate:.1f}/s"
            if self.done < self.total:
                text += f", ETA {_duration((self.total - self.done) / rate)}"
        return text

    def advance(self, passed: bool) -> None:
        """Count one more item (*passed*: it was equal)."""
        self.done += 1
        self.bad += not passed
        if self.live:
            now = time.monotonic()
            if now - self._drawn_at >= 0.1 or self.done == self.total:
                self._drawn_at = now
                self.stream.write(f"\r\033[K{self.line()}")
                self.stream.flush()
                self._drawn = True
        elif self.done % self.step == 0 or self.done == self.total:
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Clear the live line (nothing to do on a non-terminal)."""
        if self.live and self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False
