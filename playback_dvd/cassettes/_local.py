"""`LocalCassette`: recordings in a directory, one DVD and one small metadata file per recording.

Layout (the S3 one, on disk)::

    {directory}/{category}/{YYYY}/{MM}/{DD}/{unique}.dvd         the recording (.dvd.json when binary=False)
    {directory}/{category}/{YYYY}/{MM}/{DD}/{unique}.meta.json   {"id", "category", "metadata"}

Every file is written atomically (temp file, fsync, rename), the DVD before its ``.meta.json``, and a delete
removes the ``.meta.json`` first. Searches read only the date folders in the window and the ``.meta.json``
files, so a search never returns an id whose DVD is missing, and never decodes a DVD. Searches list the
newest recordings first: the newest day folder first, and in a folder the names in reverse order (the
unique part of an id starts with its recording time). Each recording owns
its own files, so threads and processes saving at once never write to the same file (no lock needed).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from .._errors import RecordingNotFound
from .._models import DVDDocument
from ..formats._files import atomic_write, read_bytes_or_none, read_document
from ..formats._limits import DEFAULT_LIMITS, LoadLimits
from ..formats._metadata import loads_metadata_file
from ..formats._serialization import dumps
from ..formats._suffixes import DVD_SUFFIXES, suffix_for
from ._closing import ClosedOnExit
from ._ids import (
    RecordingIdParts,
    check_document_for_saving,
    check_recording_id,
    parse_recording_id,
    recording_id_parts_or_not_found,
    safe_category,
)
from ._search import (
    as_utc,
    check_limit,
    day_inside_window,
    day_overlaps_window,
    in_window,
    metadata_matches,
    recorded_at_of,
)

METADATA_SUFFIX = ".meta.json"
_UNIQUE_METADATA_NAME = re.compile(r"^([0-9a-f]{32})\.meta\.json$")


class LocalCassette(ClosedOnExit):
    """Recordings in a local directory: the embedded default, no server needed.

    Args:
        directory: Where recordings live. Several processes may share it.
        binary: Write the compact ``.dvd`` format (the default) or, when False, the readable ``.dvd.json``,
            handy for a small team reviewing recordings. Either format is read whatever this says.
        create: Create *directory* now when it does not exist (read-only tools pass False: a search of
            a missing directory is then empty, and creates nothing).
        load_limits: The bounds of what is read (`LoadLimits`: size, nesting); beyond them a file is
            refused with `DVDFormatError`.

    A search by category, date window and metadata lists only the day folders in the window and reads one
    small ``.meta.json`` per candidate (none at all for whole days inside the window when there is no
    metadata filter); it never opens a DVD.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        binary: bool = True,
        create: bool = True,
        load_limits: LoadLimits = DEFAULT_LIMITS,
    ) -> None:
        self.directory = Path(directory)
        if create:
            # Made up front (as playback's file cassette did), so an empty cassette is a real directory
            # that listings and clean-ups can rely on, and an unusable path fails here, not at first save.
            self.directory.mkdir(parents=True, exist_ok=True)
        self.binary = binary
        self.load_limits = load_limits
        self._suffix = suffix_for(binary=binary)
        self._other_suffix = suffix_for(binary=not binary)

    def __repr__(self) -> str:
        return f"LocalCassette({os.fspath(self.directory)!r}, binary={self.binary})"

    # -- paths ---------------------------------------------------------------------------------------------

    def _day_folder(self, parts: RecordingIdParts) -> Path:
        day = parts.day
        return self.directory / parts.category / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.day:02d}"

    def recording_path(self, recording_id: str) -> Path:
        """Where the DVD of this recording is, or would be written (in this cassette's format).

        Raises:
            ValueError: *recording_id* is not a recording id.
        """
        parts = check_recording_id(recording_id)
        return self._day_folder(parts) / f"{parts.unique}{self._suffix}"

    def _where(self) -> str:
        return f"the local cassette at {os.fspath(self.directory)}"

    # -- the Cassette protocol -----------------------------------------------------------------------------

    def save_recording(self, document: DVDDocument) -> None:
        """Write *document* (DVD first, then its metadata file), replacing any recording with that id.

        Raises:
            ValueError: The document has no id, an id not of our form, or a category its id does not name.
            TypeError: Its metadata is not JSON data (nothing is written then).
            OSError: The directory cannot be written (nothing half-written is left behind).
        """
        parts = check_document_for_saving(document)
        # Both payloads are built before anything is written: bad data leaves the directory untouched.
        sidecar = _metadata_payload(document, parts)
        payload = dumps(document, binary=self.binary)
        folder = self._day_folder(parts)
        atomic_write(folder / f"{parts.unique}{self._suffix}", payload)
        # A copy in the other format would shadow this one for a cassette configured the other way.
        (folder / f"{parts.unique}{self._other_suffix}").unlink(missing_ok=True)
        atomic_write(folder / f"{parts.unique}{METADATA_SUFFIX}", sidecar)

    def get_recording(self, recording_id: str) -> DVDDocument:
        """Load the recording with this id.

        Raises:
            RecordingNotFound: There is no such recording, or *recording_id* is not a recording id (the
                error names the id and the directory).
            DVDFormatError: The DVD file is corrupt (the error names the file).
        """
        parts = recording_id_parts_or_not_found(recording_id, self._where())
        folder = self._day_folder(parts)
        for suffix in (self._suffix, self._other_suffix):
            document = read_document(folder / f"{parts.unique}{suffix}", limits=self.load_limits)
            if document is not None:
                return document
        raise RecordingNotFound(recording_id, self._where())

    def get_recording_metadata(self, recording_id: str) -> Mapping[str, Any]:
        """The metadata of a recording, read from its small ``.meta.json`` (the DVD is not opened).

        Raises:
            RecordingNotFound: There is no such recording, or *recording_id* is not a recording id.
            DVDFormatError: The metadata file is corrupt.
        """
        parts = recording_id_parts_or_not_found(recording_id, self._where())
        metadata = self._read_metadata(self._day_folder(parts) / f"{parts.unique}{METADATA_SUFFIX}")
        if metadata is not None:
            return metadata
        # A DVD without metadata file: a save interrupted between the two writes. Searches ignore it, but
        # the recording itself is whole.
        return dict(self.get_recording(recording_id).metadata)

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        """Ids of the matching recordings, newest first (see `Cassette.iter_recording_ids`).

        Raises:
            ValueError: *limit* is negative.
            DVDFormatError: A metadata file met on the way is corrupt.
        """
        check_limit(limit)  # here, not in the generator: a bad limit fails at the call, not at first next()
        found = self._search(category, start_date, end_date, metadata, want_metadata=False)
        return (recording_id for recording_id, _ in islice(found, limit))

    def iter_recordings_metadata(
        self,
        category: str,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """``(id, metadata)`` of the matching recordings, newest first (see `Cassette.iter_recording_ids`).

        Raises:
            ValueError: *limit* is negative.
            DVDFormatError: A metadata file met on the way is corrupt.
        """
        check_limit(limit)
        found = self._search(category, start_date, end_date, metadata, want_metadata=True)
        return (
            (recording_id, recorded if recorded is not None else {})
            for recording_id, recorded in islice(found, limit)
        )

    def iter_categories(self) -> Iterator[str]:
        """The categories that have a folder here (in their safe form, as in ids), sorted."""
        try:
            entries = sorted(os.scandir(self.directory), key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            return iter(())
        return (entry.name for entry in entries if entry.is_dir() and not entry.name.startswith("."))

    def delete_recording(self, recording_id: str) -> None:
        """Remove a recording: its metadata file first, so no search returns it half-deleted.

        An unknown id, or one that is not a recording id, is left alone (it cannot name a file here).
        """
        parts = parse_recording_id(recording_id)
        if parts is None:
            return
        folder = self._day_folder(parts)
        for suffix in (METADATA_SUFFIX, *DVD_SUFFIXES):
            (folder / f"{parts.unique}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing to release: every write is finished when `save_recording` returns."""

    # -- searching -----------------------------------------------------------------------------------------

    def _search(
        self,
        category: str,
        start_date: datetime | None,
        end_date: datetime | None,
        metadata: Mapping[str, Any] | None,
        *,
        want_metadata: bool,
    ) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """Matching ``(id, metadata or None)``, newest first, lazily (the callers cut it at their limit)."""
        category_folder = self.directory / safe_category(category)
        for day, folder in _day_folders(category_folder, start_date, end_date):
            check_time = not day_inside_window(day, start_date, end_date)
            for unique in _uniques(folder):
                parts = RecordingIdParts(category=category_folder.name, day=day, unique=unique)
                recorded: dict[str, Any] | None = None
                if want_metadata or metadata or check_time:
                    recorded = self._read_metadata(folder / f"{unique}{METADATA_SUFFIX}")
                    if recorded is None:  # deleted since the folder was listed
                        continue
                    if check_time and not in_window(recorded_at_of(recorded, parts), start_date, end_date):
                        continue
                    if not metadata_matches(recorded, metadata):
                        continue
                yield parts.recording_id, recorded

    def _read_metadata(self, path: Path) -> dict[str, Any] | None:
        payload = read_bytes_or_none(path, self.load_limits)
        return (
            None
            if payload is None
            else loads_metadata_file(payload, os.fspath(path), limits=self.load_limits)
        )


def _metadata_payload(document: DVDDocument, parts: RecordingIdParts) -> bytes:
    data = {"id": parts.recording_id, "category": document.category, "metadata": dict(document.metadata)}
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"the metadata of recording {parts.recording_id!r} must be JSON data (None, bools, numbers, "
            f"strings, lists, dicts with string keys): {error}"
        ) from None


def _sorted_numbered(folder: Path, digits: int) -> list[tuple[int, Path]]:
    """The sub-folders of *folder* named by a number of *digits* digits, the highest first."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    numbered = [
        (int(entry.name), Path(entry.path))
        for entry in entries
        if len(entry.name) == digits and entry.name.isdigit() and entry.is_dir()
    ]
    return sorted(numbered, reverse=True)


def _day_folders(
    category_folder: Path, start_date: datetime | None, end_date: datetime | None
) -> Iterator[tuple[date, Path]]:
    """The existing day folders of a category whose day meets the window, newest first."""
    first = None if start_date is None else _day_of(start_date)
    last = None if end_date is None else _day_of(end_date)
    for year, year_folder in _sorted_numbered(category_folder, 4):
        if (first is not None and year < first.year) or (last is not None and year > last.year):
            continue
        for month, month_folder in _sorted_numbered(year_folder, 2):
            if (first is not None and (year, month) < (first.year, first.month)) or (
                last is not None and (year, month) > (last.year, last.month)
            ):
                continue
            for day_number, day_folder in _sorted_numbered(month_folder, 2):
                try:
                    day = date(year, month, day_number)
                except ValueError:  # not a date: not ours
                    continue
                if day_overlaps_window(day, start_date, end_date):
                    yield day, day_folder


def _day_of(moment: datetime | date) -> date:
    return as_utc(moment).date()


def _uniques(folder: Path) -> list[str]:
    """The unique parts of the recordings with a metadata file in a day folder, newest first.

    Unique parts made by `new_recording_id` start with the recording time, so name order is time order.
    """
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [match[1] for match in map(_UNIQUE_METADATA_NAME.match, names) if match is not None]
    return sorted(found, reverse=True)
