"""Reading positional JSON-RPC params the way Solana's server does.

Solana methods take a JSON array: required values first, then an optional config
object. Wrong arity or types are "Invalid params"; a value that parses but is not
valid (a bad pubkey) is "Invalid param", as in agave.
"""

from __future__ import annotations

from typing import Any

from solders.pubkey import Pubkey
from solders.signature import Signature

from reev.chain.rpc_server.errors import (
    MIN_CONTEXT_SLOT_NOT_REACHED,
    RpcError,
    invalid_param,
    invalid_params,
)

COMMITMENTS = ("processed", "confirmed", "finalized", "recent", "single", "root", "max")


def arity(params: list[Any], required: int, optional: int = 0) -> list[Any]:
    """`params` padded with None up to required+optional; errors on too few or too many."""
    if len(params) < required:
        raise invalid_params(f"`params` should have at least {required} argument(s)")
    if len(params) > required + optional:
        raise invalid_params(f"Expected from {required} to {required + optional} parameters.")
    return params + [None] * (required + optional - len(params))


def pubkey(value: Any) -> Pubkey:
    """A base58 pubkey parameter."""
    if not isinstance(value, str):
        raise invalid_params("invalid type: expected a base58 pubkey string")
    try:
        return Pubkey.from_string(value)
    except ValueError:
        raise invalid_param("Invalid") from None


def signature(value: Any) -> Signature:
    """A base58 signature parameter."""
    if not isinstance(value, str):
        raise invalid_params("invalid type: expected a base58 signature string")
    try:
        return Signature.from_string(value)
    except ValueError:
        raise invalid_param("Invalid") from None


def u64(value: Any, name: str) -> int:
    """A non-negative integer parameter."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**64:
        raise invalid_params(f"invalid type: {name} must be an unsigned 64-bit integer")
    return value


def config(value: Any, current_slot: int | None = None) -> dict[str, Any]:
    """The optional config object; checks commitment and minContextSlot."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_params("invalid type: expected a config object")
    commitment = value.get("commitment")
    if commitment is not None and commitment not in COMMITMENTS:
        raise invalid_params(f"unknown variant `{commitment}`")
    min_slot = value.get("minContextSlot")
    if min_slot is not None and current_slot is not None and min_slot > current_slot:
        raise RpcError(
            MIN_CONTEXT_SLOT_NOT_REACHED,
            "Minimum context slot has not been reached",
            {"contextSlot": current_slot},
        )
    return value


def encoding(cfg: dict[str, Any], default: str, allowed: tuple[str, ...]) -> str:
    """The config's `encoding`, checked against what the method supports."""
    value = cfg.get("encoding", default)
    if value is None:
        return default
    if value not in allowed:
        raise invalid_params(f"unknown variant `{value}`, expected one of {list(allowed)}")
    return str(value)
