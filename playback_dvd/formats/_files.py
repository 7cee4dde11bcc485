"""Reading DVD files, and writing them atomically (temp file, fsync, rename): a failed save loses nothing.

A save killed between its temp file and the rename (kill -9, power loss) leaves ``.{name}.{8 chars}.tmp``
behind. The next write in that directory removes such files once they are older than
`STALE_TEMPORARY_SECONDS` (a save in progress elsewhere is never that old: a write, an fsync, a rename),
at most once a minute per directory and process, so that a busy directory is not listed on every save.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
import threading
import time
from pathlib import Path

from .._errors import DVDFormatError
from .._models import DVDDocument
from ._decoding import check_size
from ._limits import DEFAULT_LIMITS, LoadLimits
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


logger = logging.getLogger("playback_dvd")

#: A temp file of `atomic_write` this old belongs to a save that was killed: the next write removes it.
STALE_TEMPORARY_SECONDS = 60.0
# mkstemp's names: the prefix and suffix given below around 8 characters of [a-z0-9_].
_TEMPORARY_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
_last_sweep: dict[str, float] = {}
_sweep_lock = threading.Lock()


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at *path* with *data*, all or nothing: readers see the old file or the new one.

    The file gets the mode of the file it replaces, else ``0o666`` less the umask, as a plain ``open`` would
    (tempfile's own 0600 would hide recordings and reports from a team's other accounts). Temp files that
    killed saves left in the same directory are removed on the way (see the module).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporary_files(target.parent)
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


def remove_stale_temporary_files(directory: Path, *, force: bool = False) -> int:
    """Remove the temp files of killed saves in *directory* (older than `STALE_TEMPORARY_SECONDS`).

    Does nothing when this process swept *directory* less than a minute ago, unless *force*.

    Returns:
        How many files were removed.
    """
    key = os.fspath(directory)
    moment = time.monotonic()
    with _sweep_lock:
        if not force and moment - _last_sweep.get(key, -STALE_TEMPORARY_SECONDS) < STALE_TEMPORARY_SECONDS:
            return 0
        _last_sweep[key] = moment
    oldest = time.time() - STALE_TEMPORARY_SECONDS
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:  # not there yet, or unreadable: the write itself will say
        return 0
    for entry in entries:
        if not _TEMPORARY_NAME.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):  # gone already (another process swept it), or not ours to remove
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < oldest:
                os.unlink(entry.path)
                removed += 1
    if removed:
        logger.info("playback_dvd: removed %d temp file(s) of interrupted saves in %s", removed, key)
    return removed


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
