"""The JSON-RPC 2.0 envelope: parse a request body, run each call, build responses.

Single requests and batches; notifications (no `id`) are run but not answered;
malformed JSON is -32700, a malformed request object or an empty batch -32600, an
unknown method -32601. A handler's unexpected exception becomes -32603 with its text,
and the server keeps serving. Bodies are parsed within `RPC_JSON_LIMITS` (nesting depth,
integer digits, finite numbers): anything beyond is -32700 with the limit named.
"""

from __future__ import annotations

import logging
from typing import Any

from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.errors import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    RpcError,
    invalid_params,
)
from reev.chain.rpc_server.methods import METHODS, Handler
from reev.inputs import JsonLimitError, JsonLimits, JsonSyntaxError, load_json

log = logging.getLogger(__name__)
MAX_BATCH = 1000
MAX_BODY = 24 * 1_048_576  # a 10 MiB account (20 MiB of hex) fits surfnet_setAccount
RPC_JSON_LIMITS = JsonLimits(max_bytes=MAX_BODY, max_depth=32, max_int_digits=40)


def _error(id_: Any, err: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": err.to_json(), "id": id_}


def _valid_id(value: Any) -> bool:
    return value is None or (isinstance(value, (str, int, float)) and not isinstance(value, bool))


def call(
    state: ChainState, request: Any, methods: dict[str, Handler] = METHODS
) -> dict[str, Any] | None:
    """Run one request object; None for a notification."""
    if (
        not isinstance(request, dict)
        or request.get("jsonrpc") != "2.0"
        or not isinstance(request.get("method"), str)
        or not _valid_id(request.get("id"))
    ):
        id_ = request.get("id") if isinstance(request, dict) else None
        return _error(id_ if _valid_id(id_) else None, RpcError(INVALID_REQUEST, "Invalid request"))
    is_notification = "id" not in request
    id_ = request.get("id")
    try:
        handler = methods.get(request["method"])
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not found")
        params = request.get("params", [])
        if params is None:
            params = []
        if not isinstance(params, list):
            raise invalid_params("positional parameters (a JSON array) are required")
        result = handler(state, params)
    except RpcError as exc:
        return None if is_notification else _error(id_, exc)
    except Exception as exc:  # a handler bug must not take the server down
        log.exception("internal error in %s", request["method"])
        err = RpcError(INTERNAL_ERROR, "Internal error", f"{type(exc).__name__}: {exc}")
        return None if is_notification else _error(id_, err)
    return None if is_notification else {"jsonrpc": "2.0", "result": result, "id": id_}


def handle_body(state: ChainState, body: bytes, methods: dict[str, Handler] = METHODS) -> Any:
    """The response document for a request body, or None when nothing is to be sent."""
    try:
        payload = load_json(body, RPC_JSON_LIMITS)
    except JsonLimitError as exc:
        reason = None if isinstance(exc, JsonSyntaxError) else str(exc)
        return _error(None, RpcError(PARSE_ERROR, "Parse error", reason))
    if isinstance(payload, list):
        if not payload:
            return _error(None, RpcError(INVALID_REQUEST, "Invalid request"))
        if len(payload) > MAX_BATCH:
            return _error(None, RpcError(INVALID_REQUEST, f"Batch too large; max {MAX_BATCH}"))
        responses = [r for r in (call(state, item, methods) for item in payload) if r is not None]
        return responses or None
    return call(state, payload, methods)
