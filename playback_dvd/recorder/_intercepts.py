"""``intercept_input`` and ``intercept_output``: record an operation's reads and writes, replay them.

Inside an intercepted call, nested intercepts pass through and httpx traffic is not recorded: the
intercepted call's value stands for all of it, and a replay never runs the call (inputs) or its effects
(outputs), so recording what happens inside would only leave requests the replay never makes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..http._active import current_http_handler
from ._input_keys import CallShape, key_for
from ._session import InterceptedCall, OperationSession, current_session, inside_interception
from ._values import from_plain, return_type, to_plain

if TYPE_CHECKING:
    import cattrs

    from ..filters._secret_values import SecretValues
    from ._core import RecorderCore


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


#: The default of ``value_when_missing``: no fallback value (any other value, even None or 0, is one).
UNSET: Any = _Unset()


class InputDataHandler(Protocol):
    """Turns an input's value into storable data and back (playback's ``InputInterceptionDataHandler``)."""

    def prepare_input_for_recording(
        self, key: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any: ...

    def restore_input_from_recording(
        self, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any: ...


class OutputDataHandler(Protocol):
    """Chooses what is recorded of an output call's arguments (as playback's output data handler)."""

    def prepare_output_for_recording(
        self, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any: ...


class _intercepting:  # noqa: N801  # used like a function; a class is cheaper than @contextmanager
    """Inside an intercepted call: nested intercepts pass through, and httpx traffic is not recorded."""

    __slots__ = ("_http", "_inside")

    def __enter__(self) -> None:
        self._inside = inside_interception.set(True)
        self._http = current_http_handler.set(None)

    def __exit__(self, *exc_info: object) -> None:
        current_http_handler.reset(self._http)
        inside_interception.reset(self._inside)


class _Intercept:
    """What an intercept decorator was given, and the conversions of its values; the session decides the rest.

    A call asks the operation session in charge (`OperationSession.input_call` / ``output_call``) what it
    does: answered from a recording, or run and kept, or just run. Outside an operation, and inside another
    intercepted call, it just runs.
    """

    def __init__(
        self, core: RecorderCore, function: Callable[..., Any], alias: str, capture_args: Any
    ) -> None:
        self.core = core
        self.alias = alias
        self.function = function
        self.shape = CallShape(function, capture_args)
        self._returns: Any = UNSET

    @property
    def converter(self) -> cattrs.Converter:
        """The value converter of the recorder that decorated the function."""
        return self.core.converter

    @property
    def returns(self) -> Any:
        """The return annotation values are structured back into on replay."""
        # Resolved on first replay, not at decoration: annotations may name classes defined later.
        if self._returns is UNSET:
            self._returns = return_type(self.function)
        return self._returns

    def redacted(self, plain: Any, found: SecretValues | None) -> Any:
        """*plain* under the secret rules, alike on record and replay (keys and outputs must match).

        Args:
            plain: A value already converted to plain data.
            found: The session's removed values (fed, and replaced in *plain*).
        """
        return self.core.options.filters.redact_value(plain, found)

    def restored(self, plain: Any) -> Any:
        """A recorded value structured back into the function's return type."""
        return from_plain(self.converter, plain, self.returns)

    def _ask(
        self, session: OperationSession, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        raise NotImplementedError

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        session = current_session.get()
        if session is None or inside_interception.get():
            return function(*args, **kwargs)
        call = self._ask(session, args, kwargs)
        if call.answered:
            return call.value
        with _intercepting():
            try:
                value = function(*args, **kwargs)
            except Exception as error:
                call.raised(error)
                raise
        call.returned(value)
        return value

    async def acall(
        self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        session = current_session.get()
        if session is None or inside_interception.get():
            return await function(*args, **kwargs)
        call = self._ask(session, args, kwargs)
        if call.answered:
            return call.value
        with _intercepting():
            try:
                value = await function(*args, **kwargs)
            except Exception as error:
                call.raised(error)
                raise
        call.returned(value)
        return value


class InputIntercept(_Intercept):
    """An ``intercept_input`` function: its result is recorded under the call's canonical key."""

    def __init__(
        self,
        core: RecorderCore,
        function: Callable[..., Any],
        alias: str,
        *,
        capture_args: Sequence[Any] | bool | None,
        run_intercepted_when_missing: bool,
        value_when_missing: Any,
        fallback_aliases: Sequence[str] | Callable[..., Sequence[str]] | None,
        data_handler: InputDataHandler | None,
    ) -> None:
        super().__init__(core, function, alias, capture_args)
        self.run_intercepted_when_missing = run_intercepted_when_missing
        self.value_when_missing = value_when_missing
        self.fallback_aliases = fallback_aliases
        self.data_handler = data_handler

    def _ask(
        self, session: OperationSession, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        return session.input_call(self, args, kwargs)

    def key(self, args: tuple[Any, ...], kwargs: dict[str, Any], found: SecretValues | None = None) -> str:
        """The canonical key of a call: the alias and the captured arguments as plain data (redacted)."""
        return key_for(self.alias, self.plain_arguments(args, kwargs, found))

    def plain_arguments(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], found: SecretValues | None = None
    ) -> Any:
        """The captured arguments of a call as plain data, redacted: with any alias, they make its key."""
        return self.redacted(self.shape.plain_arguments(self.converter, self.alias, args, kwargs), found)

    def storable(
        self,
        key: str,
        value: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        found: SecretValues | None = None,
    ) -> Any:
        """A call's result as the plain data a recording keeps (through the data handler, if any)."""
        if self.data_handler is not None:
            value = self.data_handler.prepare_input_for_recording(key, value, args, kwargs)
        return self.redacted(to_plain(self.converter, value, self.alias), found)

    def restored_input(self, plain: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A recorded result as the function returns it (through the data handler, if any)."""
        if self.data_handler is not None:
            return self.data_handler.restore_input_from_recording(plain, args, kwargs)
        return self.restored(plain)


class OutputIntercept(_Intercept):
    """An ``intercept_output`` function: its arguments and result are recorded; a replay never runs it."""

    def __init__(
        self,
        core: RecorderCore,
        function: Callable[..., Any],
        alias: str,
        *,
        fail_on_no_recorded_result: bool,
        data_handler: OutputDataHandler | None,
    ) -> None:
        super().__init__(core, function, alias, None)
        self.fail_on_no_recorded_result = fail_on_no_recorded_result
        self.data_handler = data_handler

    def _ask(
        self, session: OperationSession, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> InterceptedCall:
        return session.output_call(self, args, kwargs)

    def arguments(
        self, key: str, args: tuple[Any, ...], kwargs: dict[str, Any], found: SecretValues | None = None
    ) -> Any:
        """What is kept of a call's arguments, as plain data, redacted (through the data handler, if any)."""
        if self.data_handler is not None:
            # As playback: the handler sees the call's arguments without the method's self (or cls).
            if self.shape.skips_first:
                args = args[1:]
            arguments = self.data_handler.prepare_output_for_recording(key, args, kwargs)
        else:
            arguments = self.shape.arguments(args, kwargs)
        return self.redacted(to_plain(self.converter, arguments, self.alias), found)

    def storable(self, result: Any, found: SecretValues | None = None) -> Any:
        """A call's result as the plain data a recording keeps, redacted."""
        return self.redacted(to_plain(self.converter, result, self.alias), found)
