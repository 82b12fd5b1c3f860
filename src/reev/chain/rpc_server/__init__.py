"""`reev validator`: one LiteSVM served over Solana's JSON-RPC (HTTP + websocket),
with surfpool's cheat codes and copy-on-write snapshots. See docs/validator.md.

Server-side only; an RPC *client* backend for SolanaEnv lives elsewhere.
"""

from reev.chain.rpc_server.app import create_app
from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.methods import METHODS
from reev.chain.rpc_server.server import RunningValidator, serve_forever, state_for

__all__ = ["METHODS", "ChainState", "RunningValidator", "create_app", "serve_forever", "state_for"]
