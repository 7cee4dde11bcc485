"""What is kept of a request or response before it is recorded or matched; hooks fail closed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from ._errors import ConfigurationError
from ._models import Request, Response

RequestHook = Callable[[Request], "Request | None"]
ResponseHook = Callable[[Response], "Response | None"]


def _hook_name(hook: object) -> str:
    return getattr(hook, "__qualname__", None) or repr(hook)


@attrs.frozen
class Filters:
    """The request and response transformations applied before recording and before matching.

    A request hook returning None marks the request as *ignored*: it is neither recorded nor replayed.
    A response hook returning None means "do not record this interaction". A hook that raises stops the
    request with a `ConfigurationError` naming the hook: it never silently lets a secret through.
    """

    request_hooks: tuple[RequestHook, ...] = ()
    response_hooks: tuple[ResponseHook, ...] = ()

    def request(self, request: Request) -> Request | None:
        """Apply the request hooks in order; None when one of them drops the request."""
        for hook in self.request_hooks:
            try:
                result = hook(request)
            except Exception as error:
                raise ConfigurationError(f"request filter {_hook_name(hook)} raised {error!r}") from error
            if result is None:
                return None
            request = result
        return request

    def response(self, response: Response) -> Response | None:
        """Apply the response hooks in order; None when one of them says not to record."""
        for hook in self.response_hooks:
            try:
                result = hook(response)
            except Exception as error:
                raise ConfigurationError(f"response filter {_hook_name(hook)} raised {error!r}") from error
            if result is None:
                return None
            response = result
        return response


def as_hooks(
    value: Callable[..., object] | Sequence[Callable[..., object]] | None,
) -> tuple[Callable[..., object], ...]:
    """Accept one callable, a list of them, or None."""
    if value is None:
        return ()
    if callable(value):
        return (value,)
    return tuple(value)


NO_FILTERS = Filters()
