"""The DVD: recorded interactions with a hash index, play counts and the record-mode rules."""

from __future__ import annotations

import enum
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from .._errors import ConfigurationError, UnmatchedReason, UnmatchedRequestError
from .._models import (
    DVDDocument,
    InputRecord,
    Interaction,
    OutputRecord,
    Request,
    WireResponse,
    wire_response,
)
from ..formats._indexed_binary import LazyInteractions
from ..formats._serialization import paused_gc
from ._matching import (
    DEFAULT_MATCH_ON,
    Matcher,
    MatcherFunction,
    MatchPlan,
    RequestLike,
    RequestView,
    UrlParts,
    resolve_matchers,
)

#: The index: key -> the position of its one interaction (the common case: an int costs nothing more), or
#: the positions of several, in recording order.
_Index = dict[Hashable, "int | list[int]"]


class _Tape:
    """The interactions of a DVD by position: the loaded ones (a tuple, or lazily decoded), then the rest.

    Loaded interactions of a version 2 ``.dvd`` are decoded each time one is read, never kept: a DVD of
    100,000 interactions costs two bytes objects per interaction until they are replayed.
    """

    __slots__ = ("_lazy_count", "added", "loaded")

    def __init__(self, loaded: Sequence[Interaction]) -> None:
        self.loaded = loaded if isinstance(loaded, LazyInteractions | tuple) else tuple(loaded)
        self.added: list[Interaction] = []
        # How many positions are decoded from stored rows (0 when loaded as models): read per replay.
        self._lazy_count = len(loaded) if isinstance(loaded, LazyInteractions) else 0

    def __len__(self) -> int:
        return len(self.loaded) + len(self.added)

    def __getitem__(self, position: int) -> Interaction:
        # Positions come from the index: never negative, never out of range.
        loaded = self.loaded
        if position < len(loaded):
            return loaded.interaction(position) if isinstance(loaded, LazyInteractions) else loaded[position]
        return self.added[position - len(loaded)]

    def wire_response(self, position: int) -> WireResponse | None:
        """The response at *position* as a client library is handed it (None: it recorded an exception)."""
        if position < self._lazy_count:
            return self.loaded.wire_response(position)  # type: ignore[union-attr]  # lazy: see __init__
        response = self[position].response
        return None if response is None else wire_response(response)

    def __iter__(self) -> Iterator[Interaction]:
        yield from self.loaded
        yield from self.added


def _add_all(index: _Index, keyed: Iterable[tuple[int, Hashable]]) -> None:
    """Add (position, key) pairs to *index*: a lone position as an int, several as a list in order."""
    for position, key in keyed:
        entry = index.get(key)
        if entry is None:
            index[key] = position
        elif isinstance(entry, int):
            index[key] = [entry, position]
        else:
            entry.append(position)


class RecordMode(str, enum.Enum):
    """When a DVD replays and when it records (vcrpy's modes, with ``all`` replacing instead of appending).

    - ``none``: replay only; a request with no recorded twin is an error, and so is a missing DVD.
    - ``once``: record everything when the DVD does not exist yet; once it exists, replay only.
    - ``new_episodes``: replay what was recorded, record (and append) what was not.
    - ``all``: never replay; record every request, replacing the recorded interactions it matches.
    """

    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"

    @classmethod
    def parse(cls, value: RecordMode | str) -> RecordMode:
        """Accept a `RecordMode` or its string value, refusing anything else with the valid choices."""
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(repr(mode.value) for mode in cls)
            raise ConfigurationError(f"unknown record_mode {value!r}; choose one of {choices}") from None


class DVD:
    """A recording: HTTP interactions, intercepted inputs and outputs, and metadata.

    HTTP lookups go through a hash index keyed by the configured matchers, so finding a request's recorded
    twin costs the same with 100 interactions as with 1,000,000. Identical requests are answered in the
    order they were recorded, each interaction once (unless *allow_playback_repeats*).

    A DVD is safe to use from several threads at once.

    Args:
        interactions: The recorded HTTP interactions, in recording order.
        path: Where the DVD lives, used in messages (None for DVDs that are not files).
        record_mode: See `RecordMode`.
        match_on: Matcher names (or functions) that decide when two requests are the same.
        allow_playback_repeats: Let one recorded interaction answer any number of requests.
        existed: Whether the DVD was loaded from storage (``once`` replays only when it was).
        id: The recording's id (operations recorded by a `Recorder`).
        category: The recording's category.
        metadata: The recording's metadata.
        inputs: Recorded intercepted inputs, by canonical key.
        outputs: Recorded intercepted outputs, in call order.
        read_only_interactions: Interactions replayed like the others (after them, for identical requests)
            but never part of what is saved: ``interactions``, ``len()`` and ``to_document()`` leave them
            out. The pytest plugin loads the extra DVDs named in a ``dvd`` mark this way.
    """

    def __init__(
        self,
        interactions: Iterable[Interaction] = (),
        *,
        path: str | None = None,
        record_mode: RecordMode | str = RecordMode.ONCE,
        match_on: Sequence[str | MatcherFunction | Matcher] = DEFAULT_MATCH_ON,
        allow_playback_repeats: bool = False,
        existed: bool = False,
        id: str | None = None,  # the public name of a recording's id, as in playback
        category: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        inputs: Mapping[str, InputRecord] | None = None,
        outputs: Sequence[OutputRecord] = (),
        read_only_interactions: Iterable[Interaction] = (),
    ) -> None:
        self.path = path
        self.record_mode = RecordMode.parse(record_mode)
        self.allow_playback_repeats = allow_playback_repeats
        self.existed = existed
        self.id = id
        self.category = category
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.inputs: dict[str, InputRecord] = dict(inputs or {})
        self.outputs: list[OutputRecord] = list(outputs)
        self._plan = MatchPlan.of(resolve_matchers(match_on))
        self._interactions = _Tape(
            interactions if isinstance(interactions, Sequence) else tuple(interactions)
        )
        self._loaded_count = len(self._interactions)
        # Read-only interactions sit right after the loaded ones: own recordings answer first, and the
        # positions to leave out of what is saved are one range.
        self._interactions.added.extend(read_only_interactions)
        self._read_only = range(self._loaded_count, len(self._interactions))
        self._play_counts: list[int] = [0] * len(self._interactions)  # for matching: recorded counts too
        self._replays: list[int] = [0] * len(self._interactions)  # what play_count reports: replays only
        self._index: _Index | None = None
        self._cursors: dict[Hashable, int] = {}
        self._replaced: set[int] = set()
        self._lock = threading.Lock()
        self.dirty = False

    @classmethod
    def from_document(cls, document: DVDDocument | None, **options: Any) -> DVD:
        """A DVD holding what *document* holds (an empty one, not ``existed``, for None).

        Args:
            document: What was loaded from storage, or None when there was nothing.
            options: The other arguments of `DVD` (record_mode, match_on, path...).
        """
        if document is None:
            return cls(existed=False, **options)
        return cls(
            document.interactions,
            existed=True,
            id=document.id,
            category=document.category,
            metadata=document.metadata,
            inputs=document.inputs,
            outputs=document.outputs,
            **options,
        )

    def to_document(self) -> DVDDocument:
        """What would be stored of this DVD now."""
        return DVDDocument(
            interactions=self.interactions,
            id=self.id,
            category=self.category,
            metadata=dict(self.metadata),
            inputs=dict(self.inputs),
            outputs=tuple(self.outputs),
        )

    # -- what users read -------------------------------------------------------------------------------

    @property
    def interactions(self) -> tuple[Interaction, ...]:
        """The interactions this DVD holds now (what would be saved), in order."""
        with self._lock:
            if not self._replaced and not self._read_only:
                return tuple(self._interactions)
            return tuple(self._interactions[position] for position in self._kept_positions())

    @property
    def unplayed_interactions(self) -> tuple[Interaction, ...]:
        """The interactions neither played nor recorded since the DVD was loaded (or rewound), in order."""
        with self._lock:
            counts = self._play_counts
            return tuple(self._interactions[n] for n in self._kept_positions() if not counts[n])

    def _kept_positions(self) -> Iterator[int]:
        """The positions of the interactions this DVD would save: neither replaced (``all``) nor read-only."""
        hidden, read_only = self._replaced, self._read_only
        return (n for n in range(len(self._interactions)) if n not in hidden and n not in read_only)

    @property
    def requests(self) -> tuple[Request, ...]:
        """The recorded requests, in order."""
        return tuple(interaction.request for interaction in self.interactions)

    @property
    def match_on(self) -> tuple[str, ...]:
        """The names of the matchers in use."""
        return self._plan.names

    @property
    def play_count(self) -> int:
        """How many requests were replayed from this DVD since it was loaded (or rewound).

        As vcrpy's ``Cassette.play_count``: recording an interaction is not playing it.
        """
        with self._lock:
            return sum(self._replays)

    @property
    def all_played(self) -> bool:
        """Whether every interaction has been replayed at least once (read-only ones aside), as vcrpy's.

        An interaction recorded in this session has not been replayed, so after recording anything new
        this is False until a replay uses it (`unplayed_interactions`, by contrast, counts it as used).
        """
        with self._lock:
            counts = self._replays
            return all(counts[n] for n in self._kept_positions())

    @property
    def write_protected(self) -> bool:
        """Whether a request with no recorded twin is an error rather than recorded."""
        return self.record_mode is RecordMode.NONE or (self.record_mode is RecordMode.ONCE and self.existed)

    def __len__(self) -> int:
        # Replacement (``all`` mode) only ever hides loaded positions, never read-only ones.
        return len(self._interactions) - len(self._replaced) - len(self._read_only)

    def __repr__(self) -> str:
        where = f" {self.path}" if self.path else (f" {self.id}" if self.id else "")
        return f"<DVD{where} mode={self.record_mode.value} interactions={len(self)} played={self.play_count}>"

    def rewind(self) -> None:
        """Forget what was played, so every interaction can be played again from the start."""
        with self._lock:
            self._play_counts = [0] * len(self._interactions)
            self._replays = [0] * len(self._interactions)
            self._cursors.clear()

    # -- replay and record -----------------------------------------------------------------------------

    def _build_index(self) -> _Index:
        loaded = self._interactions.loaded
        stored = (
            loaded.stored_keys(self._plan.stored_key_names) if isinstance(loaded, LazyInteractions) else None
        )
        if stored is not None:
            # A version 2 .dvd stored its keys for these matchers: the index costs no decoding at all.
            index: _Index = dict(zip(stored, range(len(stored)), strict=True))
            if len(index) < len(stored):  # identical requests: their positions go in buckets, in order
                index = {}
                _add_all(index, enumerate(stored))
            start = len(stored)
        else:
            index, start = {}, 0
        key = self._plan.index_key
        interactions = self._interactions
        with paused_gc():  # a key and perhaps a bucket per interaction, all kept: nothing for the GC to find
            _add_all(
                index,
                (
                    (position, key(RequestView(interactions[position].request)))
                    for position in range(start, len(interactions))
                ),
            )
        self._index = index
        return index

    def _find_position(
        self, view: RequestView | None, *, include_played: bool, key: Hashable | None = None
    ) -> int | None:
        """The position *view* (or its *key*) plays; *view* may be None only when *key* is given and
        the plan has no unkeyed matcher."""
        index = self._index if self._index is not None else self._build_index()
        if key is None:
            assert view is not None
            key = self._plan.index_key(view)
        entry = index.get(key)
        if entry is None:
            return None
        counts = self._play_counts
        unkeyed = self._plan.unkeyed
        if isinstance(entry, int):
            if not unkeyed and not self._replaced:
                # The common case (distinct requests, keyed matchers only): no cursor to keep for one entry.
                return entry if include_played or not counts[entry] else None
            bucket = [entry]
        else:
            bucket = entry
        # Played interactions at the front of a bucket are skipped once for good: the cursor makes FIFO
        # replay of N identical requests O(N), not O(N^2).
        start = self._cursors.get(key, 0)
        while start < len(bucket) and counts[bucket[start]]:
            start += 1
        self._cursors[key] = start
        for cursor in range(start, len(bucket)):  # not bucket[start:]: a copy per play would be O(N^2)
            position = bucket[cursor]
            if position in self._replaced or counts[position]:
                continue
            if not unkeyed or self._unkeyed_match(position, view):
                return position
        if include_played:
            for position in bucket:
                if position in self._replaced:
                    continue
                if not unkeyed or self._unkeyed_match(position, view):
                    return position
        return None

    def _unkeyed_match(self, position: int, view: RequestView | None) -> bool:
        assert view is not None  # a plan with unkeyed matchers always looks requests up by their view
        return self._plan.unkeyed_match(RequestView(self._interactions[position].request), view)

    def play(self, request: Request, url_parts: UrlParts | None = None) -> Interaction | None:
        """Find the recorded twin of *request*, mark it played and return it; None when there is none.

        ``all`` mode never plays. ``once`` on a DVD that did not exist records rather than plays.

        Args:
            request: The live request (filtered).
            url_parts: ``split_url(request.url)`` if the caller has it already (saves splitting the URL).
        """
        position = self.play_position(request, url_parts)
        return None if position is None else self._interactions[position]

    def play_position(
        self, request: RequestLike, url_parts: UrlParts | None = None, key: Hashable | None = None
    ) -> int | None:
        """`play`, returning the position of the interaction played (see `interaction`, `wire_response`).

        Args:
            request: The live request (filtered). Any object with a request's ``method``, ``url``,
                ``headers`` and ``body`` will do when the matchers are built-in ones
                (`MatchPlan.parts_key`); user matchers get a `Request`.
            url_parts: ``split_url(request.url)`` if the caller has it already.
            key: The request's index key if the caller has it already (`MatchPlan.parts_key`).
        """
        if self.record_mode is RecordMode.ALL:
            return None
        # With its key given, a request of a plan with no matcher outside the key needs no view.
        view = RequestView(request, url_parts) if key is None or self._plan.unkeyed else None
        with self._lock:
            position = self._find_position(view, include_played=self.allow_playback_repeats, key=key)
            if position is None:
                return None
            self._play_counts[position] += 1
            self._replays[position] += 1
            return position

    def interaction(self, position: int) -> Interaction:
        """The interaction at *position* (as `play_position` returns it)."""
        return self._interactions[position]

    def wire_response(self, position: int) -> WireResponse | None:
        """The response at *position* as a client library is handed it; None when it recorded an exception.

        From a ``.dvd`` it is read straight from the stored row (checked as `interaction` checks it),
        with no model in between: the replay path.
        """
        return self._interactions.wire_response(position)

    @property
    def plan(self) -> MatchPlan:
        """How this DVD's requests are matched (its index key and the matchers run inside a bucket)."""
        return self._plan

    def record(self, interaction: Interaction, url_parts: UrlParts | None = None) -> None:
        """Add a newly recorded interaction (it counts as played: it answered the request it records).

        In ``all`` mode the loaded interactions that match it are replaced.

        Args:
            interaction: What was recorded.
            url_parts: ``split_url(interaction.request.url)`` if the caller has it already.

        Raises:
            UnmatchedRequestError: The record mode does not allow recording.
        """
        if self.write_protected:
            raise self.unmatched_error(interaction.request)
        view = RequestView(interaction.request, url_parts)
        key = self._plan.index_key(view)
        with self._lock:
            index = self._index if self._index is not None else self._build_index()
            entry = index.get(key)
            position = len(self._interactions)
            if entry is None:
                # A new request (most recordings): its position alone, no bucket (one object fewer per
                # interaction for the garbage collector to visit, as `_add_all` does at load).
                index[key] = position
                self._append(interaction)
                return
            bucket = [entry] if isinstance(entry, int) else entry
            index[key] = bucket
            if self.record_mode is RecordMode.ALL:
                # Only loaded interactions are replaced; a bucket lists positions in ascending order, so
                # the scan stops at the first one recorded here (else N identical recordings cost O(N^2)).
                for position in bucket:
                    if position >= self._loaded_count:
                        break
                    if not self._plan.unkeyed or self._plan.unkeyed_match(
                        RequestView(self._interactions[position].request), view
                    ):
                        self._replaced.add(position)
            bucket.append(len(self._interactions))
            self._append(interaction)

    def _append(self, interaction: Interaction) -> None:
        # Under the lock: the recorded interaction counts as played (it answered the request it records).
        self._interactions.added.append(interaction)
        self._play_counts.append(1)
        self._replays.append(0)
        self.dirty = True

    # -- explaining a miss -----------------------------------------------------------------------------

    def unmatched_error(self, request: Request) -> UnmatchedRequestError:
        """Build the error for a request with no recorded twin: what was asked, what came closest, the fix."""
        view = RequestView(request)
        with self._lock:
            reason: UnmatchedReason
            if not self.existed and not self._interactions:
                reason = "dvd_not_found" if self.path is not None else "no_match"
            elif self._find_position(view, include_played=True) is not None:
                reason = "already_played"
            else:
                reason = "no_match"
            closest = self._closest(view)
        return UnmatchedRequestError(
            self._explain(request, reason, closest),
            reason=reason,
            request=request,
            closest=tuple(c[0] for c in closest),
        )

    def _closest(self, view: RequestView, limit: int = 3) -> list[tuple[Request, list[tuple[str, str]]]]:
        scored = []
        for position, interaction in enumerate(self._interactions):
            if position in self._replaced:
                continue
            differences = self._plan.differences(RequestView(interaction.request), view)
            scored.append((len(differences), position, interaction.request, differences))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [(request, differences) for _, _, request, differences in scored[:limit]]

    def _explain(
        self, request: Request, reason: UnmatchedReason, closest: list[tuple[Request, list[tuple[str, str]]]]
    ) -> str:
        headline = {
            "dvd_not_found": "Can't replay this request: no DVD file, and the record mode does not record.",
            "no_match": "Can't replay this request: no recorded interaction matches it.",
            "already_played": "Can't replay this request: its recorded twins were all played already.",
        }[reason]
        lines = [headline, f"  {request.method} {request.url}"]
        if request.body:
            lines.append(f"  body: {request.body[:300].decode('utf-8', 'replace')}")
        where = self.path or (f"recording {self.id}" if self.id else "in-memory DVD")
        lines.append(
            f"DVD: {where} (record_mode={self.record_mode.value!r}, match_on={list(self.match_on)}, "
            f"{len(self)} recorded, {self.play_count} played)"
        )
        if closest:
            lines.append("Closest recorded requests:")
            for number, (recorded, differences) in enumerate(closest, 1):
                lines.append(f"  {number}. {recorded.method} {recorded.url}")
                if not differences:
                    lines.append("     matches on every matcher (already played)")
                for name, difference in differences:
                    lines.append(f"     {name} differs: {difference}")
        lines.append("How to fix:")
        if reason == "already_played":
            lines.append(
                "  * the same request was made more times than recorded: pass allow_playback_repeats=True,"
            )
            lines.append("    or re-record with record_mode='all' (or 'new_episodes' to add the extra calls)")
        elif reason == "dvd_not_found":
            lines.append(
                "  * record it first: run with record_mode='once' (or 'new_episodes'), or check the path"
            )
        else:
            lines.append(
                "  * record the new request: record_mode='new_episodes' adds it, 'all' re-records everything"
            )
            lines.append(
                "  * if the difference does not matter, loosen match_on or normalize it with a filter"
            )
        return "\n".join(lines)
