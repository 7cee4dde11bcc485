"""playback's ``TapeRecorder``, on playback_dvd's engine (``playback.tape_recorder``).

The decorators, keys and recording shape are playback's: inputs under ``input: {alias} {arguments}``
holding ``{'value': v}`` or ``{'exception': e}``, outputs under ``output: {alias} #{n}.output``
(``{'args': [...], 'kwargs': {...}}``) and ``.result``, the operation's result as output
``_tape_recorder_operation``. What differs, on purpose (``docs/migration-playback.md``): the session lives
in a ContextVar (threads and tasks record at once), httpx traffic inside an operation is recorded and
replayed too, values are stored as data (no jsonpickle), input keys are canonical (``f(1)`` and
``f(n=1)`` are one key) and recording ids are playback_dvd's.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from random import Random
from threading import Lock
from typing import TYPE_CHECKING, Any

from ..._options import resolve_options
from ...cassettes import MemoryCassette
from ...dvd._dvd import DVD, RecordMode
from ...filters._storage import recording_as_replayed, recording_to_save
from ...http._handler import DVDHttpHandler
from ...recorder._core import RecorderCore, RecordingSwitch
from ...recorder._operation_runner import run_operation_call
from ...recorder._saving import Counters
from ...recorder._session import current_session, inside_interception, operation_name
from . import _intercepts
from ._session import (
    OPERATION_OUTPUT_ALIAS,
    Output,
    PlaybackRecordingSession,
    PlaybackReplaySession,
    PlaybackSession,
    RecordingParameters,
)
from ._values import CONVERTER, pickle_copy, remember_operation_class, remember_operation_owner
from .exceptions import OperationExceptionDuringPlayback, TapeRecorderException  # noqa: F401  # as playback
from .recording import Recording
from .tape_cassette import TapeCassette

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ..._options import DVDOptions

__all__ = [
    "CapturedArg",
    "Output",
    "Playback",
    "RecordingParameters",
    "TapeRecorder",
    "pickle_copy",
]

logger = logging.getLogger("playback_dvd")

#: An argument that makes an input's key: its position (``self`` counted, as in playback) and name.
#: Arguments are matched by name here.
CapturedArg = namedtuple("CapturedArg", "position name")


class Playback:
    """What `TapeRecorder.play` returns: recorded and replayed outputs side by side.

    Attributes:
        playback_outputs: The outputs of the replay (`Output` key/value pairs, in call order).
        playback_duration: Seconds the replay took.
        recorded_outputs: The recorded outputs.
        recorded_duration: Seconds the recorded operation took.
        original_recording: The replayed `Recording`.
    """

    def __init__(
        self,
        playback_outputs: list[Output],
        playback_duration: float,
        recorded_outputs: list[Output],
        recorded_duration: float,
        original_recording: Recording,
    ) -> None:
        self.playback_outputs = playback_outputs
        self.playback_duration = playback_duration
        self.recorded_outputs = recorded_outputs
        self.recorded_duration = recorded_duration
        self.original_recording = original_recording


class TapeRecorder(RecordingSwitch, _intercepts.Interceptions):
    """Records operations into a playback cassette and replays them (playback's API).

    Args:
        tape_cassette: Where recordings go (`InMemoryTapeCassette`, `FileBasedTapeCassette`,
            `S3TapeCassette`...).
        random_seed: Seed of the sampling draws (`RecordingParameters.sampling_rate`).
        options: The HTTP options of `playback_dvd.use_dvd` (``match_on``, filters...), for the httpx
            traffic recorded inside operations. Secret headers are redacted by default.

    Recording is off until `enable_recording` (as in playback).
    """

    DURATION = "_tape_recorder_recording_duration"
    RECORDED_AT = "_tape_recorder_recorded_at"
    OPERATION_OUTPUT_ALIAS = OPERATION_OUTPUT_ALIAS
    OPERATION_CLASS = "_tape_recorder_operation_class"
    EXCEPTION_IN_OPERATION = "_tape_recorder_exception_in_operation"
    INCOMPLETE_RECORDING = "_tape_recorder_incomplete_recording"

    def __init__(
        self,
        tape_cassette: TapeCassette | None,
        random_seed: int | None = None,
        **options: Unpack[DVDOptions],
    ) -> None:
        self.tape_cassette: Any = tape_cassette
        # What playback_dvd's intercepts are given of this recorder: the value converter, the HTTP options
        # and the recording switch. Recordings are saved and read through the tape cassette (playback's
        # Recording API), not through the core's cassette: that is the tape cassette's backend, for the
        # record only (an empty memory cassette when there is none).
        self._core = RecorderCore(
            tape_cassette.cassette if isinstance(tape_cassette, TapeCassette) else MemoryCassette(),
            resolve_options(options),
            CONVERTER,
            code_version=None,
            enabled=False,
            sampling_rate=1.0,
            saver=None,
            counters=Counters(),
        )
        self._classes_recording_params: dict[type, RecordingParameters] = {}
        self._random = Random(random_seed)
        self._random_lock = Lock()

    # -- switches and state ---------------------------------------------------------------------------

    @staticmethod
    def _recording_session() -> PlaybackRecordingSession | None:
        session = current_session.get()
        return session if isinstance(session, PlaybackRecordingSession) else None

    @staticmethod
    def _replay_session() -> PlaybackReplaySession | None:
        session = current_session.get()
        return session if isinstance(session, PlaybackReplaySession) else None

    @property
    def in_recording_mode(self) -> bool:
        """Whether this thread or task is recording an operation."""
        session = self._recording_session()
        return self.recording_enabled and session is not None and not session.discarded

    @property
    def in_playback_mode(self) -> bool:
        """Whether this thread or task is replaying a recording."""
        return self._replay_session() is not None

    @property
    def current_recording_id(self) -> str | None:
        """The id of the recording made or replayed here (None outside operations)."""
        if self.in_recording_mode or self.in_playback_mode:
            session = current_session.get()
            assert isinstance(session, PlaybackSession)
            return session.recording.id
        return None

    @property
    def is_recording_sample_forced(self) -> bool:
        """Whether `force_sample_recording` was called in the current recording."""
        session = self._recording_session()
        return session is not None and session.force_sample

    def discard_recording(self) -> None:
        """Drop the recording being made here: nothing of it is saved."""
        session = self._recording_session()
        if session is not None:
            session.discard()

    def force_sample_recording(self) -> None:
        """Keep the current recording whatever the sampling rate (unless the class ignores enforcement)."""
        session = self._recording_session()
        if session is None or session.discarded:
            return
        if not session.parameters.ignore_enforced_sampling:
            session.force_sample = True

    def recording_params(
        self, recording_parameters: RecordingParameters | None = None, **kwargs: Any
    ) -> Callable[[type], type]:
        """Class decorator: the `RecordingParameters` of the class's operations (exact class, as playback)."""

        def decorator(cls: type) -> type:
            self._classes_recording_params[cls] = recording_parameters or RecordingParameters(**kwargs)
            return cls

        return decorator

    # -- free-form data -------------------------------------------------------------------------------

    def record_data(self, key: str, value: Any) -> None:
        """Store *value* under *key* in the current recording (no-op when not recording)."""
        session = self._recording_session()
        if session is not None and self.recording_enabled:
            session.record(key, value)

    def play_data(self, key: str) -> Any:
        """The value recorded under *key* (None when not replaying).

        Raises:
            RecordingKeyError: The recording has no such key.
        """
        session = self._replay_session()
        return None if session is None else session.recording.get_data(key)

    # -- operations -----------------------------------------------------------------------------------

    def operation(self, metadata_extractor: Callable[..., Mapping[str, Any]] | None = None) -> Any:
        """Decorate an operation's entry point (an instance method); its class name is the category.

        Args:
            metadata_extractor: ``(self, *args, **kwargs) -> dict`` of searchable metadata (run after the
                operation, when recording only).
        """
        return self._operation(class_function=False, metadata_extractor=metadata_extractor)

    def class_operation(self, metadata_extractor: Callable[..., Mapping[str, Any]] | None = None) -> Any:
        """`operation` for a classmethod (put it under ``@classmethod``)."""
        return self._operation(class_function=True, metadata_extractor=metadata_extractor)

    def _operation(
        self, class_function: bool, metadata_extractor: Callable[..., Mapping[str, Any]] | None
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
            remember_operation_owner(function)
            runner = _OperationRunner(self, function, class_function, metadata_extractor)

            # Sync only, as playback's: an ``async def`` operation returns its coroutine unrecorded.
            @functools.wraps(function)
            def decorated(*args: Any, **kwargs: Any) -> Any:
                return runner.call(function, args, kwargs)

            return decorated

        return decorator

    def _parameters_of(self, cls: Any) -> RecordingParameters:
        return self._classes_recording_params.get(cls, RecordingParameters())

    @contextlib.contextmanager
    def start_recording(
        self,
        category: str,
        metadata: dict[str, Any],
        post_operation_metadata_extractor: Callable[[], Mapping[str, Any]] | None = None,
    ) -> Iterator[None]:
        """Record what runs inside the block into a new recording of *category* (then save it).

        Args:
            category: The recording's category.
            metadata: Its metadata; ``OPERATION_CLASS`` picks the `RecordingParameters`.
            post_operation_metadata_extractor: ``() -> dict`` of metadata added after the block.
        """
        if current_session.get() is not None:  # already recording here: the block is part of that recording
            yield
            return
        with self._recording(category, metadata, post_operation_metadata_extractor):
            yield

    @contextlib.contextmanager
    def _recording(
        self,
        category: str,
        metadata: dict[str, Any],
        extractor: Callable[[], Mapping[str, Any]] | None,
    ) -> Iterator[PlaybackRecordingSession]:
        """A new recording session in charge of the block; the recording is saved (or aborted) after it."""
        recording = self.tape_cassette.create_new_recording(category)
        options = self._core.options
        dvd = DVD(record_mode=RecordMode.ALL, match_on=options.match_on, id=recording.id, category=category)
        session = PlaybackRecordingSession(
            self, recording, dvd, self._parameters_of(metadata.get(self.OPERATION_CLASS))
        )
        token = current_session.set(session)
        session.start_http(DVDHttpHandler.from_options(dvd, options))
        started = time.perf_counter()
        try:
            yield session
            metadata[self.EXCEPTION_IN_OPERATION] = False
        except Exception:
            metadata[self.EXCEPTION_IN_OPERATION] = True
            raise
        finally:
            session.stop_http()
            current_session.reset(token)
            if not session.discarded:
                self._finish(session, dvd, metadata, extractor, started)

    def _finish(
        self,
        session: PlaybackRecordingSession,
        dvd: DVD,
        metadata: dict[str, Any],
        extractor: Callable[[], Mapping[str, Any]] | None,
        started: float,
    ) -> None:
        recording = session.recording
        if not self._should_sample(session):
            self.tape_cassette.abort_recording(recording)
            return
        try:
            recording.interactions = dvd.interactions
            recorded_at = datetime.now(timezone.utc)
            metadata[self.DURATION] = time.perf_counter() - started
            metadata[self.RECORDED_AT] = str(recorded_at.replace(tzinfo=None))
            recording.recorded_at = recorded_at.isoformat()  # what playback_dvd's date searches read
            outputs = self._extract_recorded_output_keys(recording)
            metadata[self.INCOMPLETE_RECORDING] = not any(
                self.OPERATION_OUTPUT_ALIAS in key for key in outputs
            )
            recording.add_metadata(metadata)
            if extractor is not None:
                try:
                    recording.add_metadata(extractor())
                except Exception:
                    logger.warning(
                        "playback_dvd: metadata_extractor failed for recording %s; saved without it",
                        recording.id,
                        exc_info=True,
                    )
            concealed = recording_to_save(recording.to_document(), self._core.options.filters)
            recording.__dict__.update(vars(Recording.from_document(concealed)))
            self.tape_cassette.save_recording(recording)
        except Exception:
            logger.exception("playback_dvd: failed saving recording %s", recording.id)

    def _should_sample(self, session: PlaybackRecordingSession) -> bool:
        if session.force_sample:
            return True
        rate = session.parameters.sampling_rate
        if rate >= 1:
            return True
        with self._random_lock:
            return self._random.random() <= rate

    # -- replay ---------------------------------------------------------------------------------------

    def play(self, recording_id: str, playback_function: Callable[[Recording], Any]) -> Playback:
        """Replay a recording on today's code: inputs and HTTP come from it, outputs are captured.

        An exception of the replayed operation is one of its outputs; playback_dvd's own errors (a
        missing input: `RecordingKeyError`) are raised.

        Raises:
            NoSuchRecording: The cassette has no such recording.
            RecordingKeyError: The replay asked for an input or output the recording lacks.
        """
        recording = self.tape_cassette.get_recording(recording_id)
        options = self._core.options
        document = recording_as_replayed(recording.to_document(), options.filters)
        dvd = DVD.from_document(
            document,
            record_mode=RecordMode.NONE,
            match_on=options.match_on,
            allow_playback_repeats=options.allow_playback_repeats,
        )
        session = PlaybackReplaySession(self, recording, dvd, RecordingParameters())
        tokens = (
            current_session.set(session),
            inside_interception.set(False),  # a replay started inside an interception is a fresh start
        )
        session.start_http(DVDHttpHandler.from_options(dvd, options))
        started = time.perf_counter()
        try:
            playback_function(recording)
        except OperationExceptionDuringPlayback:
            pass
        finally:
            duration = time.perf_counter() - started
            session.stop_http()
            inside_interception.reset(tokens[1])
            current_session.reset(tokens[0])
        metadata = recording.get_metadata()
        return Playback(
            session.outputs,
            duration,
            self._extract_recorded_output(recording),
            float(metadata.get(self.DURATION, 0.0)),
            recording,
        )

    @staticmethod
    def _extract_recorded_output_keys(recording: Recording) -> list[str]:
        return [
            key
            for key in recording.get_all_keys()
            if key.startswith("output:") and not key.endswith("result")
        ]

    @staticmethod
    def _extract_recorded_output(recording: Recording, direct_access: bool = False) -> list[Output]:
        return [
            Output(key, recording.get_data(key))
            for key in TapeRecorder._extract_recorded_output_keys(recording)
        ]

    # -- used by the sessions -------------------------------------------------------------------------

    def _copy(self, value: Any) -> Any:
        # Looked up at call time, so tests (and users) that patch pickle_copy here see their patch.
        return globals()["pickle_copy"](value)


class _OperationRunner:
    """Runs the calls of one ``@operation`` of a `TapeRecorder`.

    Outside any session a call starts a recording (when recording is on, and its class is not skipped);
    inside one, the session in charge decides (``operation_call``): a replay collects the operation's
    result, a recording runs it as part of the recorded operation.
    """

    def __init__(
        self,
        recorder: TapeRecorder,
        function: Callable[..., Any],
        class_function: bool,
        metadata_extractor: Callable[..., Mapping[str, Any]] | None,
    ) -> None:
        self.recorder = recorder
        self.class_function = class_function
        self.metadata_extractor = metadata_extractor
        #: What a playback_dvd replay in charge checks the recording against (`operation_name`).
        self.operation_name = operation_name(function)

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        session = current_session.get()
        if session is not None:
            call = session.operation_call(self.recorder._core.converter, self.operation_name)
            return run_operation_call(call, function, args, kwargs)
        recorder = self.recorder
        if not recorder.recording_enabled or not args:
            return function(*args, **kwargs)
        cls = args[0] if self.class_function else type(args[0])
        if recorder._parameters_of(cls).skipped:
            return function(*args, **kwargs)
        remember_operation_class(cls)
        metadata: dict[str, Any] = {TapeRecorder.OPERATION_CLASS: cls}
        extractor = None
        if self.metadata_extractor is not None:
            extract = self.metadata_extractor

            def extractor() -> Mapping[str, Any]:
                return extract(*args, **kwargs)

        with recorder._recording(cls.__name__, metadata, extractor) as started:
            return run_operation_call(started.operation_result(), function, args, kwargs)
