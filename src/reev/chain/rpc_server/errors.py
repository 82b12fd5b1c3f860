"""JSON-RPC 2.0 errors with the codes Solana's RPC uses.

Handlers raise `RpcError`; the dispatcher turns it into the `error` member of a
response. Anything else a handler raises becomes -32603 (Internal error) so that a
bug in one method never takes the server down.
"""

from __future__ import annotations

from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Solana's server-defined codes (agave rpc_custom_error.rs).
SEND_TRANSACTION_PREFLIGHT_FAILURE = -32002
TRANSACTION_SIGNATURE_VERIFICATION_FAILURE = -32003
UNSUPPORTED_TRANSACTION_VERSION = -32015
MIN_CONTEXT_SLOT_NOT_REACHED = -32016


class RpcError(Exception):
    """A JSON-RPC error object: code, message and optional data."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        """The `error` member of a response."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def invalid_params(detail: str) -> RpcError:
    """Malformed parameters (wrong count or type), as jsonrpc-core words it."""
    return RpcError(INVALID_PARAMS, f"Invalid params: {detail}")


def invalid_param(detail: str) -> RpcError:
    """A well-formed parameter with a bad value, as agave words it."""
    return RpcError(INVALID_PARAMS, f"Invalid param: {detail}")
