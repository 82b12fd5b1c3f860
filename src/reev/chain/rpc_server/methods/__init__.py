"""The method table: JSON-RPC method name → handler(state, params)."""

from __future__ import annotations

from reev.chain.rpc_server.methods import (
    accounts,
    cheatcodes,
    cluster,
    snapshot,
    tokens,
    transactions,
)
from reev.chain.rpc_server.methods.common import Handler

METHODS: dict[str, Handler] = {
    **cluster.METHODS,
    **accounts.METHODS,
    **tokens.METHODS,
    **transactions.METHODS,
    **cheatcodes.METHODS,
    **snapshot.METHODS,
}

__all__ = ["METHODS", "Handler"]
