"""JSON and grammar tool modes, for models without native tool calling.

The tools are listed in the system prompt (one signature line each, grouped by family)
and the model writes its calls as a JSON object in its reply:

    {"tool_calls": [{"name": "sol_transfer", "arguments": {"user_pubkey": "...", ...}}]}

(any format `text_calls.py` reads is accepted). In grammar mode the server constrains
decoding to `tool_menu.reply_schema`, so every reply is such an object or
`{"answer": "..."}`.

Results go back in a form the model cannot take for its own turn: the `tool` role when
the agent is configured for it (`results_role="tool"`, for servers whose chat template
renders it, as Qwen's does), else a user message holding one delimited
`<tool_results>` block that says it comes from the harness. Before, results came back as
a user message starting "Tool results:", and a small model went on writing "Tool
results:" itself, inventing results instead of calling a tool.

Only tool *calls* are read from the text — names and arguments, which the harness
validates and turns into instructions itself. Instructions written in the text are
never executed.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from reev.agents.text_calls import TextReading, TextToolCall, read_text_calls
from reev.agents.tool_menu import ToolMenu, grouped_signatures

ResultsRole = Literal["user", "tool"]

JSON_MODE_INSTRUCTIONS = """\

To call tools, reply with only this JSON object and nothing else:
{{"tool_calls": [{{"name": "<tool>", "arguments": {{...}}}}]}}
The harness runs the calls and sends the results in a <tool_results> block. Never write \
results yourself. When the request is done, reply in plain text without JSON.

Tools:
{tools}"""

GRAMMAR_MODE_INSTRUCTIONS = """\

Reply with one JSON object: {{"tool_calls": [{{"name": "<tool>", "arguments": {{...}}}}]}} \
to call tools (the harness sends the results back), or {{"answer": "<summary>"}} when the \
request is done or cannot be done.

Tools:
{tools}"""

RESULTS_NOTE = (
    "(From the harness, not the user. Next: call a tool with a JSON object, "
    "or reply in plain text if the request is done.)"
)

IMITATION_CORRECTION = (
    "That was not a tool call: tool results come only from the harness, after you call "
    "a tool. To act, call a tool{how}; if the request is done, reply with a short summary."
)
MALFORMED_CORRECTION = (
    "Your tool call could not be read ({why}). Send it again{how}, with no comments or other text."
)


def mode_instructions(menu: ToolMenu, grammar: bool) -> str:
    """The system-prompt section describing the tools and the reply format."""
    template = GRAMMAR_MODE_INSTRUCTIONS if grammar else JSON_MODE_INSTRUCTIONS
    return template.format(tools=grouped_signatures(menu))


def results_messages(
    results: list[tuple[str, str, dict[str, Any]]], role: ResultsRole
) -> list[dict[str, Any]]:
    """The messages carrying (call id, tool name, payload) results back to the model."""
    if role == "tool":
        return [
            {"role": "tool", "tool_call_id": call_id, "content": _dump({"name": name, **payload})}
            for call_id, name, payload in results
        ]
    block = _dump([{"name": name, **payload} for _id, name, payload in results])
    return [
        {"role": "user", "content": f"<tool_results>\n{block}\n</tool_results>\n{RESULTS_NOTE}"}
    ]


def correction_message(kind: str, detail: str | None, native: bool) -> dict[str, Any]:
    """The one short user message answering an imitation or a malformed call."""
    how = "" if native else " with only the JSON object"
    if kind == "imitated_tool_result":
        text = IMITATION_CORRECTION.format(how=how)
    else:
        text = MALFORMED_CORRECTION.format(why=detail or "not valid JSON", how=how)
    return {"role": "user", "content": text}


def read_grammar_reply(text: str, turn: int) -> tuple[list[TextToolCall], str | None, TextReading]:
    """(calls, final answer, reading) of a grammar-mode reply.

    A server that ignored the grammar may still answer in free text: it is read like a
    JSON-mode reply, and plain text is the answer.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if isinstance(value, dict) and isinstance(value.get("answer"), str):
        return [], value["answer"], TextReading()
    reading = read_text_calls(text, turn)
    return reading.calls, None, reading


def parse_text_tool_calls(text: str, turn: int) -> list[TextToolCall] | None:
    """The tool calls in a reply, or None when it holds none (a final answer)."""
    return read_text_calls(text, turn).calls or None


def _dump(payload: Any) -> str:
    return json.dumps(payload, default=str, separators=(",", ":"))
