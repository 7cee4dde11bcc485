"""Every DVD read or written goes through here: sensitive values hidden when stored, put back when loaded.

`filter_sensitive_data` keeps real values in memory and placeholders on disk. Each place that loads or saves
a DVD used to call ``filters.conceal`` / ``filters.restore`` itself, and one (the pytest plugin's extra DVDs)
was missed; the functions here are the only callers now.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .._models import DVDDocument
from ..formats._files import read_document, write_document
from ..formats._limits import DEFAULT_LIMITS, LoadLimits
from ._pipeline import Filters
from ._secret_values import SecretValues

if TYPE_CHECKING:
    from ..cassettes import Cassette
    from ..dvd._dvd import DVD


def read_dvd_file(
    path: str | os.PathLike[str], filters: Filters, limits: LoadLimits = DEFAULT_LIMITS
) -> DVDDocument | None:
    """The DVD file at *path* as it is replayed (placeholders restored); None when there is no such file.

    Raises:
        DVDFormatError: The file exists but is not a readable DVD, or is beyond *limits*.
    """
    document = read_document(path, limits=limits)
    return None if document is None else filters.restore(document)


def write_dvd_file(
    path: str | os.PathLike[str], dvd: DVD, filters: Filters, found: SecretValues | None = None
) -> None:
    """Write *dvd* atomically to *path*, sensitive values and the session's removed values replaced."""
    write_document(path, filters.conceal(dvd.to_document(), found))


def read_recording(cassette: Cassette, recording_id: str, filters: Filters) -> DVDDocument:
    """The recording *recording_id* of *cassette* as it is replayed (placeholders restored).

    Raises:
        RecordingNotFound: The cassette has no such recording.
    """
    return filters.restore(cassette.get_recording(recording_id))


def recording_to_save(
    dvd: DVD | DVDDocument, filters: Filters, found: SecretValues | None = None
) -> DVDDocument:
    """*dvd* (or a document built by hand, as playback's compat recordings are) as a cassette stores it:
    sensitive values and the session's removed values replaced."""
    return filters.conceal(dvd if isinstance(dvd, DVDDocument) else dvd.to_document(), found)


def recording_as_replayed(document: DVDDocument, filters: Filters) -> DVDDocument:
    """A recording already read from its cassette, as it is replayed (placeholders restored)."""
    return filters.restore(document)
