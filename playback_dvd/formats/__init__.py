"""File formats: `.dvd.json` for people, `.dvd` (msgpack + zstd) for machines, vcrpy reader, atomic files.

`dumps(document, binary=...)` and `loads(payload)` turn a `DVDDocument` into bytes and back (`loads`
recognises the format by its first bytes); a cassette stores what `dumps` returns.
"""

from ._serialization import dumps, loads

__all__ = ["dumps", "loads"]
