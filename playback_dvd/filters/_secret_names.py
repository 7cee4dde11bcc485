"""Which field names hold secrets: the default list, the name pattern, and how a name is compared.

A name is compared *normalized*: camelCase split into words, lower-cased, ``-`` and spaces as ``_``. So
``X-Auth-Token``, ``x_auth_token`` and ``xAuthToken`` are one name, ``x_auth_token``; one list serves
headers, query parameters, form, JSON and multipart fields, intercepted argument names and dict keys.
"""

from __future__ import annotations

import functools
import re

#: The names redacted by default, normalized (see `normalize_name`). docs/secrets.md lists them too.
DEFAULT_SECRET_NAMES: frozenset[str] = frozenset(
    {
        # HTTP authentication and sessions
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        # API keys
        "api_key",
        "apikey",
        "x_api_key",
        "x_goog_api_key",
        "ocp_apim_subscription_key",
        "x_functions_key",
        # OAuth 2 / OpenID Connect
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "client_assertion",
        "code_verifier",
        "token",
        "jwt",
        "private_token",
        # passwords and generic secrets
        "password",
        "passwd",
        "pwd",
        "secret",
        "secret_key",
        "private_key",
        "csrfmiddlewaretoken",
        # cloud signatures and credentials (AWS SigV2/SigV4, GCP signed URLs, Azure SAS)
        "aws_secret_access_key",
        "secret_access_key",
        "x_amz_security_token",
        "x_amz_signature",
        "x_amz_credential",
        "x_goog_signature",
        "x_goog_credential",
        "signature",
        "sig",
    }
)

#: A normalized name ending with one of these is a secret too (``session_token``, ``api_secret``...).
SECRET_NAME_SUFFIXES: tuple[str, ...] = (
    "_token",
    "_secret",
    "_password",
    "_passwd",
    "_api_key",
    "_apikey",
    "_secret_key",
    "_private_key",
)

#: Names the pattern would catch that are not credentials: pagination and idempotency tokens. A replay
#: needs them in clear only for readability (both sides would be redacted alike), but nobody calls them
#: secrets, so they stay.
NOT_SECRET_BY_DEFAULT: frozenset[str] = frozenset(
    {
        "page_token",
        "next_page_token",
        "next_token",
        "continuation_token",
        "next_continuation_token",
        "sync_token",
        "resume_token",
        "cancellation_token",
        "idempotency_token",
    }
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[-\s.]+")


@functools.lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """*name* as it is compared: ``X-Auth-Token`` and ``xAuthToken`` both give ``x_auth_token``."""
    return _SEPARATORS.sub("_", _CAMEL.sub("_", name)).lower()


_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def placeholder_for(name: str) -> str:
    """The stable, readable placeholder of a value removed from the field *name*: ``<REDACTED:name>``.

    Characters other than letters, digits, ``_ . -`` become ``_``, so the placeholder never needs escaping
    in JSON, a query string or a header.
    """
    return f"<REDACTED:{_UNSAFE.sub('_', name)}>"


_ENCODED_PLACEHOLDER = re.compile(r"%3CREDACTED(?::|%3A)([A-Za-z0-9_.\-]+)%3E", re.IGNORECASE)


def unquote_placeholders(url: str) -> str:
    """*url* with percent-encoded placeholders written plainly.

    A replayed body hands the code ``<REDACTED:access_token>``; httpx sends it as
    ``%3CREDACTED%3Aaccess_token%3E`` in a path, while the recording holds the plain placeholder where the
    live value was replaced. Both sides are compared plainly.
    """
    if "%3C" not in url and "%3c" not in url:
        return url
    return _ENCODED_PLACEHOLDER.sub(r"<REDACTED:\1>", url)


def is_placeholder(value: str) -> bool:
    """Whether *value* is already a placeholder (redacting twice changes nothing)."""
    return value.startswith("<REDACTED") and value.endswith(">")
