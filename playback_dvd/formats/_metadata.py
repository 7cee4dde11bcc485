"""Reading the small metadata files beside DVDs (a `LocalCassette`'s ``.meta.json``, S3 index metadata)."""

from __future__ import annotations

from typing import Any

from . import _validation as validation
from ._decoding import parse_json
from ._limits import DEFAULT_LIMITS, LoadLimits


def loads_metadata(payload: bytes, source: str, *, limits: LoadLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Recording metadata stored as a JSON object on its own (S3's external metadata, a cached copy).

    Raises:
        DVDFormatError: Not JSON, beyond *limits*, or not metadata (the error names the field at fault).
    """
    data = parse_json(payload, source, limits)
    with validation.field_errors_name(source):
        return validation.metadata(data, "metadata", limits)


def loads_metadata_file(
    payload: bytes, source: str, *, limits: LoadLimits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """The metadata in a `LocalCassette` ``.meta.json`` file: ``{"id", "category", "metadata"}``.

    Raises:
        DVDFormatError: Not JSON, beyond *limits*, or not a metadata file (the error names the field).
    """
    data = parse_json(payload, source, limits)
    with validation.field_errors_name(source):
        fields = validation.mapping(data, "")
        validation.optional_text(fields.get("id"), "id")
        validation.optional_text(fields.get("category"), "category")
        return validation.metadata(validation.required(fields, "metadata", ""), "metadata", limits)
