"""Jupiter tools (swap, Lend Earn deposit/withdraw/mint/redeem, positions, tokens).

reev's tool names and parameters; real calls to Jupiter's API (base URL configurable,
optionally through a cassette); any upstream failure is a ToolError for the agent.
"""

from typing import Any

from reev.tools.base import Tool
from reev.tools.jupiter.client import (
    DEFAULT_JUPITER_URL,
    JupiterClient,
    JupiterError,
)
from reev.tools.jupiter.earn import GET_LEND_EARN_TOKENS, JUPITER_EARN
from reev.tools.jupiter.lend import (
    JUPITER_LEND_EARN_DEPOSIT,
    JUPITER_LEND_EARN_MINT,
    JUPITER_LEND_EARN_REDEEM,
    JUPITER_LEND_EARN_WITHDRAW,
)
from reev.tools.jupiter.swap import JUPITER_SWAP

JUPITER_TOOLS: tuple[Tool[Any], ...] = (
    JUPITER_SWAP,
    JUPITER_LEND_EARN_DEPOSIT,
    JUPITER_LEND_EARN_WITHDRAW,
    JUPITER_LEND_EARN_MINT,
    JUPITER_LEND_EARN_REDEEM,
    JUPITER_EARN,
    GET_LEND_EARN_TOKENS,
)

__all__ = [
    "DEFAULT_JUPITER_URL",
    "JUPITER_TOOLS",
    "JupiterClient",
    "JupiterError",
]
