"""reev's tools as Inspect tools: the same names, descriptions and argument schemas,
each call executed by the step's harness (`DrivenStep.call_tool`)."""

from __future__ import annotations

from typing import Any

from inspect_ai.tool import ToolDef, ToolParams

from reev.agents.tool_results import dump_payload
from reev.bridges.driven import DrivenStep, StepClosedError
from reev.tools.base import Tool
from reev.tools.registry import TOOLS


def inspect_tools(step: DrivenStep) -> list[ToolDef]:
    """Every reev tool (as `reev run`'s LLM agents get them), bound to this step."""
    return [_tool_def(step, TOOLS[name]) for name in sorted(TOOLS)]


def _tool_def(step: DrivenStep, tool: Tool[Any]) -> ToolDef:
    async def execute(**kwargs: Any) -> str:
        try:
            payload = step.call_tool(tool.name, kwargs)
        except StepClosedError as exc:
            payload = {"status": "error", "error": f"{exc}; no more tool calls in it"}
        return dump_payload(payload)

    return ToolDef(
        execute,
        name=tool.name,
        description=tool.description,
        parameters=ToolParams.model_validate(tool.parameters_schema()),
    )
