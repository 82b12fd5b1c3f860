"""The ASGI app: JSON-RPC over HTTP POST at `/`, `GET /health`, and the websocket
subscriptions at `/` (ws://). Handlers run on the event loop thread, one at a time,
because LiteSVM must not be used from two threads.

Every request and websocket whose `Host` is not an allowed name is refused before it
reaches a handler (`reev.inputs.hosts`, the API's rule): a DNS-rebinding page cannot
drive a validator on loopback (airdrops, cheat codes, time travel)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.dispatch import MAX_BODY, handle_body
from reev.chain.rpc_server.pubsub import PubSub
from reev.inputs.hosts import LOOPBACK_HOSTS, AllowedHostsMiddleware

HOSTS_HINT = "reev validator --allowed-host NAME, or REEV_ALLOWED_HOSTS"


async def _bounded_body(request: Request) -> bytes | None:
    """The body, or None as soon as it is known to exceed MAX_BODY (by header or while
    streaming): a 10 GB upload is refused after MAX_BODY bytes, not buffered."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(state: ChainState, allowed_hosts: Sequence[str] = LOOPBACK_HOSTS) -> Starlette:
    """An app serving `state` to clients whose Host is in `allowed_hosts` (loopback names
    by default); the same app serves HTTP and websocket clients."""
    pubsub = PubSub(state)

    async def rpc(request: Request) -> Response:
        if request.method == "GET":
            return PlainTextResponse("ok")
        body = await _bounded_body(request)
        if body is None:
            return PlainTextResponse(f"request body larger than {MAX_BODY} bytes", status_code=413)
        document = handle_body(state, body)
        if document is None:
            return Response(status_code=200)
        return Response(json.dumps(document), media_type="application/json")

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def websocket(ws: WebSocket) -> None:
        await pubsub.serve(ws)

    return Starlette(
        routes=[
            Route("/", rpc, methods=["POST", "GET"]),
            Route("/health", health, methods=["GET"]),
            WebSocketRoute("/", websocket),
        ],
        middleware=[Middleware(AllowedHostsMiddleware, allowed=allowed_hosts, hint=HOSTS_HINT)],
    )
