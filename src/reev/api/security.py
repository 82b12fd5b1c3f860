"""Security rules of the API: bearer tokens, body size, where the server may bind, which
Host names it answers to, which endpoints a posted run may use.

- Mutating routes (POST) need `Authorization: Bearer <REEV_API_TOKEN>` when a token is
  set; reads stay open so a dashboard can show results. Tokens compare in constant time.
- Bodies larger than `max_body_bytes` are refused with 413 before they are parsed.
- Without a token the server binds only to loopback unless told `--insecure`.
- Requests whose `Host` is not an allowed name are refused with 400 (loopback names by
  default): a page on evil.example whose name is re-pointed at 127.0.0.1 (DNS rebinding)
  sends `Host: evil.example`, so it cannot drive a loopback API from a browser. The rule
  lives in `reev.inputs.hosts`, shared with `reev validator`.
- A run posted with a `base_url` is refused with 400 unless the URL is inside one of the
  server's allowed endpoints (none by default): the server attaches its own API key to
  every call to that URL, so choosing it is the server operator's decision.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from reev.inputs.hosts import (
    AllowedHostsMiddleware,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    host_allowed,
    host_name,
    send_json_refusal,
)

__all__ = [
    "AllowedHostsMiddleware",
    "BodyLimitMiddleware",
    "base_url_refusal",
    "base_url_within",
    "bind_refusal",
    "host_allowed",
    "host_name",
    "is_loopback",
    "token_dependency",
]


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, token: str | None, insecure: bool) -> str | None:
    """Why the server must not bind to `host` (None when it may)."""
    if is_loopback(host) or token or insecure:
        return None
    return (
        f"refusing to listen on {host} without REEV_API_TOKEN: anyone who can reach it "
        "could queue runs. Set REEV_API_TOKEN, bind to 127.0.0.1, or pass --insecure."
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_dependency(token: str | None) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency enforcing the bearer token on mutating methods (every method
    but GET/HEAD/OPTIONS); a no-op when no token is set."""
    expected = token.encode() if token else None

    async def check(request: Request) -> None:  # async: no thread-pool hop per request
        if expected is None or request.method in SAFE_METHODS:
            return
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise HTTPException(
                status_code=401,
                detail="missing or wrong bearer token (Authorization: Bearer <REEV_API_TOKEN>)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check


class BodyLimitMiddleware:
    """Refuse request bodies over `limit` bytes with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send)
                    return
        received = 0
        refused = False

        async def limited() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # after the 413, whatever the app answers is dropped
                await send(message)

        await self.app(scope, limited, guarded_send)

    async def _refuse(self, send: Send) -> None:
        await send_json_refusal(send, 413, f"request body larger than {self.limit} bytes")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _endpoint(url: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path without trailing slash), or None when not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme], parts.path.rstrip("/")


def base_url_within(base_url: str, allowed: str) -> bool:
    """True when `base_url` is `allowed` or below it (same scheme, host and port; the path
    equal or under it at a `/`); `*` allows any URL. `..` segments never match."""
    if allowed.strip() == "*":
        return True
    url, root = _endpoint(base_url), _endpoint(allowed)
    if url is None or root is None or url[:3] != root[:3]:
        return False
    if ".." in url[3].split("/") or "%2e" in url[3].lower():
        return False
    return url[3] == root[3] or url[3].startswith(root[3] + "/")


def base_url_refusal(base_url: str | None, allowed: Sequence[str]) -> str | None:
    """Why a posted run may not use `base_url` (None when it may, or when none is given)."""
    if not base_url:
        return None
    if any(base_url_within(base_url, a) for a in allowed):
        return None
    if not allowed:
        return (
            "this server accepts no base_url in posted runs: it would send its own API key "
            "there. The operator can allow endpoints with `reev serve --allow-base-url URL` "
            "(or REEV_ALLOWED_BASE_URLS)"
        )
    return f"base_url is not inside an endpoint this server allows: {', '.join(allowed)}"
