"""`LocalCassette`: recordings in a directory, laid out like the S3 store; the embedded default."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .._errors import DVDFormatError
from .._files import atomic_write, read_document
from .._models import DVDDocument
from .._serialization import dumps
from ._ids import RecordingIdParts, parse_recording_id, safe_category
from ._protocol import RecordingNotFound
from ._search import as_utc, in_window, metadata_matches, recorded_at_of

_METADATA_FORMAT = "playback-dvd-metadata"
_SUFFIXES = (".dvd", ".dvd.json")


class LocalCassette:
    """Recordings as files under *directory*: no server, safe for many threads and processes at once.

    Layout: ``{directory}/{category}/{YYYY}/{MM}/{DD}/{unique}.dvd`` (``.dvd.json`` with ``binary=False``),
    each with a small ``{unique}.meta.json`` beside it. The DVD is written first and its metadata second,
    both atomically, so a search (which reads only the small metadata files, and only in the day folders
    inside the date window) never returns a recording that cannot be loaded.

    Searches yield the newest recordings first.

    Args:
        directory: Where recordings live (created on the first save).
        binary: Store DVDs in the compact binary format (default) or as readable ``.dvd.json``.
    """

    def __init__(self, directory: str | os.PathLike[str], *, binary: bool = True) -> None:
        self.directory = Path(directory)
        self.binary = binary

    def __repr__(self) -> str:
        return f"LocalCassette({os.fspath(self.directory)!r})"

    # -- paths ----------------------------------------------------------------------------------------

    def _parts(self, recording_id: str) -> RecordingIdParts:
        # Ids are parsed against a strict pattern before any path is built: "../" and friends never reach
        # the file system.
        parts = parse_recording_id(recording_id)
        if parts is None:
            raise RecordingNotFound(recording_id, f"{self} (not a recording id of this library)")
        return parts

    def _day_folder(self, parts: RecordingIdParts) -> Path:
        day = parts.day
        return self.directory / parts.category / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"

    def _dvd_paths(self, parts: RecordingIdParts) -> list[Path]:
        folder = self._day_folder(parts)
        return [folder / f"{parts.unique}{suffix}" for suffix in _SUFFIXES]

    def _metadata_path(self, parts: RecordingIdParts) -> Path:
        return self._day_folder(parts) / f"{parts.unique}.meta.json"

    # -- the Cassette protocol ------------------------------------------------------------------------

    def save_recording(self, document: DVDDocument) -> None:
        """Store *document* under ``document.id`` (an id made by `new_recording_id`)."""
        parts = parse_recording_id(document.id or "")
        if parts is None:
            raise ValueError(
                f"cannot save a recording with id {document.id!r}: use cassettes.new_recording_id"
            )
        if document.category is not None and safe_category(document.category) != parts.category:
            raise ValueError(f"recording id {document.id!r} is not of category {document.category!r}")
        suffix = ".dvd" if self.binary else ".dvd.json"
        target = self._day_folder(parts) / f"{parts.unique}{suffix}"
        atomic_write(target, dumps(document, binary=self.binary))
        for other in self._dvd_paths(parts):
            if other != target:  # a recording saved again in the other format must not leave its old twin
                with contextlib.suppress(FileNotFoundError):
                    other.unlink()
        sidecar = {
            "format": _METADATA_FORMAT,
            "schema_version": 1,
            "id": document.id,
            "category": document.category,
            "metadata": dict(document.metadata),
        }
        atomic_write(self._metadata_path(parts), json.dumps(sidecar, sort_keys=True, default=str).encode())

    def get_recording(self, recording_id: str) -> DVDDocument:
        """The recording with this id.

        Raises:
            RecordingNotFound: No such recording here.
            DVDFormatError: Its file is corrupt (the file is left as it is).
        """
        for path in self._dvd_paths(self._parts(recording_id)):
            document = read_document(path)
            if document is not None:
                return document
        raise RecordingNotFound(recording_id, str(self))

    def get_recording_metadata(self, recording_id: str) -> Mapping[str, Any]:
        """The metadata of a recording, read from its small metadata file."""
        parts = self._parts(recording_id)
        sidecar = self._read_sidecar(self._metadata_path(parts))
        if sidecar is not None:
            return dict(sidecar.get("metadata", {}))
        # A crash between the two writes leaves a DVD without metadata: still readable, at full cost.
        return dict(self.get_recording(recording_id).metadata)

    def iter_recording_ids(
        self,
        category: str,
        start_date: datetime | date | None = None,
        end_date: datetime | date | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        """Ids of *category*'s recordings in [start_date, end_date) whose metadata match, newest first."""
        if limit is not None and limit <= 0:
            return
        found = 0
        for day_folder in self._day_folders(safe_category(category), start_date, end_date):
            entries = []
            for sidecar_path in day_folder.glob("*.meta.json"):
                sidecar = self._read_sidecar(sidecar_path)
                if sidecar is None or not isinstance(sidecar.get("id"), str):
                    continue
                recorded = sidecar.get("metadata", {})
                recorded_at = recorded_at_of(recorded, parse_recording_id(sidecar["id"]))
                if (start_date or end_date) and not in_window(recorded_at, start_date, end_date):
                    continue
                if metadata_matches(recorded, metadata):
                    entries.append((recorded_at, sidecar["id"]))
            for _, recording_id in sorted(entries, reverse=True):
                yield recording_id
                found += 1
                if limit is not None and found >= limit:
                    return

    def delete_recording(self, recording_id: str) -> None:
        """Remove a recording; its metadata goes first, so a search never finds a half-deleted one."""
        parts = parse_recording_id(recording_id)
        if parts is None:
            return
        for path in (self._metadata_path(parts), *self._dvd_paths(parts)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def close(self) -> None:
        """Nothing to release: every write is complete when `save_recording` returns."""

    # -- helpers --------------------------------------------------------------------------------------

    def _day_folders(
        self, category: str, start_date: datetime | date | None, end_date: datetime | date | None
    ) -> Iterator[Path]:
        """The day folders of *category* that can hold recordings of the window, newest first."""
        first = as_utc(start_date).date() if start_date is not None else date.min
        last = as_utc(end_date).date() if end_date is not None else date.max
        root = self.directory / category
        days = []
        for folder in root.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]"):
            try:
                day = date(int(folder.parent.parent.name), int(folder.parent.name), int(folder.name))
            except ValueError:
                continue
            if first <= day <= last:
                days.append((day, folder))
        for _, folder in sorted(days, reverse=True):
            yield folder

    @staticmethod
    def _read_sidecar(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise DVDFormatError(str(path), f"unreadable recording metadata ({error})") from None
        if not isinstance(data, dict) or data.get("format") != _METADATA_FORMAT:
            raise DVDFormatError(str(path), "not a playback_dvd metadata file")
        return data
