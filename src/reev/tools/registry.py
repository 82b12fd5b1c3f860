"""All tools by name: reev's own, and those installed packages add (`reev` entry points,
docs/plugins.md)."""

from __future__ import annotations

from typing import Any

from reev.plugins.registry import PluginError, Registry
from reev.tools.balance import GET_ACCOUNT_BALANCE
from reev.tools.base import Tool, ToolError
from reev.tools.jupiter import JUPITER_TOOLS
from reev.tools.program_tools import PROGRAM_TOOLS
from reev.tools.token_tools import TOKEN_TOOLS
from reev.tools.transfers import SOL_TRANSFER, SPL_TRANSFER

_ALL: tuple[Tool[Any], ...] = (
    SOL_TRANSFER,
    SPL_TRANSFER,
    GET_ACCOUNT_BALANCE,
    *TOKEN_TOOLS,
    *PROGRAM_TOOLS,
    *JUPITER_TOOLS,
)
TOOLS: Registry[Tool[Any]] = Registry("tool", {t.name: t for t in _ALL})


def tool_names() -> list[str]:
    """Every tool name, sorted."""
    return sorted(TOOLS)


def get_tool(name: str) -> Tool[Any]:
    """The tool called `name`; ToolError naming the known tools otherwise."""
    try:
        return TOOLS.require(name)
    except PluginError as exc:
        raise ToolError(str(exc)) from None
