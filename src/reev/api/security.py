"""Security rules of the API: bearer tokens, body size, where the server may bind.

- Mutating routes (POST) need `Authorization: Bearer <REEV_API_TOKEN>` when a token is
  set; reads stay open so a dashboard can show results. Tokens compare in constant time.
- Bodies larger than `max_body_bytes` are refused with 413 before they are parsed.
- Without a token the server binds only to loopback unless told `--insecure`.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException, Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


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


def token_dependency(token: str | None) -> Callable[[Request], None]:
    """A FastAPI dependency enforcing the bearer token on mutating methods (every method
    but GET/HEAD/OPTIONS); a no-op when no token is set."""
    expected = token.encode() if token else None

    def check(request: Request) -> None:
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
        body = f'{{"detail":"request body larger than {self.limit} bytes"}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
