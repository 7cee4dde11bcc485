"""`RecordingSession`: one live operation being recorded into a new DVD, saved when the operation ends.

It is made when a sampled operation starts, and it is what every call inside the operation asks: httpx
requests go to its HTTP handler (record mode ``all``: everything live is recorded), intercepted inputs
and outputs run and are kept, nested operations just run. Nothing here ever fails the operation: a value
that cannot be stored drops the recording (logged, counted), never the call.
"""

from __future__ import annotations

import logging
import time
from contextvars import Token
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._models import InputRecord, OutputRecord, exception_info
from ..cassettes import new_recording_id
from ..dvd._dvd import DVD, RecordMode
from ..filters._storage import recording_to_save
from ..http._activation import HttpActivation
from ..http._guard import BypassLog
from ..http._handler import DVDHttpHandler
from ._session import (
    OPERATION_OUTPUT,
    PASS_THROUGH,
    InterceptedCall,
    OperationSession,
    current_session,
)
from ._values import to_plain

if TYPE_CHECKING:
    import cattrs

    from ._core import RecorderCore
    from ._intercepts import InputIntercept, OutputIntercept

logger = logging.getLogger("playback_dvd")


class RecordingSession(OperationSession):
    """One operation being recorded: a new DVD, the HTTP handler recording into it, and what it was given.

    Args:
        core: The recorder's options, value converter and saving.
        name: The operation's qualified name, for log messages.
        category: The recording's category.
        metadata: The recording's metadata so far (``recorded_at`` and the extractor's keys).
        recorded_at: When the operation started (UTC); the recording id starts with it.
    """

    def __init__(
        self,
        core: RecorderCore,
        *,
        name: str,
        category: str,
        metadata: dict[str, Any],
        recorded_at: datetime,
    ) -> None:
        options = core.options
        super().__init__(
            DVD(
                record_mode=RecordMode.ALL,
                match_on=options.match_on,
                id=new_recording_id(category, recorded_at),
                category=category,
                metadata=metadata,
            )
        )
        self.core = core
        self.name = name
        self.failure: BaseException | None = None
        self.http_handler = DVDHttpHandler.from_options(self.dvd, options)
        # Connections that bypass httpx/httpx2 cannot be recorded: the recording says so (DESIGN 4.14).
        self.bypasses = BypassLog()
        self._http = HttpActivation(self.http_handler, self.bypasses.policy())
        self._token: Token[OperationSession | None] | None = None
        self._started = 0.0

    # -- what the calls inside the operation do -------------------------------------------------------

    def input_call(
        self, intercept: InputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """Run the input and keep its result (or exception) under the call's key."""
        try:
            key = intercept.key(args, kwargs, self.http_handler.secret_values)
        except Exception as error:
            self.capture_failed(error)
            return PASS_THROUGH
        return _RecordedInput(self, intercept, key, args, kwargs)

    def output_call(
        self, intercept: OutputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """Run the output and keep its arguments and its result (or exception)."""
        key = self.next_output_key(intercept.alias)
        try:
            arguments = intercept.arguments(key, args, kwargs, self.http_handler.secret_values)
        except Exception as error:
            self.capture_failed(error)
            arguments = None
        return _RecordedOutput(self, intercept, key, arguments)

    def operation_call(
        self, converter: cattrs.Converter, operation: str = "", code_version: str | None = None
    ) -> InterceptedCall:
        """A nested operation is part of this one: it just runs."""
        return PASS_THROUGH

    def record_input(self, key: str, record: InputRecord) -> None:
        """Keep the first recorded result of *key*: a replay answers every same-key call with it."""
        with self._lock:
            self.dvd.inputs.setdefault(key, record)

    def record_output(self, record: OutputRecord) -> None:
        """Append an intercepted output (or the operation's result) to the recording."""
        with self._lock:
            self.dvd.outputs.append(record)

    def fail(self, error: BaseException) -> None:
        """Mark the recording as unsavable (the first failure is the one reported)."""
        with self._lock:
            if self.failure is None:
                self.failure = error

    def capture_failed(self, error: BaseException) -> None:
        """A value could not be kept: log it, and drop the recording at the end."""
        # Never silent: the cause (a data handler's traceback included) is logged, the drop counted in stats.
        logger.warning("playback_dvd: %s; the recording will be dropped", error, exc_info=error)
        self.fail(error)

    # -- start and end --------------------------------------------------------------------------------

    def start(self) -> None:
        """Put this session (and its HTTP handler) in charge of the current context."""
        self._token = current_session.set(self)
        self._http.start()
        self._started = time.perf_counter()

    def finish(self, result: Any, error: BaseException | None) -> None:
        """End the operation: hand the context back, complete the recording and save it; never raises.

        Args:
            result: What the operation returned (a generator operation: the items it yielded).
            error: What it raised instead, or None.
        """
        duration = time.perf_counter() - self._started
        try:
            try:
                self._http.stop()
            finally:
                if self._token is not None:
                    current_session.reset(self._token)
        except ValueError:  # reset from another context: never let that reach the operation's caller
            logger.exception("playback_dvd: could not end the recording session of %s", self.name)
        core = self.core
        try:
            self.http_handler.finish()
            dvd = self.dvd
            if error is None:
                try:
                    plain = core.options.filters.redact_value(
                        to_plain(core.converter, result, OPERATION_OUTPUT), self.http_handler.secret_values
                    )
                except Exception as unstorable:
                    self.fail(unstorable)
                    plain = None
                self.record_output(OutputRecord(OPERATION_OUTPUT, None, plain))
            else:
                self.record_output(OutputRecord(OPERATION_OUTPUT, None, None, exception_info(error)))
            if self.failure is not None:
                core.count_failure()
                failure = self.failure
                logger.warning("playback_dvd: recording %s dropped: %s", dvd.id, failure, exc_info=failure)
                return
            dvd.metadata.update(duration=duration, raised=error is not None)
            not_captured = self.bypasses.entries
            if not_captured:
                dvd.metadata["not_captured"] = not_captured
                core.counters.add(uncaptured=len(not_captured))
            if core.code_version is not None:
                dvd.metadata["code_version"] = core.code_version
            document = recording_to_save(dvd, core.options.filters, self.http_handler.secret_values)
        except Exception:
            core.count_failure()
            logger.exception("playback_dvd: could not finish recording of %s", self.name)
            return
        core.save(document)


class _RecordedInput(InterceptedCall):
    """An input call being recorded: its result (or exception) goes under *key*."""

    __slots__ = ("args", "intercept", "key", "kwargs", "session")

    def __init__(
        self,
        session: RecordingSession,
        intercept: InputIntercept,
        key: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self.session = session
        self.intercept = intercept
        self.key = key
        self.args = args
        self.kwargs = kwargs

    def returned(self, value: Any) -> None:
        try:
            found = self.session.http_handler.secret_values
            plain = self.intercept.storable(self.key, value, self.args, self.kwargs, found)
        except Exception as error:
            self.session.capture_failed(error)
            return
        self.session.record_input(self.key, InputRecord(value=plain))

    def raised(self, error: BaseException) -> None:
        self.session.record_input(self.key, InputRecord(exception=exception_info(error)))


class _RecordedOutput(InterceptedCall):
    """An output call being recorded: its arguments, then its result (or exception), under *key*."""

    __slots__ = ("arguments", "intercept", "key", "session")

    def __init__(
        self, session: RecordingSession, intercept: OutputIntercept, key: str, arguments: Any
    ) -> None:
        self.session = session
        self.intercept = intercept
        self.key = key
        self.arguments = arguments

    def returned(self, value: Any) -> None:
        try:
            plain = self.intercept.storable(value, self.session.http_handler.secret_values)
        except Exception as error:
            self.session.capture_failed(error)
            return
        self.session.record_output(OutputRecord(self.key, self.arguments, plain))

    def raised(self, error: BaseException) -> None:
        self.session.record_output(OutputRecord(self.key, self.arguments, exception=exception_info(error)))
