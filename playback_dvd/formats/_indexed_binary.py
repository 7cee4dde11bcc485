"""The ``.dvd`` layout of schema version 2: opened without decoding, each interaction decoded when replayed.

Layout (all integers big-endian)::

    magic (8) | schema_version = 2 (u16) | head length (u64) | head | body blocks

- *head*: one zstd frame (checksummed) holding a msgpack map: the document's ``id``, ``category``,
  ``metadata``, ``inputs`` and ``outputs`` (as in version 1), then

  - ``rows``: one msgpack-encoded *bytes* per interaction, the version 1 row with the response body
    replaced by its ``(offset, length)`` in the body stream;
  - ``keys``: each interaction's index key (`pack_key` of the built-in matchers' key tuple) for the
    matchers named in ``key_matchers``, computed with ``key_version``; a DVD replayed with those matchers
    builds its index from them without decoding a single row;
  - ``block_size`` and ``blocks``: the compressed length of each body block.
- *body blocks*: the response bodies, concatenated into one stream cut in ``block_size`` pieces, each
  piece its own zstd frame (checksummed), so a body is decompressed with its block, on first use.

Opening keeps each row and key as one bytes object (two allocations per interaction, none of them tracked
by the garbage collector); `LazyInteractions` decodes a row, through version 1's per-row decoding and
checks, when the interaction is read. Truncation is found at open (the blocks' lengths must add up);
corruption inside a body block is found, by zstd's checksum, when that block is first read.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

import msgpack
import zstandard

from .._errors import DVDFormatError
from .._models import Interaction, WireResponse, wire_response
from ..dvd._matching import DEFAULT_MATCH_ON, KEY_VERSION, MatchPlan, RequestView, resolve_matchers
from ._decoding import unpack_frame
from ._limits import LoadLimits
from ._validation import field_errors_name

VERSION = 2
#: Bodies are compressed in pieces of this size: big enough for zstd to find repeats across bodies, small
#: enough that replaying one interaction decompresses little (~20-60 µs, once per block).
BLOCK_SIZE = 64 * 1024
_LENGTH = struct.Struct(">Q")
_DEFAULT_PLAN = MatchPlan.of(resolve_matchers(DEFAULT_MATCH_ON))

#: The keys of the head beyond the document fields both versions share.
HEAD_KEYS = frozenset({"rows", "key_matchers", "key_version", "keys", "block_size", "blocks"})

#: Decodes and checks one version 1 row at a field path (``interactions[3]``) into an `Interaction`,
#: raising `InvalidField` on anything off-schema (`formats._validation.interaction_from_row`).
RowDecoder = Callable[[Any, str], Interaction]


def dumps(
    head: dict[str, Any],
    interactions: Sequence[Interaction],
    row_of: Callable[[Interaction], list[Any]],
    prefix: bytes,
    level: int,
) -> bytes:
    """Encode *interactions* and the document fields in *head* after *prefix* (magic and version)."""
    pack = msgpack.Packer(use_bin_type=True).pack
    rows, keys, bodies = [], [], bytearray()
    for interaction in interactions:
        row = row_of(interaction)
        response = row[4]
        if response is not None:
            body = response[2]
            response[2:3] = [len(bodies), len(body)]
            bodies += body
        rows.append(pack(row))
        keys.append(_DEFAULT_PLAN.index_key(RequestView(interaction.request)))
    compressor = zstandard.ZstdCompressor(level=level, write_checksum=True, write_content_size=True)
    blocks = [
        compressor.compress(bytes(bodies[start : start + BLOCK_SIZE]))
        for start in range(0, len(bodies), BLOCK_SIZE)
    ]
    head = {
        **head,
        "rows": rows,
        "key_matchers": list(DEFAULT_MATCH_ON),
        "key_version": KEY_VERSION,
        "keys": keys,
        "block_size": BLOCK_SIZE,
        "blocks": [len(block) for block in blocks],
    }
    packed_head = compressor.compress(pack(head))
    return b"".join([prefix, _LENGTH.pack(len(packed_head)), packed_head, *blocks])


def open_head(
    payload: bytes, start: int, source: str, limits: LoadLimits
) -> tuple[dict[str, Any], _BodyBlocks]:
    """The head's map and the body blocks of a version 2 payload whose head length is at *start*.

    The head frame is decompressed within *limits* (a frame declaring more is refused before anything
    is allocated for it).
    """
    try:
        (length,) = _LENGTH.unpack_from(payload, start)
    except struct.error as error:
        raise DVDFormatError(source, f"the data is truncated or corrupt ({error})") from None
    head_start = start + _LENGTH.size
    if head_start + length > len(payload):
        raise DVDFormatError(source, "the data is truncated or corrupt (the head is cut short)")
    head = unpack_frame(memoryview(payload)[head_start : head_start + length], source, limits)
    if not isinstance(head, dict):
        raise DVDFormatError(source, "the document does not follow the DVD schema (the head is not a map)")
    blocks = head.get("blocks")
    block_size = head.get("block_size")
    if (
        not isinstance(blocks, list)
        or not all(isinstance(size, int) and size > 0 for size in blocks)
        or not isinstance(block_size, int)
        or block_size <= 0
    ):
        raise DVDFormatError(source, "the document does not follow the DVD schema (bad body blocks)")
    bodies_start = head_start + length
    if bodies_start + sum(blocks) != len(payload):
        raise DVDFormatError(
            source,
            f"the data is truncated or corrupt (body blocks of {sum(blocks)} bytes announced, "
            f"{len(payload) - bodies_start} present)",
        )
    return head, _BodyBlocks(payload, bodies_start, blocks, block_size, source)


def lazy_interactions(head: dict[str, Any], bodies: _BodyBlocks, decode: RowDecoder) -> LazyInteractions:
    """The head's interactions, decoded one at a time (*decode* is version 1's row decoding)."""
    rows, keys = head.get("rows"), head.get("keys")
    if not isinstance(rows, list) or not all(isinstance(row, bytes) for row in rows):
        raise DVDFormatError(bodies.source, "the document does not follow the DVD schema (rows)")
    stored: tuple[tuple[str, ...], list[bytes]] | None = None
    names = head.get("key_matchers")
    if (
        head.get("key_version") == KEY_VERSION
        and isinstance(names, list)
        and isinstance(keys, list)
        and len(keys) == len(rows)
        and all(isinstance(key, bytes) for key in keys)
    ):
        stored = (tuple(str(name) for name in names), keys)
    return LazyInteractions(rows, stored, bodies, decode)


class _BodyBlocks:
    """The compressed body stream: blocks decompressed on first use and kept (they are the bodies)."""

    def __init__(self, payload: bytes, start: int, sizes: list[int], block_size: int, source: str) -> None:
        self.source = source
        self._payload: memoryview | None = memoryview(payload)
        self._offsets = [start]
        for size in sizes:
            self._offsets.append(self._offsets[-1] + size)
        self._block_size = block_size
        self._check_frame_headers()
        self._blocks: dict[int, bytes] = {}
        self._lock = threading.Lock()  # a ZstdDecompressor is not for concurrent use
        self._decompressor: zstandard.ZstdDecompressor | None = None  # made once: its setup costs ~100 µs

    def _check_frame_headers(self) -> None:
        """Refuse, at open, a block whose frame header is not one our writer makes.

        Reading a frame header costs a few hundred nanoseconds and no decompression: a block that
        declares more than the block size, needs a dictionary or carries no checksum is found now; damage
        inside a block's data is found by its checksum when it is first read.
        """
        assert self._payload is not None
        for number in range(len(self._offsets) - 1):
            frame = self._payload[self._offsets[number] : self._offsets[number + 1]]
            try:
                parameters = zstandard.get_frame_parameters(frame)
            except zstandard.ZstdError as error:
                raise DVDFormatError(self.source, f"body block {number} is corrupt ({error})") from None
            if (
                not 0 <= parameters.content_size <= self._block_size
                or parameters.dict_id
                or not parameters.has_checksum
            ):
                raise DVDFormatError(
                    self.source,
                    f"body block {number} is not one this writer makes (its declared size, dictionary or "
                    "checksum)",
                )

    def read(self, offset: int, length: int) -> bytes:
        """The *length* body bytes at *offset* of the body stream."""
        if not length:
            return b""
        size = self._block_size
        first, last = offset // size, (offset + length - 1) // size
        if first == last:
            start = offset - first * size
            return self._block(first)[start : start + length]
        joined = b"".join(self._block(number) for number in range(first, last + 1))
        start = offset - first * size
        return joined[start : start + length]

    def _block(self, number: int) -> bytes:
        block = self._blocks.get(number)
        if block is not None:
            return block
        with self._lock:
            block = self._blocks.get(number)
            if block is not None:
                return block
            if self._payload is None or not 0 <= number < len(self._offsets) - 1:
                raise DVDFormatError(self.source, f"a body points past the body blocks (block {number})")
            if self._decompressor is None:
                self._decompressor = zstandard.ZstdDecompressor()
            frame = self._payload[self._offsets[number] : self._offsets[number + 1]]
            try:
                # A block never holds more than block_size bytes: a frame announcing more is refused
                # before anything is allocated for it.
                if not 0 <= zstandard.frame_content_size(frame) <= self._block_size:
                    raise zstandard.ZstdError("the block announces more than the block size")
                block = self._decompressor.decompress(frame)
            except zstandard.ZstdError as error:
                raise DVDFormatError(self.source, f"body block {number} is corrupt ({error})") from None
            self._blocks[number] = block
            if len(self._blocks) == len(self._offsets) - 1:
                self._payload = None  # every block is out: the compressed copy is dead weight
            return block


class LazyInteractions(Sequence[Interaction]):
    """The interactions of a version 2 ``.dvd``, each decoded (and checked) when it is read, never kept.

    Behaves as the tuple of interactions it stands for (``==`` a tuple of the same interactions, slices
    are tuples). `DVD` builds its index from `stored_keys` when its matchers are the ones they were made
    for, so opening a DVD costs about its index, and nothing per body.
    """

    __slots__ = ("_bodies", "_decode", "_rows", "_stored")

    def __init__(
        self,
        rows: list[bytes],
        stored: tuple[tuple[str, ...], list[bytes]] | None,
        bodies: _BodyBlocks,
        decode: RowDecoder,
    ) -> None:
        self._rows = rows
        self._stored = stored
        self._bodies = bodies
        self._decode = decode

    def stored_keys(self, names: tuple[str, ...] | None) -> list[bytes] | None:
        """The stored index keys if they were made for the keyed matchers *names*, else None."""
        if self._stored is None or names is None or self._stored[0] != names:
            return None
        return self._stored[1]

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Interaction: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Interaction, ...]: ...

    def __getitem__(self, index: int | slice) -> Interaction | tuple[Interaction, ...]:
        if isinstance(index, slice):
            return tuple(self.interaction(n) for n in range(*index.indices(len(self._rows))))
        if index < 0:
            index += len(self._rows)
        if not 0 <= index < len(self._rows):
            raise IndexError("interaction index out of range")
        return self.interaction(index)

    def __iter__(self) -> Iterator[Interaction]:
        return (self.interaction(n) for n in range(len(self._rows)))

    def interaction(self, number: int) -> Interaction:
        """Interaction *number* (0 <= number < len), decoded and checked now."""
        try:
            row = msgpack.unpackb(self._rows[number], raw=False)
            response = row[4]
            if response is not None:
                offset, length = response[2], response[3]
                if not (isinstance(offset, int) and isinstance(length, int) and offset >= 0 <= length):
                    raise ValueError("a response body's offset and length must be counts")
                response[2:4] = [self._bodies.read(offset, length)]
            with field_errors_name(self._bodies.source):
                return self._decode(row, f"interactions[{number}]")
        except DVDFormatError:
            raise
        except (msgpack.UnpackException, KeyError, IndexError, TypeError, ValueError) as error:
            raise DVDFormatError(
                self._bodies.source,
                f"interaction {number} does not follow the DVD schema ({error!r})",
            ) from None

    def wire_response(self, number: int) -> WireResponse | None:
        """The response of interaction *number* as a client library is handed it; None for an exception.

        The replay path: a row of the expected shape is checked and turned straight into the wire form,
        with no model in between; any other row goes through `interaction`, which says what is wrong
        with it. The response half gets the checks `interaction` makes (its header names and values must
        be latin-1 text: encoding them is the check); the request half, which a replay does not read, is
        checked for its types here and in full whenever it is read (a miss's report, a save).
        """
        try:
            verb, address, headers, body, response, exception = msgpack.unpackb(self._rows[number], raw=False)
            if exception is None and type(response) is list and len(response) == 7:
                status, flat, offset, length, version, reason, complete = response
                if (
                    type(status) is int
                    and 100 <= status <= 999
                    and type(flat) is list
                    and type(offset) is int
                    and type(length) is int
                    and offset >= 0 <= length
                    and type(version) is str
                    and version.isascii()
                    and type(complete) is bool
                    and type(verb) is str
                    and type(address) is str
                    and type(headers) is list
                    and type(body) is bytes
                    and not len(flat) % 2
                ):
                    # One join, encode and split instead of an encode per name and value (half the cost);
                    # a line feed inside a header (never sent, maybe forged) shows as a count mismatch.
                    encoded = "\n".join(flat).encode("latin-1").split(b"\n") if flat else []
                    if len(encoded) == len(flat):
                        pairs = iter(encoded)
                        return (
                            status,
                            list(zip(pairs, pairs, strict=True)),
                            self._bodies.read(offset, length),
                            version.encode("ascii"),
                            reason.encode("latin-1"),
                        )
        except (msgpack.UnpackException, AttributeError, TypeError, ValueError):
            pass  # not text where text belongs, or the wrong shape: `interaction` below names it
        response_model = self.interaction(number).response
        return None if response_model is None else wire_response(response_model)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyInteractions | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"<LazyInteractions {len(self)} from {self._bodies.source}>"
