"""The per-operation session (recording or replaying one operation), kept in a ContextVar, and its calls.

The session is never stored on a `Recorder`: each thread and each asyncio task sees only the operation it
runs, so 20 threads and 200 tasks can record at once on one recorder. A thread started inside an
operation joins it only when started through ``contextvars.copy_context().run`` (asyncio tasks and
``asyncio.to_thread`` copy the context by themselves).
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from ..dvd._dvd import DVD

if TYPE_CHECKING:
    import cattrs

    from ._intercepts import InputIntercept, OutputIntercept

#: The output key of an operation's own result.
OPERATION_OUTPUT = "operation"


class InterceptedCall:
    """What the session in charge decided for one call of a decorated function, and where its outcome goes.

    When `answered` is True the session answered the call with `value` and the real function does not run
    (a replayed input or output). Otherwise the call runner runs the function and reports how it ended with
    `returned` or `raised`. This base class keeps nothing: `PASS_THROUGH` is the call that just runs.
    """

    __slots__ = ()

    answered: bool = False
    value: Any = None

    def returned(self, value: Any) -> None:
        """The real function returned *value*."""

    def raised(self, error: BaseException) -> None:
        """The real function raised *error* (the runner re-raises it)."""


class Answered(InterceptedCall):
    """A call the session answered itself: the real function does not run."""

    __slots__ = ("value",)

    answered = True

    def __init__(self, value: Any) -> None:
        self.value = value


#: The call that runs as if undecorated, and of which nothing is kept.
PASS_THROUGH = InterceptedCall()


class OperationSession(abc.ABC):
    """One operation being recorded (`RecordingSession`) or one recording being replayed (`ReplaySession`).

    Which of the two is decided once, when the session is made: a sampled operation starts a recording
    session, `Recorder.play` a replay session. The call runners never look at the mode: they ask the
    session in the ContextVar what a call does (`input_call`, `output_call`, `operation_call`).

    Args:
        dvd: Where HTTP interactions, inputs and outputs go (or come from).
    """

    def __init__(self, dvd: DVD) -> None:
        self.dvd = dvd
        self._invocations: dict[str, int] = {}
        self._lock = threading.Lock()  # threads joined through copy_context share the session

    def next_output_key(self, alias: str) -> str:
        """The key of the next call of output *alias*: ``"{alias} #{n}"``, n counting from 1."""
        with self._lock:
            number = self._invocations.get(alias, 0) + 1
            self._invocations[alias] = number
        return f"{alias} #{number}"

    @abc.abstractmethod
    def input_call(
        self, intercept: InputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """What a call of an ``intercept_input`` function does in this session.

        Raises:
            RecordingKeyError: (replay) the recording has no value for the call, and no fallback applies.
            ReplayedException: (replay) the recorded call raised.
        """

    @abc.abstractmethod
    def output_call(
        self, intercept: OutputIntercept, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        """What a call of an ``intercept_output`` function does in this session.

        Raises:
            RecordingKeyError: (replay) the call was not recorded and the intercept requires it.
            ReplayedException: (replay) the recorded call raised.
        """

    @abc.abstractmethod
    def operation_call(
        self, converter: cattrs.Converter, operation: str = "", code_version: str | None = None
    ) -> InterceptedCall:
        """What a call of an ``operation`` function made inside this session does.

        Args:
            converter: The value converter of the recorder that decorated the operation.
            operation: The operation's name (`operation_name`).
            code_version: The ``code_version`` of the recorder that decorated the operation.
        """


#: The session of the operation this thread or task runs, if any.
current_session: ContextVar[OperationSession | None] = ContextVar("playback_dvd_session", default=None)

#: True inside an intercepted call (nested intercepts pass through) or inside a replayed operation.
inside_interception: ContextVar[bool] = ContextVar("playback_dvd_inside_interception", default=False)
inside_operation: ContextVar[bool] = ContextVar("playback_dvd_inside_operation", default=False)
#: True while a comparison replays: an operation then refuses a recording of another operation
#: (`OperationMismatchError`) before its body runs. A plain ``recorder.play`` may replay anything.
same_operation_required: ContextVar[bool] = ContextVar("playback_dvd_same_operation", default=False)


def operation_name(function: Callable[..., Any]) -> str:
    """``"module:qualified.name"`` of a decorated function (the form ``--player`` takes), as recordings
    store it in their ``operation`` metadata."""
    return f"{getattr(function, '__module__', None) or '?'}:{function.__qualname__}"


def same_operation(recorded: str, replayed: str) -> bool:
    """True when two operation names are one operation: the same qualified name (the module may have
    been renamed between the recorded and the replayed code, or run as ``__main__``)."""
    return recorded.partition(":")[2] == replayed.partition(":")[2]
