"""Real traffic that puts a secret in every place issue 15 lists, and a check that none reached a file.

`exercise` sends it through any httpx or httpx2 client to the local server's ``/reflect`` (which echoes
what it gets in its body, a ``Location`` header and a ``next`` link) and ``/oauth/token`` (which answers fresh
tokens as JSON, a form, or gzip-compressed JSON). It returns what the code under test would use, with the
secrets left out, so a recording and its replay can be compared.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

from playback_dvd._models import DVDDocument
from playback_dvd.formats._files import read_document

URL_PASSWORD = "urlpass-4b1c9e77"
QUERY_API_KEY = "qkey-7d3f2a91c0"
QUERY_ACCESS_TOKEN = "qtok-5e8a1b2c3d"
JSON_PASSWORD = "jpass-19af27bc"
NESTED_CLIENT_SECRET = "csecret-6b2d9e0f"
FORM_PASSWORD = "fpass-83cd01ee"
MULTIPART_PASSWORD = "mpass-0c4f5a6b"
AUTH_TOKEN = "xauth-2f4e6a8c0b"
BEARER = "bearer-7a6b5c4d3e"
COOKIE = "cookie-sess-1a2b3c4d"
X_API_KEY = "xapikey-5d6e7f8a9b"
PROXY_PASSWORD = "proxypass-3c4d5e6f"
#: What /oauth/token answers (tests/_server.py).
SERVER_ACCESS_TOKEN = "srv-access-9f8e7d6c5b4a39281706"
SERVER_REFRESH_TOKEN = "srv-refresh-0a1b2c3d4e5f60718293"
SERVER_ID_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLW9mLXRoZS10ZXN0"

HTTP_SECRETS = (
    URL_PASSWORD,
    QUERY_API_KEY,
    QUERY_ACCESS_TOKEN,
    JSON_PASSWORD,
    NESTED_CLIENT_SECRET,
    FORM_PASSWORD,
    MULTIPART_PASSWORD,
    AUTH_TOKEN,
    BEARER,
    COOKIE,
    X_API_KEY,
    PROXY_PASSWORD,
    SERVER_ACCESS_TOKEN,
    SERVER_REFRESH_TOKEN,
    SERVER_ID_TOKEN,
)


def exercise(client: Any, base_url: str) -> list[Any]:
    """Send every placement through *client* (httpx or httpx2); return the non-secret facts code acts on."""
    host = base_url.removeprefix("http://")
    facts: list[Any] = []
    # URL userinfo password; ?api_key= and ?access_token= (echoed in the body, Location, and a next link)
    first = client.get(
        f"http://user:{URL_PASSWORD}@{host}/reflect",
        params={"id": "1", "api_key": QUERY_API_KEY, "access_token": QUERY_ACCESS_TOKEN},
    )
    facts.append((first.status_code, first.headers["location"].split("?")[0]))
    # the pagination link the server handed back: followed as the code would
    follow = client.get(first.json()["next"])
    facts.append((follow.status_code, "page=2" in follow.json()["query"]))
    # JSON fields at any depth, an X-Auth-Token header and a bearer token (both echoed back)
    posted = client.post(
        f"{base_url}/reflect",
        json={"user": "ann", "password": JSON_PASSWORD, "settings": {"client_secret": NESTED_CLIENT_SECRET}},
        headers={"X-Auth-Token": AUTH_TOKEN, "Authorization": f"Bearer {BEARER}"},
    )
    facts.append(json.loads(posted.json()["body"])["user"])
    # the other default headers: a cookie, an API key, proxy credentials (echoed back in the body)
    proxy = base64.b64encode(f"proxy-user:{PROXY_PASSWORD}".encode()).decode()
    headed = client.post(
        f"{base_url}/reflect",
        content=b"no body secrets",
        headers={
            "Cookie": f"session={COOKIE}",
            "X-Api-Key": X_API_KEY,
            "Proxy-Authorization": f"Basic {proxy}",
        },
    )
    facts.append(headed.json()["body"])
    # a form field and a multipart field
    form = client.post(f"{base_url}/reflect", data={"user": "ann", "password": FORM_PASSWORD})
    facts.append("user=ann" in form.json()["body"])
    multipart = client.post(
        f"{base_url}/reflect",
        data={"password": MULTIPART_PASSWORD},
        files={"upload": ("a.txt", b"file content", "text/plain")},
    )
    facts.append("file content" in multipart.json()["body"])
    # an OAuth exchange: tokens in JSON, form and gzip-compressed JSON responses...
    tokens = client.post(f"{base_url}/oauth/token", data={"grant_type": "client_credentials"}).json()
    facts.append((tokens["token_type"], tokens["expires_in"]))
    form_tokens = client.post(f"{base_url}/oauth/token?format=form", data={"grant_type": "refresh"})
    facts.append("token_type=bearer" in form_tokens.text)
    gzip_tokens = client.post(f"{base_url}/oauth/token?format=gzip", data={"grant_type": "refresh"})
    facts.append(gzip_tokens.json()["token_type"])
    # ...then the token used in a later request, in a header and in the path (echoed back again)
    access = tokens["access_token"]
    used = client.get(f"{base_url}/reflect/{access}/profile", headers={"Authorization": f"Bearer {access}"})
    facts.append(used.status_code)
    return facts


def stored_texts(document: DVDDocument) -> str:
    """Every string a DVD holds, bodies decompressed, as one text: what a reader of the file could see."""
    texts: list[str] = [json.dumps(dict(document.metadata), default=str)]
    for interaction in document.interactions:
        texts.append(interaction.request.url)
        for message in (interaction.request, interaction.response):
            if message is None:
                continue
            texts.extend(f"{name}: {value}" for name, value in message.headers)
            body = message.body
            if any(name.lower() == "content-encoding" and "gzip" in value for name, value in message.headers):
                body = gzip.decompress(body)
            texts.append(body.decode("utf-8", "replace"))
    for key, record in document.inputs.items():
        texts.extend([key, json.dumps(record.value)])
    for output in document.outputs:
        texts.extend([output.key, json.dumps(output.arguments), json.dumps(output.result)])
    return "\n".join(texts)


def leaked(path: Path, secrets: tuple[str, ...] = HTTP_SECRETS) -> list[str]:
    """The secrets found in the file at *path*: in its raw bytes, or once decoded."""
    raw = path.read_bytes()
    document = read_document(path)
    assert document is not None
    decoded = stored_texts(document)

    def spellings(secret: str) -> list[str]:
        # Basic credentials carry a password base64-encoded ("user:password"): that spelling counts too.
        users = ("proxy-user", "user")
        return [secret, *(base64.b64encode(f"{user}:{secret}".encode()).decode() for user in users)]

    return [
        secret
        for secret in secrets
        if any(spelling.encode() in raw or spelling in decoded for spelling in spellings(secret))
    ]
