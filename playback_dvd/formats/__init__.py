"""File formats: `.dvd.json` for people, `.dvd` (msgpack + zstd) for machines, vcrpy reader, atomic files."""
