"""JSON tool-call mode, for models without native tool calling.

The tools are described in the system prompt and the model writes its calls as a JSON
object in its reply:

    {"tool_calls": [{"name": "sol_transfer", "arguments": {"user_pubkey": "...", ...}}]}

(a single `{"name": ..., "arguments": {...}}` object is accepted too, fenced in ```json or
not). Only tool *calls* are read from the text — names and arguments, which the harness
validates and turns into instructions itself. Instructions written in the text are
never executed. Results come back as a user message starting with "Tool results:".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from reev.tools.base import Tool

JSON_MODE_INSTRUCTIONS = """\

Tools. You cannot call tools natively: to call them, reply with only a JSON object of this \
form, and nothing else:
{{"tool_calls": [{{"name": "<tool name>", "arguments": {{...}}}}]}}
You will get the results in a message starting with "Tool results:". When you are done, \
reply in plain text without any JSON.

Available tools (name, description, JSON schema of the arguments):
{tools}"""


@dataclass(frozen=True)
class TextToolCall:
    """One tool call read from a model's text."""

    id: str
    name: str
    arguments: dict[str, Any]


def json_mode_instructions(tools: list[Tool[Any]]) -> str:
    """The system-prompt section describing the tools and the reply format."""
    listed = "\n".join(
        f"- {t.name}: {t.description}\n  {json.dumps(t.parameters_schema(), sort_keys=True)}"
        for t in tools
    )
    return JSON_MODE_INSTRUCTIONS.format(tools=listed)


def _calls_from(obj: Any) -> list[dict[str, Any]] | None:
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("tool_calls"), list):
        calls = [c for c in obj["tool_calls"] if isinstance(c, dict)]
        return calls if len(calls) == len(obj["tool_calls"]) else None
    if isinstance(obj.get("name"), str) and "arguments" in obj:
        return [obj]
    return None


def parse_text_tool_calls(text: str, turn: int) -> list[TextToolCall] | None:
    """The tool calls in a reply, or None when it holds none (a final answer).

    The first JSON object in the text that has the documented shape wins. Arguments given
    as a JSON string are decoded; arguments that are not an object become `{}` so the
    harness reports the missing fields back to the model.
    """
    decoder = json.JSONDecoder()
    pos = text.find("{")
    while pos != -1:
        try:
            obj, _end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            pos = text.find("{", pos + 1)
            continue
        calls = _calls_from(obj)
        if calls is not None:
            out = []
            for i, call in enumerate(calls):
                args = call.get("arguments", {})
                if isinstance(args, str):
                    try:
                        args = json.loads(args)
                    except json.JSONDecodeError:
                        args = {}
                out.append(
                    TextToolCall(
                        id=f"json-{turn}-{i}",
                        name=str(call.get("name", "")),
                        arguments=args if isinstance(args, dict) else {},
                    )
                )
            return out
        pos = text.find("{", pos + 1)
    return None
