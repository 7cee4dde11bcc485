"""Reading DVD files, and writing them atomically (temp file, fsync, rename): a failed save loses nothing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .._errors import DVDFormatError
from .._models import DVDDocument
from ._decoding import check_size
from ._limits import DEFAULT_LIMITS, LoadLimits
from ._serialization import dumps, loads
from ._suffixes import is_binary_path


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at *path* with *data*, all or nothing: readers see the old file or the new one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_document(path: str | os.PathLike[str], *, limits: LoadLimits = DEFAULT_LIMITS) -> DVDDocument | None:
    """Load the DVD at *path*; None when there is no such file.

    Raises:
        DVDFormatError: The file exists but is not a readable DVD, or is beyond *limits* (the file is left
            as it was).
    """
    payload = read_bytes_or_none(path, limits)
    return None if payload is None else loads(payload, os.fspath(path), limits=limits)


def read_bytes_or_none(path: str | os.PathLike[str], limits: LoadLimits = DEFAULT_LIMITS) -> bytes | None:
    """The bytes of the file at *path*; None when there is no such file.

    Raises:
        DVDFormatError: The file exists but cannot be read, or is larger than ``limits.max_bytes`` (then
            it is not read at all).
    """
    try:
        with open(path, "rb") as handle:
            check_size(os.fstat(handle.fileno()).st_size, os.fspath(path), limits)
            return handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise DVDFormatError(os.fspath(path), "is a directory, not a DVD") from None
    except OSError as error:
        raise DVDFormatError(os.fspath(path), f"cannot be read ({error.strerror or error})") from None


def write_document(path: str | os.PathLike[str], document: DVDDocument) -> None:
    """Save *document* at *path* atomically, in the format the suffix names (``.dvd`` binary, else JSON)."""
    atomic_write(path, dumps(document, binary=is_binary_path(os.fspath(path))))
