"""Replays on any `concurrent.futures.Executor`: ids streamed out in batches, comparisons streamed back."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from typing import Any

Task = Callable[[str], Any]
Failure = Callable[[str, str, str], Any]

#: Batches kept in flight on an executor that does not say how many workers it has.
DEFAULT_BATCHES_IN_FLIGHT = 8


def run_batch(task: Task, recording_ids: list[str]) -> list[Any]:
    """``[task(rid) for rid in recording_ids]``: one round trip to a worker for several replays."""
    return [task(recording_id) for recording_id in recording_ids]


def batches_in_flight(executor: Executor) -> int:
    """Twice the executor's workers when it says how many (the stdlib pools do), else a fixed number.

    Two per worker keep each worker busy while its last result travels back, without queueing the whole
    run on the executor (a lost worker then holds at most a few batches, and memory stays bounded).
    """
    workers = getattr(executor, "_max_workers", None)
    return 2 * workers if isinstance(workers, int) and workers > 0 else DEFAULT_BATCHES_IN_FLIGHT


def run_on_executor(
    task: Task,
    recording_ids: Iterable[str],
    executor: Executor,
    *,
    batch_size: int,
    max_in_flight: int | None,
    on_failure: Failure,
) -> Iterator[Any]:
    """Yield ``task(rid)`` for every id, computed on *executor*, in batches, as each batch completes.

    Ids are read lazily: at most *max_in_flight* batches are submitted at a time, so a million ids never
    sit in the executor's queue. A batch whose future raises (a worker lost with it, a cancelled task, an
    argument the executor could not send) yields ``on_failure(rid, message, "")`` for each of its ids:
    exactly the recordings that batch held, nothing else; so does a batch the executor refuses to take
    (a broken or shut-down pool). Batches still in flight when the caller stops iterating are cancelled.
    """
    limit = max_in_flight or batches_in_flight(executor)
    ids = iter(recording_ids)
    in_flight: dict[Future[list[Any]], list[str]] = {}
    try:
        while True:
            while len(in_flight) < limit:
                batch = list(itertools.islice(ids, batch_size))
                if not batch:
                    break
                try:
                    in_flight[executor.submit(run_batch, task, batch)] = batch
                except Exception as error:  # a broken or shut-down executor refuses every new task
                    message = f"the executor refused this batch: {type(error).__name__}: {error}"
                    for recording_id in batch:
                        yield on_failure(recording_id, message, "")
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                batch = in_flight.pop(future)
                try:
                    results = future.result()
                except (Exception, CancelledError) as error:
                    message = (
                        "the executor returned no comparison for this batch"
                        f" (a worker lost with it?): {type(error).__name__}: {error}"
                    )
                    for recording_id in batch:
                        yield on_failure(recording_id, message, "")
                    continue
                yield from results
    finally:
        for future in in_flight:
            future.cancel()
