"""Tool calls written as text, read back: the formats local models use.

Models without a server-side grammar write their calls in the reply text instead of the
API's `tool_calls` field. Recognised here (documented in docs/agents.md):

- `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` — Qwen 2.5 / Hermes;
- a ```json fenced block, or a bare JSON object, holding `{"name", "arguments"}`,
  `{"name", "parameters"}` (Llama 3), `{"function": {"name", "arguments"}}` (OpenAI's
  shape written out), `{"tool_calls": [...]}` (reev's JSON mode), or a list of these;
- `[TOOL_CALLS] [...]` (Mistral).

Only names and arguments are read: the harness validates them and builds the
instructions itself. JSON with `//` or `/* */` comments or trailing commas is repaired
(unambiguous); anything else that looks like a call but cannot be read is reported as
malformed, so the agent can ask once for a corrected call. A reply that imitates a tool
result instead of calling a tool is recognised too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCED = re.compile(r"```(?:json|tool_call|tool_code)?\s*\n?(.*?)```", re.DOTALL)
_MISTRAL = re.compile(r"\[TOOL_CALLS\]\s*(\[.*\])", re.DOTALL)
_IMITATION_START = re.compile(r"^\s*(?:\**\s*tool[ _]results?\b|\[tool results?\])", re.IGNORECASE)
_IMITATION = re.compile(r"</?tool_results?>|</?tool_response>", re.IGNORECASE)
_LOOKS_LIKE_CALL = re.compile(
    r"<tool_call>|\"tool_calls\"|\[TOOL_CALLS\]|\"(?:name|function)\"\s*:", re.IGNORECASE
)


@dataclass(frozen=True)
class TextToolCall:
    """One tool call read from a model's text."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass
class TextReading:
    """What a reply's text holds: calls, or why it holds none."""

    calls: list[TextToolCall] = field(default_factory=list)
    malformed: str | None = None  # looked like a call but could not be read: why
    imitation: bool = False  # wrote a tool result instead of calling a tool


def repair_json(text: str) -> str:
    """`text` without `//` and `/* */` comments and trailing commas (outside strings)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end == -1 else end + 2
        else:
            out.append(ch)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def _decode_first(text: str) -> tuple[Any, str | None]:
    """The first JSON value ({...} or [...]) in `text`, repaired if needed; or the error."""
    starts = [p for p in (text.find("{"), text.find("[")) if p != -1]
    if not starts:
        return None, "no JSON object"
    start = min(starts)
    decoder = json.JSONDecoder()
    first_error = None
    for candidate in (text[start:], repair_json(text[start:])):
        try:
            value, _ = decoder.raw_decode(candidate)
            return value, None
        except json.JSONDecodeError as exc:
            first_error = first_error or f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return None, first_error


def _one_call(obj: Any) -> dict[str, Any] | None:
    """{name, arguments} from the shapes models write, or None."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("function"), dict):
        obj = obj["function"]
    name = obj.get("name")
    if not isinstance(name, str) or not name or not ("arguments" in obj or "parameters" in obj):
        return None
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(repair_json(args)) if args.strip() else {}
        except json.JSONDecodeError:
            args = {}
    return {"name": name, "arguments": args if isinstance(args, dict) else {}}


def _calls_in(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, dict) and isinstance(value.get("tool_calls"), list):
        value = value["tool_calls"]
    items = value if isinstance(value, list) else [value]
    calls = [_one_call(v) for v in items]
    if not calls or any(c is None for c in calls):
        return None
    return [c for c in calls if c is not None]


def _candidates(text: str) -> list[str]:
    tagged = _TAGGED.findall(text)
    if tagged:
        return tagged
    mistral = _MISTRAL.search(text)
    if mistral:
        return [mistral.group(1)]
    fenced = _FENCED.findall(text)
    return fenced or [text]


def read_text_calls(text: str, turn: int, known_names: set[str] | None = None) -> TextReading:
    """The tool calls in a reply's text (see module docstring).

    With `known_names`, a JSON object naming no known tool is not taken for a call (a
    model may show JSON in a final answer); without it, every call-shaped object counts.
    """
    if _IMITATION_START.search(text):  # "Tool results: ..." is never a call, whatever follows
        return TextReading(imitation=True)
    raw: list[dict[str, Any]] = []
    error: str | None = None
    for chunk in _candidates(text):
        value, problem = _decode_first(chunk)
        if problem is not None:
            error = error or problem
            continue
        calls = _calls_in(value)
        if calls is None:
            continue
        raw.extend(calls)
    if known_names is not None:
        raw = [c for c in raw if c["name"] in known_names]
    if raw:
        return TextReading(
            calls=[
                TextToolCall(id=f"text-{turn}-{i}", name=c["name"], arguments=c["arguments"])
                for i, c in enumerate(raw)
            ]
        )
    if _IMITATION.search(text):
        return TextReading(imitation=True)
    if error is not None and _LOOKS_LIKE_CALL.search(text):
        return TextReading(malformed=error)
    return TextReading()
