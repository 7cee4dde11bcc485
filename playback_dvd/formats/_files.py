"""Reading DVD files, and writing them atomically (temp file, fsync, rename): a failed save loses nothing."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from pathlib import Path

from .._errors import DVDFormatError
from .._models import DVDDocument
from ._serialization import dumps, loads
from ._suffixes import is_binary_path

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask (read from /proc where it is shown, so no other thread sees it changed)."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as status,
    ):
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    # Elsewhere the only way to read it is to set it: briefly, under a lock (a file created meanwhile by
    # another thread would get 0o600, the safe side).
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """The mode a new file at *target* gets: the replaced file's, else 0o666 less the umask (as ``open``)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at *path* with *data*, all or nothing: readers see the old file or the new one.

    The file gets the mode of the file it replaces, else ``0o666`` less the umask, as a plain ``open`` would
    (tempfile's own 0600 would hide recordings and reports from a team's other accounts).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temporary, _mode_for(target))
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_document(path: str | os.PathLike[str]) -> DVDDocument | None:
    """Load the DVD at *path*; None when there is no such file.

    Raises:
        DVDFormatError: The file exists but is not a readable DVD (the file is left as it was).
    """
    payload = read_bytes_or_none(path)
    return None if payload is None else loads(payload, os.fspath(path))


def read_bytes_or_none(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of the file at *path*; None when there is no such file.

    Raises:
        DVDFormatError: The file exists but cannot be read (the error names the file and why).
    """
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DVDFormatError(os.fspath(path), f"cannot be read ({error.strerror or error})") from None


def write_document(path: str | os.PathLike[str], document: DVDDocument) -> None:
    """Save *document* at *path* atomically, in the format the suffix names (``.dvd`` binary, else JSON)."""
    atomic_write(path, dumps(document, binary=is_binary_path(os.fspath(path))))
