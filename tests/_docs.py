"""Reading the code blocks of a Markdown page: Python blocks to run, and ``$ command`` transcripts to replay.

A transcript block is a fenced block whose first line starts with ``$ ``. Each ``$`` line is a command (a
trailing ``# exit N`` says its exit code); the lines under it are what it prints, where ``...`` stands for
any lines, and durations (``0.01 s``) and recording ids match any duration and id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs

_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
_EXIT = re.compile(r"#\s*exit (\d+)\s*$")
_COMMENT = re.compile(r"\s{2,}#\s.*$")  # two spaces before '#': a comment, not a '#' in the output
_DURATION = re.compile(r"\b\d+\.\d+ s\b")
_RECORDING_ID = re.compile(r"\b[A-Za-z0-9_.-]+/\d{4}-\d{2}-\d{2}/[0-9a-f]{32}\b")


@attrs.frozen
class Step:
    """One command of a transcript, what it prints, and its exit code when the page says it."""

    command: str
    expected: tuple[str, ...]
    exit_code: int | None


def code_blocks(page: Path, language: str) -> list[str]:
    """The fenced blocks of *page* in *language* (``""`` for blocks without one), dedented."""
    blocks = []
    for match in _FENCE.finditer(page.read_text()):
        indent, lang, body = match.groups()
        if lang == language:
            lines = body.splitlines(keepends=True)
            blocks.append("".join(line[len(indent) :] if line.strip() else "\n" for line in lines))
    return blocks


def transcripts(page: Path) -> list[list[Step]]:
    """The ``$ command`` blocks of *page*, each a list of steps."""
    found = []
    for block in code_blocks(page, ""):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("$ "):
            continue
        steps: list[Step] = []
        for line in lines:
            if line.startswith("$ "):
                exit_match = _EXIT.search(line)
                command = _COMMENT.sub("", line[2:])
                steps.append(Step(command, (), int(exit_match[1]) if exit_match else None))
            else:
                last = steps[-1]
                steps[-1] = attrs.evolve(last, expected=(*last.expected, _COMMENT.sub("", line)))
        found.append(steps)
    return found


def normalized(line: str) -> str:
    """*line* with what changes from run to run (ids, durations) replaced by placeholders."""
    line = _RECORDING_ID.sub("<ID>", line)
    return _DURATION.sub("<N> s", line).rstrip()


def matches(expected: tuple[str, ...], actual: list[str]) -> bool:
    """Whether *actual* lines are *expected* ones, ``...`` standing for any lines (none included)."""
    wanted = [normalized(line) for line in expected]
    got = [normalized(line) for line in actual]
    return _match(wanted, got)


def _match(wanted: list[str], got: list[str]) -> bool:
    if not wanted:
        return not got
    if wanted[0] == "...":
        return any(_match(wanted[1:], got[start:]) for start in range(len(got) + 1))
    return bool(got) and wanted[0] == got[0] and _match(wanted[1:], got[1:])


def iter_python_blocks(page: Path) -> Iterator[tuple[int, str]]:
    """``(number, code)`` of each Python block of *page*, numbered from 1."""
    yield from enumerate(code_blocks(page, "python"), 1)
