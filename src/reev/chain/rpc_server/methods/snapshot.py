"""reev's own methods: reev_snapshot / reev_revert for fast resets (copy-on-write, see
`rpc_server.snapshot`), and reev_getKeyMap (the benchmark's placeholder → pubkey map;
public keys only, never private ones)."""

from __future__ import annotations

from typing import Any

from reev.chain.rpc_server import params as p
from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.errors import invalid_param
from reev.chain.rpc_server.methods.common import Handler, with_context


def get_key_map(state: ChainState, params: list[Any]) -> dict[str, str]:
    """Placeholder → base58 pubkey of the loaded benchmark (empty without one)."""
    p.arity(params, 0)
    return dict(state.key_map)


def snapshot(state: ChainState, params: list[Any]) -> int:
    """Start a copy-on-write snapshot of all accounts; returns its id."""
    p.arity(params, 0)
    return state.snapshots.take()


def revert(state: ChainState, params: list[Any]) -> dict[str, Any]:
    """Restore every account to its state at snapshot `id` (which stays usable)."""
    (sid,) = p.arity(params, 1)
    if not isinstance(sid, int) or sid not in state.snapshots.ids():
        raise invalid_param(f"unknown snapshot id: {sid!r}")
    restored = state.snapshots.revert(sid)
    return with_context(state, {"restoredAccounts": restored, "snapshot": sid})


METHODS: dict[str, Handler] = {
    "reev_getKeyMap": get_key_map,
    "reev_snapshot": snapshot,
    "reev_revert": revert,
}
