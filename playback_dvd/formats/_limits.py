"""The bounds every loader enforces: a hostile file costs at most a known amount of time and memory."""

from __future__ import annotations

import attrs

GIB = 1 << 30


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"LoadLimits.{attribute.name} must be a positive integer, not {value!r}")


@attrs.frozen
class LoadLimits:
    """How much a loader accepts before it refuses a file with `DVDFormatError`.

    The defaults are far above any honest recording (a recording of 100,000 interactions decodes to
    ~25 MiB; recorded values nest a dozen levels deep) and low enough that one poisoned file cannot take a
    machine down. Loading a file of size S costs O(S) time and memory, and never more than
    *max_bytes* of decoded data.

    Args:
        max_bytes: The most a document may hold once decoded: the size of a ``.dvd`` frame's content
            (a frame that declares more is refused before anything is allocated, and decompression stops
            as soon as the content outgrows what the frame declared), and the size of a JSON, YAML or
            metadata file. Every string, body and list is therefore shorter than this too. Default 1 GiB.
        max_depth: How deeply lists and maps may nest inside a recorded value (an intercepted input, an
            output's arguments or result) or the metadata. Default 100. A JSON or YAML file nested past
            what the parser can follow is refused too.
        max_yaml_alias_nodes: How many nodes YAML aliases (``*name``) may add to a vcrpy YAML cassette
            once expanded (vcrpy never writes aliases for its own data; a "billion laughs" file adds
            billions). Default 100,000.

    .. versionadded:: 0.1.0
    """

    max_bytes: int = attrs.field(default=GIB, validator=_positive)
    max_depth: int = attrs.field(default=100, validator=_positive)
    max_yaml_alias_nodes: int = attrs.field(default=100_000, validator=_positive)


DEFAULT_LIMITS = LoadLimits()
