"""Which `Host` names reev's servers answer to (`reev serve` and `reev validator`).

A web page on evil.example whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) can
make a browser send requests to a server on loopback; they carry `Host: evil.example`. So
both servers refuse HTTP requests (400) and websockets (closed, code 1008) whose Host is
not an allowed name, before any route runs. Allowed by default: the loopback names
`localhost`, `127.0.0.1`, `::1`, plus the address the server binds when it is a specific
one; more with `--allowed-host NAME` or `REEV_ALLOWED_HOSTS=a,b` (`*.example.com` for
subdomains, `*` for any).

Plain ASGI (no FastAPI or Starlette import), so the validator and the API share it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HOSTS_ENV = "REEV_ALLOWED_HOSTS"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("0.0.0.0", "::", "")


async def send_json_refusal(send: Send, status: int, detail: str) -> None:
    """Answer `status` with FastAPI's `{"detail": ...}` as the whole response: for ASGI
    middleware that refuses a request before the app sees it (a wrong Host here, a body
    over the limit in the API)."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def allowed_hosts_from_env() -> list[str]:
    """Comma-separated `REEV_ALLOWED_HOSTS` (added to the loopback names)."""
    return [v.strip() for v in os.environ.get(HOSTS_ENV, "").split(",") if v.strip()]


def server_allowed_hosts(bind_host: str, extra: Iterable[str] | None = None) -> list[str]:
    """The names a server bound to `bind_host` answers to: the loopback names, the bind
    address when it is a specific one, and `extra` (else `REEV_ALLOWED_HOSTS`)."""
    given = list(extra or []) or allowed_hosts_from_env()
    bound = [] if bind_host in WILDCARD_BINDS else [bind_host]
    return [*LOOPBACK_HOSTS, *bound, *given]


def host_name(header: str) -> str:
    """The name of a Host header value: lowercase, without port, brackets or final dot."""
    value = header.strip().lower()
    if value.startswith("["):  # [::1]:3001
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def host_allowed(name: str, allowed: Sequence[str]) -> bool:
    """True when `name` matches an entry: exact, `*.suffix`, or `*` (any)."""
    for entry in allowed:
        pattern = host_name(entry) if entry not in ("*",) and not entry.startswith("*.") else entry
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


class AllowedHostsMiddleware:
    """Refuse HTTP requests (400) and websockets (closed) whose Host is not allowed.

    `hint` tells the reader how to allow a name (the server's own option)."""

    def __init__(
        self,
        app: ASGIApp,
        allowed: Sequence[str],
        hint: str = "reev serve --allowed-host NAME, or REEV_ALLOWED_HOSTS",
    ) -> None:
        self.app = app
        self.allowed = list(allowed)
        self.hint = hint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = ""
        for name, value in scope.get("headers", []):
            if name == b"host":
                header = value.decode("latin-1")
                break
        if host_allowed(host_name(header), self.allowed):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        detail = f"Host {header[:100]!r} is not an allowed name for this server ({self.hint})"
        await send_json_refusal(send, 400, detail)
