"""Agent tools: name, JSON schema and a handler that builds instructions or reads state.

Tools never execute transactions: the harness signs and runs what a handler returns.
"""

from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput
from reev.tools.registry import TOOLS, get_tool, tool_names

__all__ = ["TOOLS", "Tool", "ToolContext", "ToolError", "ToolOutput", "get_tool", "tool_names"]
