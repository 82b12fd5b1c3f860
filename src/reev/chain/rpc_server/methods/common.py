"""Pieces every method module shares: the handler type and the RpcResponse wrapper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reev.chain.rpc_server.chain_state import ChainState

# The Solana RPC API version this server speaks (reported by getVersion and in
# every context). It names the API, not a validator binary: there is none here.
API_VERSION = "2.2.0"

Handler = Callable[[ChainState, list[Any]], Any]


def with_context(state: ChainState, value: Any) -> dict[str, Any]:
    """`{"context": {"apiVersion", "slot"}, "value": value}`, Solana's RpcResponse."""
    return {"context": {"apiVersion": API_VERSION, "slot": state.slot}, "value": value}
