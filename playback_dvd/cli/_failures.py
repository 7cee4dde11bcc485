"""What the command says when it could not run: one line naming what failed and what to do."""

from __future__ import annotations

from .._errors import ConfigurationError, PlaybackDVDError


def describe_failure(error: BaseException) -> str:
    """One line for *error*: our own errors already name what failed and what to do; anything else is
    named by its type, with the way to see the traceback."""
    if isinstance(error, (PlaybackDVDError, ConfigurationError)):
        return _one_line(str(error))
    if isinstance(error, ImportError):
        missing = f" {error.name!r}" if error.name else ""
        return _one_line(f"cannot import{missing}: {error} (is it installed in this environment?)")
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return _one_line(f"{where}{error.strerror}")
    return _one_line(f"unexpected {type(error).__name__}: {error} (--debug shows the traceback)")


def _one_line(text: str) -> str:
    first, _, rest = text.strip().partition("\n")
    return f"{first} (and {len(rest.splitlines())} more lines with --debug)" if rest else first
