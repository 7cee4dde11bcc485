"""How comparisons run: in this process, in a process pool or on any `concurrent.futures.Executor`, with
timeouts and sharding."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib
import itertools
import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import attrs

from .._errors import ConfigurationError
from ._executors import run_batch, run_on_executor

# A worker that ignores its in-process alarm (stuck in C code) is killed this long after its timeout.
_HARD_KILL_GRACE_SECONDS = 5.0


class ReplayTimeout(BaseException):
    """A replay ran past ``CompareExecutionConfig.timeout_seconds``.

    A `BaseException`, like `KeyboardInterrupt`: it is raised by SIGALRM wherever the replay is, and
    ``recorder.play`` (or the operation's own ``except Exception``) must not take it for an exception of
    the operation, which would report a timed-out replay as ``Failed`` instead of ``EqualizerFailure``.
    """


@attrs.frozen(init=False)
class CompareExecutionConfig:
    """Where and how replays run. Optibus playback's parameter names are accepted too.

    Replays run in this process by default. With ``jobs > 1`` (or ``compare_in_dedicated_process``) they
    run in a pool of worker processes (see *start_method*). Everything sent to a worker is pickled: the
    player, extractors and comparator must be module-level functions or picklable objects (e.g.
    `StructuralComparator`), or the player a ``"module:function"`` string imported in the worker.
    Comparisons made in a worker have ``playback=None``. With *executor*, replays run wherever that
    executor runs its tasks (a Dask cluster, a Ray pool, your own pool) instead.

    Args:
        keep_results_in_comparison: Keep the extracted ``expected`` and ``actual`` in each `Comparison`.
        jobs: How many worker processes (1: replay in this process, unless compare_in_dedicated_process).
        timeout_seconds: Seconds one replay (and its comparison) may take before it is an EqualizerFailure.
            Enforced with SIGALRM in the process that replays (POSIX, main thread only: in this process
            when replays run here from another thread it is not enforced); a worker that ignores it is
            killed shortly after, and the pool restarted.
        max_tasks_per_child: Replace a worker after this many replays (bounds leaks in the code under
            test). Needs Python 3.11 or later; on 3.10 workers are not recycled.
        shard: ``(k, n)``: replay only the recordings of shard k (1-based) of n, chosen by a stable hash
            of the recording id, so n CI machines split one comparison without coordination.
        executor: Any `concurrent.futures.Executor` to run the replays on (e.g. a Dask
            ``Client.get_executor()``): recording ids are sent in batches of *batch_size*, at most
            *max_batches_in_flight* at a time, and the comparisons come back as each batch finishes. A
            batch whose future raises (a lost worker, a task the executor cancelled) becomes one
            ``EqualizerFailure`` per recording it held; the others are unaffected. The executor is not
            shut down. *jobs* and *max_tasks_per_child* do not apply; *timeout_seconds* is enforced only
            where the executor runs tasks in a process's main thread.
        batch_size: Recordings per task sent to the executor or to a worker (default: 16, 1 with a
            timeout in the process pool so that a hung replay is the only one its killed worker held).
        max_batches_in_flight: Batches submitted to the executor before waiting for one (default: twice
            the executor's ``_max_workers`` when it has one, else 8).
        start_method: How worker processes start: ``"fork"`` (fast: the imports, the player's module and
            the cassette are inherited, nothing is paid per worker), ``"forkserver"`` or ``"spawn"``
            (start from scratch; safe whatever the parent does). Default: ``"fork"`` on Linux when this
            process runs a single thread and workers are not recycled, else ``"spawn"``.
        compare_in_dedicated_process: playback's name: replay in worker process(es) even with ``jobs=1``.
        compare_process_recycle_rate: playback's name for ``max_tasks_per_child``.
        compare_process_timeout: playback's name for ``timeout_seconds``.

    Raises:
        ConfigurationError: A value is out of range.
    """

    keep_results_in_comparison: bool
    jobs: int
    timeout_seconds: float | None
    max_tasks_per_child: int | None
    shard: tuple[int, int] | None
    compare_in_dedicated_process: bool
    executor: Executor | None = attrs.field(eq=False, repr=False)
    batch_size: int | None
    max_batches_in_flight: int | None
    start_method: str | None

    def __init__(
        self,
        keep_results_in_comparison: bool = False,
        jobs: int = 1,
        timeout_seconds: float | None = None,
        max_tasks_per_child: int | None = None,
        shard: tuple[int, int] | None = None,
        *,
        executor: Executor | None = None,
        batch_size: int | None = None,
        max_batches_in_flight: int | None = None,
        start_method: str | None = None,
        compare_in_dedicated_process: bool = False,
        compare_process_recycle_rate: int | None = None,
        compare_process_timeout: float | None = None,
    ) -> None:
        if jobs < 1:
            raise ConfigurationError(f"jobs must be >= 1, got {jobs}")
        timeout = timeout_seconds if timeout_seconds is not None else compare_process_timeout
        if timeout is not None and timeout <= 0:
            raise ConfigurationError(f"timeout_seconds must be > 0, got {timeout}")
        recycle = max_tasks_per_child if max_tasks_per_child is not None else compare_process_recycle_rate
        if recycle is not None and recycle < 1:
            raise ConfigurationError(f"max_tasks_per_child must be >= 1, got {recycle}")
        if shard is not None:
            shard = check_shard(shard)
        for name, value in (("batch_size", batch_size), ("max_batches_in_flight", max_batches_in_flight)):
            if value is not None and value < 1:
                raise ConfigurationError(f"{name} must be >= 1, got {value}")
        if executor is not None and not isinstance(executor, Executor):
            raise ConfigurationError(
                f"executor must be a concurrent.futures.Executor, not {type(executor).__name__}"
            )
        methods = multiprocessing.get_all_start_methods()
        if start_method is not None and start_method not in methods:
            raise ConfigurationError(
                f"start_method must be one of {', '.join(methods)}, got {start_method!r}"
            )
        self.__attrs_init__(
            keep_results_in_comparison,
            jobs,
            timeout,
            recycle,
            shard,
            compare_in_dedicated_process,
            executor,
            batch_size,
            max_batches_in_flight,
            start_method,
        )

    @property
    def uses_workers(self) -> bool:
        """True when replays run outside this process (worker processes or an executor)."""
        return self.executor is not None or self.jobs > 1 or self.compare_in_dedicated_process

    @property
    def uses_pool(self) -> bool:
        """True when replays run in this package's own pool of worker processes."""
        return self.executor is None and (self.jobs > 1 or self.compare_in_dedicated_process)


def check_shard(shard: tuple[int, int]) -> tuple[int, int]:
    """*shard* as ``(k, n)`` ints with 1 <= k <= n.

    Raises:
        ConfigurationError: It is not.
    """
    try:
        index, count = (int(part) for part in shard)
    except (TypeError, ValueError):
        raise ConfigurationError(f"shard must be (k, n), got {shard!r}") from None
    if not 1 <= index <= count:
        raise ConfigurationError(f"shard {index}/{count}: k must be between 1 and n")
    return index, count


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/8"`` -> ``(2, 8)``.

    Raises:
        ConfigurationError: The text is not ``K/N`` with 1 <= K <= N.
    """
    index, slash, count = text.partition("/")
    if not slash or not index.strip().isdigit() or not count.strip().isdigit():
        raise ConfigurationError(f"shard {text!r} must look like K/N, e.g. 2/8")
    return check_shard((int(index), int(count)))


def in_shard(recording_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether *recording_id* belongs to *shard* (always, for None); the same answer on every machine."""
    if shard is None:
        return True
    index, count = shard
    digest = hashlib.sha256(recording_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def resolve_callable(reference: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` (or ``"module:Class.attribute"``).

    Only for references a user typed (command line, configuration), never for text read from a recording.

    Raises:
        ConfigurationError: The reference is malformed, its module cannot be imported, or the attribute is
            missing or not callable.
    """
    module_name, colon, attribute_path = reference.partition(":")
    if not colon or not module_name or not attribute_path:
        raise ConfigurationError(f"{reference!r} must look like 'package.module:function'")
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as error:
        raise ConfigurationError(
            f"cannot import module {module_name!r} of {reference!r}: {type(error).__name__}: {error}"
        ) from error
    for attribute in attribute_path.split("."):
        try:
            target = getattr(target, attribute)
        except AttributeError:
            raise ConfigurationError(
                f"{reference!r}: module {module_name!r} has no attribute {attribute_path!r}"
            ) from None
    if not callable(target):
        raise ConfigurationError(f"{reference!r} is not callable")
    return target  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=64)
def resolved_callable(reference: str) -> Callable[..., Any]:
    """`resolve_callable`, once per reference and process: workers replay many recordings with one player."""
    return resolve_callable(reference)


@contextlib.contextmanager
def replay_deadline(seconds: float | None) -> Iterator[None]:
    """Raise `ReplayTimeout` in this thread after *seconds* (POSIX main thread only; else no limit)."""
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    assert seconds is not None

    def expire(signum: int, frame: object) -> None:
        raise ReplayTimeout(f"the replay took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


Task = Callable[[str], Any]
Failure = Callable[[str, str, str], Any]


def run_tasks(
    task: Task, recording_ids: Iterable[str], config: CompareExecutionConfig, on_failure: Failure
) -> Iterator[Any]:
    """Yield ``task(recording_id)`` for each id of the shard, here or in worker processes.

    In workers, results come in completion order. A worker that dies or hangs turns its recording into
    ``on_failure(recording_id, message, traceback_text)`` and the pool is restarted for the others. On an
    executor, a batch whose future raises turns each of its recordings into ``on_failure``.
    """
    selected = (rid for rid in recording_ids if in_shard(rid, config.shard))
    if config.executor is not None:
        yield from run_on_executor(
            task,
            selected,
            config.executor,
            batch_size=config.batch_size or _BATCH_SIZE,
            max_in_flight=config.max_batches_in_flight,
            on_failure=on_failure,
        )
        return
    if not config.uses_workers:
        for recording_id in selected:
            yield task(recording_id)
        return
    yield from _run_in_pool(task, selected, config, on_failure)


def worker_start_method(config: CompareExecutionConfig) -> str:
    """The start method of the pool's workers: the configured one, else fork where it is safe, else spawn.

    Fork is what makes two workers pay on a small machine: a spawned worker imports the package, httpx and
    the player's module again (0.3-0.5 s each, the cost of hundreds of light replays), a forked one
    inherits them. It is safe only where no other thread can hold a lock at the moment of the fork (one
    thread in this process), on Linux (macOS system libraries are not fork-safe), and the pool refuses it
    with recycled workers (max_tasks_per_child).
    """
    if config.start_method is not None:
        return config.start_method
    if (
        sys.platform == "linux"
        and threading.active_count() == 1
        and config.max_tasks_per_child is None
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        return "fork"
    return "spawn"


def _new_pool(config: CompareExecutionConfig, batch_size: int) -> ProcessPoolExecutor:
    options: dict[str, Any] = {}
    if config.max_tasks_per_child is not None and sys.version_info >= (3, 11):
        # The pool counts batches; a worker replays at most max_tasks_per_child recordings.
        options["max_tasks_per_child"] = max(1, config.max_tasks_per_child // batch_size)
    method = worker_start_method(config)
    if method == "fork":
        # What the worker inherited is never collected there: freezing it keeps the worker's garbage
        # collector from walking (and so copying, page by page) the parent's whole heap.
        options["initializer"] = gc.freeze
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(max_workers=config.jobs, mp_context=context, **options)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    killer = getattr(pool, "kill_workers", None)  # Python 3.14+
    if killer is not None:
        killer()
        return
    # Before 3.14 the executor offers no way to stop a running task; its worker table is the only handle.
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()


# Without a timeout, ids go to workers in batches of this size: one pickled round trip per batch instead of
# per replay, which is most of the cost of a fast replay. Larger batches save little more and let the last
# batches finish unevenly (one worker idle while the other ends its batch).
_BATCH_SIZE = 16


def _run_in_pool(
    task: Task, recording_ids: Iterator[str], config: CompareExecutionConfig, on_failure: Failure
) -> Iterator[Any]:
    # With a timeout, each worker gets one replay at a time, so a task's submission time is (about) its
    # start time, which the hard kill relies on. Without one, batches, and a few in flight per worker, keep
    # the workers busy between results. A dead worker fails every replay in flight with BrokenProcessPool;
    # the killing one is unknown, so each runs alone until it completes, or has killed its worker twice.
    in_flight: dict[Future[list[Any]], tuple[list[str], float]] = {}
    retry: list[list[str]] = []
    suspects: list[str] = []  # in flight when a worker died: run one at a time until resolved
    crashes: dict[str, int] = {}  # worker deaths of a recording while it was alone in flight
    hard_limit = None if config.timeout_seconds is None else config.timeout_seconds + _HARD_KILL_GRACE_SECONDS
    most_in_flight = config.jobs if hard_limit else 2 * config.jobs
    wanted = config.batch_size or _BATCH_SIZE
    batch_size = 1 if hard_limit else min(wanted, config.max_tasks_per_child or wanted)
    pool = _new_pool(config, batch_size)
    try:
        while True:
            while len(in_flight) < (1 if suspects else most_in_flight):
                if suspects:
                    batch = [suspects.pop()]
                else:
                    batch = retry.pop() if retry else list(itertools.islice(recording_ids, batch_size))
                if not batch:
                    break
                in_flight[pool.submit(run_batch, task, batch)] = (batch, time.monotonic())
            if not in_flight:
                return
            alone = len(in_flight) == 1
            done, _ = wait(in_flight, timeout=1.0 if hard_limit else None, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                batch, _started = in_flight.pop(future)
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    broken = True
                    if not (alone and len(batch) == 1):  # which replay killed the worker is unknown
                        suspects.extend(batch)
                        continue
                    (recording_id,) = batch
                    crashes[recording_id] = crashes.get(recording_id, 0) + 1
                    if crashes[recording_id] > 1:
                        yield on_failure(recording_id, "the worker process died during this replay", "")
                    else:
                        suspects.append(recording_id)
                except Exception as error:
                    for recording_id in batch:
                        message = f"the worker could not return the comparison: {error!r}"
                        yield on_failure(recording_id, message, "")
            now = time.monotonic()
            stale = [f for f, (_, started) in in_flight.items() if hard_limit and now - started > hard_limit]
            if stale or broken:
                for future in stale:
                    batch, _started = in_flight.pop(future)
                    for recording_id in batch:
                        message = (
                            f"the replay took longer than {config.timeout_seconds} s; its worker was killed"
                        )
                        yield on_failure(recording_id, message, "")
                for batch, _ in in_flight.values():
                    if broken:
                        suspects.extend(batch)
                    else:
                        retry.append(batch)
                in_flight.clear()
                _kill_workers(pool)
                pool.shutdown(wait=True, cancel_futures=True)
                pool = _new_pool(config, batch_size)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
