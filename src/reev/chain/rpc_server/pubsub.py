"""The websocket side: signatureSubscribe / signatureUnsubscribe.

Clients such as @solana/web3.js confirm a transaction by subscribing to its
signature. Here every transaction is final the moment it lands, so a subscription
to an already processed signature is notified right away, and one to a future
signature when it lands; like Solana's, a signature subscription fires once and ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.dispatch import RPC_JSON_LIMITS
from reev.chain.rpc_server.errors import (
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    RpcError,
    invalid_params,
)
from reev.chain.rpc_server.params import signature as parse_signature
from reev.chain.rpc_server.records import TxRecord
from reev.inputs import JsonLimitError, JsonSyntaxError, load_json


class PubSub:
    """Signature subscriptions across all websocket connections of one server."""

    def __init__(self, state: ChainState) -> None:
        self.state = state
        self._ids = itertools.count(1)
        self._by_signature: dict[str, dict[int, WebSocket]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        state.listeners.append(self._landed)

    def _notification(self, record: TxRecord, sub_id: int) -> dict[str, Any]:
        return {
            "jsonrpc": "2.0",
            "method": "signatureNotification",
            "params": {
                "result": {"context": {"slot": record.slot}, "value": {"err": record.err}},
                "subscription": sub_id,
            },
        }

    def _landed(self, record: TxRecord) -> None:
        for sub_id, ws in self._by_signature.pop(record.signature, {}).items():
            self._send_later(ws, self._notification(record, sub_id))

    def _send_later(self, ws: WebSocket, message: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(_send(ws, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def serve(self, ws: WebSocket) -> None:
        """Handle one websocket connection until the client leaves."""
        await ws.accept()
        mine: set[int] = set()
        try:
            while True:
                text = await ws.receive_text()
                for message in self._handle(ws, text, mine):
                    await _send(ws, message)
        except WebSocketDisconnect:
            pass
        finally:
            for subs in self._by_signature.values():
                for sub_id in mine:
                    subs.pop(sub_id, None)

    def _handle(self, ws: WebSocket, text: str, mine: set[int]) -> list[dict[str, Any]]:
        """The messages to send back, in order."""
        try:
            request = load_json(text, RPC_JSON_LIMITS)
        except JsonLimitError as exc:
            reason = None if isinstance(exc, JsonSyntaxError) else str(exc)
            return [_error(None, RpcError(PARSE_ERROR, "Parse error", reason))]
        if not isinstance(request, dict) or request.get("jsonrpc") != "2.0":
            return [_error(None, RpcError(INVALID_REQUEST, "Invalid request"))]
        id_ = request.get("id")
        params = request.get("params") or []
        method = request.get("method")
        try:
            if method == "signatureSubscribe":
                sub_id, done = self._subscribe(ws, params, mine)
                out = [_result(id_, sub_id)]
                if done is not None:  # already final: notify right after the id
                    out.append(self._notification(done, sub_id))
                return out
            if method == "signatureUnsubscribe":
                if len(params) != 1 or not isinstance(params[0], int):
                    raise invalid_params("expected [subscription id]")
                found = False
                for subs in self._by_signature.values():
                    found = subs.pop(params[0], None) is not None or found
                mine.discard(params[0])
                return [_result(id_, found)]
            raise RpcError(METHOD_NOT_FOUND, "Method not found")
        except RpcError as exc:
            return [_error(id_, exc)]

    def _subscribe(self, ws: WebSocket, params: Any, mine: set[int]) -> tuple[int, TxRecord | None]:
        if not isinstance(params, list) or not 1 <= len(params) <= 2:
            raise invalid_params("expected [signature, config?]")
        parse_signature(params[0])
        sub_id = next(self._ids)
        record = self.state.records.get(params[0])
        if record is None:
            self._by_signature.setdefault(params[0], {})[sub_id] = ws
            mine.add(sub_id)
        return sub_id, record


async def _send(ws: WebSocket, message: dict[str, Any]) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # the client may have left
        await ws.send_text(json.dumps(message))


def _result(id_: Any, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "result": result, "id": id_}


def _error(id_: Any, err: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": err.to_json(), "id": id_}
