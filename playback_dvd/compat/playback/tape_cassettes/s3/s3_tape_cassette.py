"""playback's ``S3TapeCassette``: over a playback_dvd `S3Cassette` (searches read index keys only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....._models import DVDDocument
from .....cassettes._s3 import S3Cassette
from ...recording import Recording
from ...tape_cassette import TapeCassette


class S3TapeCassette(TapeCassette):
    """Recordings in an S3 bucket, with playback's arguments.

    The layout is playback_dvd's (``{prefix}/{category}/{YYYY}/{MM}/{DD}/{id}``, UTC days), not playback's:
    recordings made by playback itself are not read (their jsonpickle payloads are refused on purpose).

    Args:
        bucket: The bucket.
        key_prefix: A prefix for every key.
        region: The AWS region.
        transient: Delete what this cassette wrote when it is closed (for tests).
        read_only: Refuse to create or save recordings (an AssertionError, as in playback). The default,
            as in playback.
        infrequent_access_kb_threshold: Recordings of at least this many KB are stored as STANDARD_IA.
        sampling_calculator: ``(category, size_bytes, recording) -> ratio``: a second sampling stage.
        recording_type: Accepted for compatibility (one recording type here).
        client: A boto3 S3 client to use (default: a new one).
    """

    def __init__(
        self,
        bucket: str,
        key_prefix: str = "",
        region: str | None = None,
        transient: bool = False,
        read_only: bool = True,
        infrequent_access_kb_threshold: float | None = None,
        sampling_calculator: Callable[..., float] | None = None,
        recording_type: Any = None,
        client: Any = None,
    ) -> None:
        super().__init__(
            S3Cassette(
                bucket,
                key_prefix,
                client=client,
                region=region,
                read_only=read_only,
                # A read-only cassette deletes nothing: playback accepted transient=True with it.
                transient=transient and not read_only,
                infrequent_access_kb_threshold=infrequent_access_kb_threshold,
                sampling_calculator=None
                if sampling_calculator is None
                else _on_recordings(sampling_calculator),
            )
        )
        self.read_only = read_only

    def create_new_recording(self, category: str) -> Recording:
        """A new recording (refused with an AssertionError when read-only, as in playback)."""
        assert not self.read_only, "cannot create a recording in a read-only S3TapeCassette"
        return super().create_new_recording(category)

    def _save_recording(self, recording: Recording) -> None:
        assert not self.read_only, "cannot save a recording in a read-only S3TapeCassette"
        super()._save_recording(recording)


def _on_recordings(calculator: Callable[..., float]) -> Callable[[str, int, DVDDocument], float]:
    """playback's calculators are given the `Recording` (ours the document it is stored as)."""

    def calculate(category: str, size: int, document: DVDDocument) -> float:
        return calculator(category, size, Recording.from_document(document))

    return calculate
