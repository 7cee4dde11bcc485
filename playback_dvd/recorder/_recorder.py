"""`Recorder`: record service operations (HTTP, intercepted inputs and outputs) into a cassette, replay them.

Per-operation state lives in a ContextVar (`_operation`), never on the recorder, so one recorder serves any
number of threads and asyncio tasks at once. Recording never breaks the operation: every failure while
capturing or saving is logged (logger ``"playback_dvd"``) and counted in `Recorder.stats`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import cattrs

from .._errors import ConfigurationError
from .._models import Playback
from .._options import DVDOptions, resolve_options
from ..cassettes import Cassette
from ..dvd._dvd import DVD
from ._core import RecorderCore, RecordingSwitch
from ._decorate import decorate
from ._intercepts import UNSET, InputDataHandler, InputIntercept, OutputDataHandler, OutputIntercept
from ._operation_runner import OperationRunner
from ._replay import NetworkRule, areplay, replay
from ._saving import BackgroundSaver, Counters, RecorderStats
from ._session import current_session
from ._values import make_value_converter

if TYPE_CHECKING:
    from typing_extensions import Unpack

P = ParamSpec("P")
T = TypeVar("T")


class Recorder(RecordingSwitch):
    """Records service operations into a cassette, and replays recordings on today's code.

    Args:
        cassette: Where recordings are saved (`MemoryCassette`, `LocalCassette`, `S3Cassette`...).
        recording_enabled: Record at all (see `enable_recording` / `disable_recording`).
        sampling_rate: The share of operation calls recorded, from 0.0 to 1.0; decided before any work.
        code_version: Stored in every recording's metadata (e.g. a git sha), to tell recordings apart.
        background_saving: Save recordings from a background thread (bounded queue; a full queue drops
            and counts) instead of at the end of each operation. Flushed at exit and by `flush`. The
            default, None, turns it on for remote cassettes (`S3Cassette`: a slow or throttled S3 must
            not slow the operations down) and off for the others.
        max_queued: The background queue's size.
        exit_timeout: Seconds the interpreter's exit waits for background saves still pending; what is
            left then is logged and counted in ``stats.dropped`` (a hanging cassette cannot hold the
            process). Default 5.
        options: The HTTP options of `use_dvd` (``match_on``, filters, ``max_body_bytes``...). Secret
            headers are redacted by default (production capture). ``record_mode`` does not apply.

    Raises:
        ConfigurationError: A bad option or sampling rate.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        cassette: Cassette,
        *,
        recording_enabled: bool = True,
        sampling_rate: float = 1.0,
        code_version: str | None = None,
        background_saving: bool | None = None,
        max_queued: int = 1000,
        exit_timeout: float = 5.0,
        **options: Unpack[DVDOptions],
    ) -> None:
        if "record_mode" in options:
            raise ConfigurationError(
                "Recorder takes no record_mode: operations are always recorded in full, and replayed "
                "(Recorder.play) without network"
            )
        if "load_limits" in options:
            raise ConfigurationError(
                "Recorder takes no load_limits: recordings are read by the cassette, so give them to it "
                "(e.g. LocalCassette(directory, load_limits=LoadLimits(...)))"
            )
        _check_rate(sampling_rate)
        resolved = resolve_options(options)
        counters = Counters()
        if background_saving is None:
            background_saving = bool(getattr(cassette, "saves_remotely", False))
        saver = BackgroundSaver(cassette, counters, max_queued, exit_timeout) if background_saving else None
        # What the call runners and sessions get of this recorder: they never read the recorder itself.
        self._core = RecorderCore(
            cassette,
            resolved,
            make_value_converter(),
            code_version=code_version,
            enabled=bool(recording_enabled),
            sampling_rate=float(sampling_rate),
            saver=saver,
            counters=counters,
        )

    # -- what it was given ----------------------------------------------------------------------------

    @property
    def cassette(self) -> Cassette:
        """Where recordings are saved, and replayed from."""
        return self._core.cassette

    @cassette.setter
    def cassette(self, cassette: Cassette) -> None:
        self._core.cassette = cassette

    @property
    def code_version(self) -> str | None:
        """Stored in every recording's metadata (None: not stored)."""
        return self._core.code_version

    @code_version.setter
    def code_version(self, code_version: str | None) -> None:
        self._core.code_version = code_version

    @property
    def converter(self) -> cattrs.Converter:
        """The cattrs converter for intercepted values: register hooks for your own types on it."""
        return self._core.converter

    @converter.setter
    def converter(self, converter: cattrs.Converter) -> None:
        self._core.converter = converter

    # -- switches (recording_enabled, enable_recording, disable_recording: `RecordingSwitch`) ----------

    @property
    def sampling_rate(self) -> float:
        """The share of operation calls recorded."""
        return self._core.sampling_rate

    @property
    def current_recording_id(self) -> str | None:
        """The id of the recording this thread or task is making (or replaying); None outside operations."""
        session = current_session.get()
        return None if session is None else session.dvd.id

    @property
    def background_saving(self) -> bool:
        """Whether recordings are saved by a background writer (see the ``background_saving`` argument)."""
        return self._core.saver is not None

    @property
    def stats(self) -> RecorderStats:
        """How many recordings were saved, dropped (queue full) and lost to failures."""
        return self._core.counters.snapshot()

    def flush(self) -> None:
        """Wait until every recording finished so far is saved (background saving only; else no-op)."""
        if self._core.saver is not None:
            self._core.saver.flush()

    def close(self) -> None:
        """Flush and stop the background writer (the cassette stays open: it is the caller's).

        Operations still recorded afterwards are saved in their own thread, as without background saving.
        """
        if self._core.saver is not None:
            self._core.saver.close()

    # -- decorators -----------------------------------------------------------------------------------

    def operation(
        self,
        metadata_extractor: Callable[..., Mapping[str, Any]] | None = None,
        category: str | None = None,
        sampling_rate: float | None = None,
    ) -> Callable[[Callable[P, T]], Callable[P, T]]:
        """Record every (sampled) call of the decorated function as one recording.

        Works on functions, methods, classmethods and ``async def``. Everything the call does goes into
        the recording: httpx traffic, intercepted inputs and outputs, and its result (or exception) as
        output ``"operation"``. Recording failures are logged and counted, never raised.

        Args:
            metadata_extractor: ``callable(*args, **kwargs) -> dict`` (``self`` included) whose keys go
                into the recording's metadata, beside ``recorded_at``, ``duration``, ``raised`` and
                ``code_version``; searchable with ``cassette.iter_recording_ids(metadata=...)``.
            category: The recording's category; default the owner class's name for methods and
                classmethods, else the function's qualified name.
            sampling_rate: This operation's share of calls recorded, instead of the recorder's.

        Raises:
            ConfigurationError: A sampling rate outside 0.0-1.0.
        """
        _check_rate(sampling_rate)

        def decorator(function: Any) -> Any:
            return decorate(
                function,
                lambda plain, is_classmethod: OperationRunner(
                    self._core, plain, is_classmethod, metadata_extractor, category, sampling_rate
                ),
                "operation",
            )

        return decorator

    def intercept_input(
        self,
        alias: str,
        capture_args: Sequence[Any] | bool | None = None,
        run_intercepted_when_missing: bool = False,
        value_when_missing: Any = UNSET,
        fallback_aliases: Sequence[str] | Callable[..., Sequence[str]] | None = None,
        data_handler: InputDataHandler | None = None,
    ) -> Callable[[Callable[P, T]], Callable[P, T]]:
        """Record what the decorated function returns (or raises) inside an operation; replay it from there.

        The key is *alias* plus the call's arguments bound to the signature (defaults applied, ``self``
        and ``cls`` left out): ``f(1)`` and ``f(n=1)`` are one key.

        Args:
            alias: The name of this input in recordings (keep it stable across code changes).
            capture_args: Names of the arguments that make the key (None: all; ``[]`` or False: none).
            run_intercepted_when_missing: On replay, run the real function when the key was not recorded.
            value_when_missing: On replay, return this (or call it with the arguments, when callable) when
                the key was not recorded; any value counts, None and falsy ones included.
            fallback_aliases: Aliases (or ``callable(*args, **kwargs)`` returning them) whose recorded
                values are tried in order when *alias*'s is missing, e.g. after a rename.
            data_handler: An object with ``prepare_input_for_recording(key, value, args, kwargs)`` and
                ``restore_input_from_recording(value, args, kwargs)``, for values the converter cannot store.

        Raises:
            RecordingKeyError: (on replay) the recording has no value for the call, and no fallback applies.
            ReplayedException: (on replay) the recorded call raised.
        """
        _check_alias("intercept_input", alias)

        def decorator(function: Any) -> Any:
            return decorate(
                function,
                lambda plain, _: InputIntercept(
                    self._core,
                    plain,
                    alias,
                    capture_args=capture_args,
                    run_intercepted_when_missing=run_intercepted_when_missing,
                    value_when_missing=value_when_missing,
                    fallback_aliases=fallback_aliases,
                    data_handler=data_handler,
                ),
                "intercept_input",
            )

        return decorator

    def intercept_output(
        self,
        alias: str,
        fail_on_no_recorded_result: bool = True,
        data_handler: OutputDataHandler | None = None,
    ) -> Callable[[Callable[P, T]], Callable[P, T]]:
        """Record the arguments and result of the decorated function; on replay capture, don't run it.

        Calls are keyed ``"{alias} #{n}"`` (n counts the calls of *alias* in the operation). On replay the
        arguments become a playback output and the recorded result is returned.

        Args:
            alias: The name of this output in recordings.
            fail_on_no_recorded_result: On replay, raise when the call was not recorded (else return None).
            data_handler: An object with ``prepare_output_for_recording(key, args, kwargs)`` returning
                what to record of the arguments.

        Raises:
            RecordingKeyError: (on replay) the call was not recorded and *fail_on_no_recorded_result*.
            ReplayedException: (on replay) the recorded call raised.
        """
        _check_alias("intercept_output", alias)

        def decorator(function: Any) -> Any:
            return decorate(
                function,
                lambda plain, _: OutputIntercept(
                    self._core,
                    plain,
                    alias,
                    fail_on_no_recorded_result=fail_on_no_recorded_result,
                    data_handler=data_handler,
                ),
                "intercept_output",
            )

        return decorator

    # -- replay ---------------------------------------------------------------------------------------

    def play(
        self,
        recording_id: str,
        playback_function: Callable[[DVD], Any],
        *,
        allowed_hosts: Sequence[str] = (),
        allow_network: bool = False,
    ) -> Playback:
        """Replay a recording: run *playback_function(dvd)* with HTTP and inputs served from the recording.

        Outputs are captured, not executed. Exceptions of the replayed operation (and playback_dvd's own,
        such as a missing input) are reported in ``Playback.playback_error``, not raised.

        The replay is hermetic: httpx/httpx2 requests are answered from the recording, and any other
        connection from the replaying thread or task (urllib, ``requests``, raw sockets, asyncio streams)
        is refused with `NetworkBlockedError` and listed in ``Playback.blocked_connections``; unix sockets
        pass.

        Args:
            recording_id: The recording to replay (from ``cassette.iter_recording_ids``).
            playback_function: Reruns the operation, e.g. ``lambda dvd: Checkout().run(dvd.metadata["id"])``.
            allowed_hosts: Hosts (globs, ``host:port``) the replay may still connect to, e.g. a local
                database it needs; added to the recorder's ``allowed_hosts`` option.
            allow_network: Let every connection outside httpx/httpx2 through (not hermetic).

        Returns:
            The recorded and replayed outputs side by side, with durations and unmatched requests.

        A recording that cannot be read (`DVDFormatError`: corrupt, foreign, beyond the cassette's
        `LoadLimits`) is not replayed: the playback function is not called, and the error is in
        ``Playback.playback_error``.

        Raises:
            RecordingNotFound: The cassette has no such recording.
        """
        self.flush()
        return replay(self._core, recording_id, playback_function, NetworkRule(allow_network, allowed_hosts))

    async def aplay(
        self,
        recording_id: str,
        playback_function: Callable[[DVD], Awaitable[Any]],
        *,
        allowed_hosts: Sequence[str] = (),
        allow_network: bool = False,
    ) -> Playback:
        """`play` for an async operation: *playback_function(dvd)* returns an awaitable."""
        self.flush()
        network = NetworkRule(allow_network, allowed_hosts)
        return await areplay(self._core, recording_id, playback_function, network)


def _check_rate(rate: float | None) -> None:
    if rate is not None and not (isinstance(rate, (int, float)) and 0.0 <= rate <= 1.0):
        raise ConfigurationError(f"sampling_rate must be between 0.0 and 1.0, not {rate!r}")


def _check_alias(decorator: str, alias: object) -> None:
    if not isinstance(alias, str) or not alias:
        raise ConfigurationError(f"{decorator} needs a non-empty alias string, not {alias!r}")


#: The name playback-studio users know.
TapeRecorder = Recorder
