"""Which tools an episode offers, and how they are described: grouped and terse.

The full JSON schema of every tool cost a local model 4,000 prompt tokens before its first
word. Here an episode offers only the families its benchmark names (`tool_families`), or
every family whose upstream is configured; a family whose upstream is missing (Jupiter
with no API configured) is left out and said so in one line. Descriptions are one
signature line per tool, grouped by family (JSON and grammar modes), or a lean schema
(native mode) without titles, nulls and parameter descriptions (the system prompt says
once how addresses and amounts are written).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reev.benchmark.tool_families import FAMILIES, OTHER, UPSTREAM_FAMILIES, family_of
from reev.tools.base import Tool


@dataclass(frozen=True)
class ToolMenu:
    """The tools of one episode and the one-line notes about families left out."""

    tools: list[Tool[Any]]
    notes: list[str]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tools]


def select_tools(
    tools: Sequence[Tool[Any]],
    families: Sequence[str] | None,
    upstream_configured: Callable[[str], bool],
) -> ToolMenu:
    """The tools of the named families (None: all), less those whose upstream is missing.

    `other` (tools no family lists) is always offered. A family the benchmark names but
    whose upstream is missing is still left out: its calls could only fail.
    """
    wanted = set(families) | {OTHER} if families is not None else None
    notes: list[str] = []
    missing = {f for f in UPSTREAM_FAMILIES if not upstream_configured(f)}
    chosen = []
    for tool in tools:
        family = family_of(tool.name)
        if wanted is not None and family not in wanted:
            continue
        if family in missing:
            continue
        chosen.append(tool)
    for family in sorted(missing):
        if wanted is None or family in wanted:
            notes.append(
                f"{family} tools are not available in this run (no {UPSTREAM_FAMILIES[family]} "
                "configured)."
            )
    return ToolMenu(chosen, notes)


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])")


def _first_sentence(text: str) -> str:
    head = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()
    return head if head.endswith(".") else head + "."


def _optional(prop: dict[str, Any]) -> bool:
    return any(alt.get("type") == "null" for alt in prop.get("anyOf", []))


def _type_of(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return "|".join(str(v) for v in prop["enum"])
    kinds = [prop.get("type")] + [a.get("type") for a in prop.get("anyOf", [])]
    return "int" if "integer" in kinds else ""


def signature(tool: Tool[Any]) -> str:
    """`name(arg, amount:int, [optional]) — what it does.` (units: the system prompt's)."""
    schema = tool.parameters_schema()
    required = set(schema.get("required", []))
    args = []
    for name, prop in schema.get("properties", {}).items():
        kind = _type_of(prop)
        text = f"{name}:{kind}" if kind else name
        args.append(text if name in required else f"[{text}]")
    return f"{tool.name}({', '.join(args)}) — {_first_sentence(tool.description)}"


def grouped_signatures(menu: ToolMenu) -> str:
    """The tools as signature lines grouped by family, then the notes."""
    by_family: dict[str, list[str]] = {}
    for tool in menu.tools:
        by_family.setdefault(family_of(tool.name), []).append(signature(tool))
    order = [*FAMILIES, OTHER]
    lines = []
    for family in order:
        if family in by_family:
            lines.append(f"[{family}]")
            lines.extend(f"- {s}" for s in by_family[family])
    lines.extend(menu.notes)
    return "\n".join(lines)


def _untitled(value: Any, names: bool = False) -> Any:
    """`value` without pydantic's `title` keys, at any depth (they only cost tokens).

    `names`: `value` maps property names to schemas, so a property called `title` stays.
    """
    if isinstance(value, dict):
        return {
            k: _untitled(v, k == "properties" and not names)
            for k, v in value.items()
            if names or k != "title"
        }
    if isinstance(value, list):
        return [_untitled(v) for v in value]
    return value


def lean_schema(tool: Tool[Any]) -> dict[str, Any]:
    """A native `tools` entry with a one-sentence description and no repeated boilerplate."""
    schema = _untitled(tool.parameters_schema())
    props: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        lean = {k: v for k, v in prop.items() if k not in ("default", "description", "anyOf")}
        if "anyOf" in prop:
            kinds = [a for a in prop["anyOf"] if a.get("type") != "null"]
            if len(kinds) == 1:
                lean.update(kinds[0])
            else:
                lean["anyOf"] = kinds
        props[name] = lean
    parameters: dict[str, Any] = {"type": "object", "properties": props}
    if schema.get("required"):
        parameters["required"] = schema["required"]
    if "$defs" in schema:
        parameters["$defs"] = schema["$defs"]
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": _first_sentence(tool.description),
            "parameters": parameters,
        },
    }


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every local `#/$defs/NAME` reference replaced by its definition, and no
    `$defs` left.

    A tool's parameters are a document of their own, whose `$ref`s point at its root. Nested
    in the grammar-mode reply schema they would point at the reply's root, where there are
    no `$defs`: llama.cpp's schema-to-grammar converter then fails and llama-cpp-python's
    server silently decodes any JSON instead (tool names and arguments unconstrained).
    """
    defs = schema.get("$defs", {})

    def resolve(value: Any, depth: int) -> Any:
        if depth > 16:
            raise ValueError("a tool schema refers to itself: it cannot be inlined")
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name not in defs:
                    raise ValueError(f"a tool schema refers to an undefined {ref}")
                return resolve(defs[name], depth + 1)
            return {k: resolve(v, depth) for k, v in value.items() if k != "$defs"}
        if isinstance(value, list):
            return [resolve(v, depth) for v in value]
        return value

    inlined: dict[str, Any] = resolve(schema, 0)
    return inlined


def reply_schema(tools: Sequence[Tool[Any]]) -> dict[str, Any]:
    """The JSON schema of a grammar-mode reply: tool calls, or a final answer.

    `{"tool_calls": [{"name": <one of the tools>, "arguments": {...}}]}` or
    `{"answer": "..."}`. Each call's arguments follow its tool's own schema, so a server
    that constrains decoding to this schema can only produce valid calls.
    """
    calls = []
    for tool in tools:
        params = inline_refs(lean_schema(tool)["function"]["parameters"])
        calls.append(
            {
                "type": "object",
                "properties": {"name": {"const": tool.name}, "arguments": params},
                "required": ["name", "arguments"],
            }
        )
    return {
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "tool_calls": {
                        "type": "array",
                        "items": {"anyOf": calls},
                        "minItems": 1,
                        "maxItems": 4,
                    }
                },
                "required": ["tool_calls"],
            },
            {
                "type": "object",
                "properties": {"answer": {"type": "string"}},
                "required": ["answer"],
            },
        ]
    }
