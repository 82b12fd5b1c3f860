"""Mermaid `stateDiagram` of an episode from its recorded tool calls, in reev's shape.

reev's `/api/v1/flows/{session_id}` drew `[*] → Prompt → Agent → one state per tool call
→ [*]`, each tool state entered by an edge labelled with its summarised arguments
(`0.1 SOL`, shortened addresses), transfers drawn inside the tool state as
`from --> to : amount`, tool states in class `tools`. reev built its tool calls from each
step's *first instruction* (its real tool calls were never recorded); here they are the
calls the harness recorded, and a transaction executed without a tool (raw instructions)
becomes a state named after its first instruction, as reev did.

Additions, still in that shape: a failed tool call or transaction is in class `failed`
with its error as the state's description; a flow gets one `StepN` state before each
step's tool calls (label: the step's prompt), and a step that did not run is in class
`skipped`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reev.benchmark.mints import known_mint
from reev.programs.decode import decode_instruction
from reev.programs.ids import SYSTEM_PROGRAM
from reev.results.records import EpisodeResult, StepRecord

LAMPORTS_PER_SOL = 1_000_000_000
PROMPT_LIMIT = 97
ERROR_LIMIT = 60
_PUBKEY = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$")
_PUBKEY_FIELDS = ("pubkey", "user_pubkey", "recipient_pubkey", "from", "to", "owner", "wallet")
_MINT_FIELDS = ("mint_address", "mint", "input_mint", "output_mint")


@dataclass(frozen=True)
class DiagramCall:
    """One state of the diagram: a tool call, or a transaction made without a tool."""

    tool: str
    args: Mapping[str, Any] = field(default_factory=dict)
    ok: bool = True
    error: str | None = None
    instruction_count: int = 0


def short_address(text: str) -> str:
    """A pubkey as its first 8 characters + `...` (reev's form); names stay as they are."""
    return f"{text[:8]}..." if _PUBKEY.match(text) else text


def summarize_args(tool: str, args: Mapping[str, Any]) -> str:
    """The label of the edge into a tool state: amount with its unit, then short addresses."""
    parts: list[str] = []
    amount = args.get("amount", args.get("lamports"))
    mint = next((str(args[k]) for k in _MINT_FIELDS if args.get(k)), None)
    if isinstance(amount, int) and not isinstance(amount, bool):
        parts.append(_amount(tool, amount, mint))
    elif mint:
        parts.append(_symbol(mint))
    for key in _PUBKEY_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value:
            parts.append(f"{key}={short_address(value)}")
    others = [
        f"{k}={v}"
        for k, v in args.items()
        if k not in (*_PUBKEY_FIELDS, *_MINT_FIELDS, "amount", "lamports", "operation")
        and isinstance(v, str | int | float)
    ]
    parts.extend(others[:3])
    return ", ".join(parts) if parts else tool


def _amount(tool: str, amount: int, mint: str | None) -> str:
    if mint is None and (tool == "sol_transfer" or "sol" in tool):
        return f"{amount / LAMPORTS_PER_SOL:g} SOL"
    if mint is None:
        return f"amount {amount}"
    known = known_mint(mint)
    if known is None:
        return f"{amount} {short_address(mint)}"
    return f"{amount / 10**known.decimals:g} {known.symbol}"


def _symbol(mint: str) -> str:
    known = known_mint(mint)
    return known.symbol if known else short_address(mint)


def calls_of_step(step: StepRecord) -> list[DiagramCall]:
    """The step's tool calls, plus a state for each transaction no tool produced."""
    calls = [
        DiagramCall(
            tool=c.tool,
            args=c.args,
            ok=c.status == "ok",
            error=c.error,
            instruction_count=(
                len(step.transactions[c.transaction_index].instructions)
                if c.transaction_index is not None and c.transaction_index < len(step.transactions)
                else 0
            ),
        )
        for c in step.tool_calls
    ]
    from_tools = {c.transaction_index for c in step.tool_calls if c.transaction_index is not None}
    for index, tx in enumerate(step.transactions):
        if index in from_tools or not tx.instructions:
            continue
        first = decode_instruction(tx.instructions[0])
        if tx.instructions[0].program_id == str(SYSTEM_PROGRAM):
            name = "sol_transfer"
        else:
            name = f"program_{tx.instructions[0].program_id[:8]}"
        args = dict(first.get("args") or {})
        for account in first.get("accounts") or []:
            if account.get("role") in ("from", "to"):
                args[account["role"]] = account["pubkey"]
        calls.append(
            DiagramCall(
                tool=name,
                args=args,
                ok=tx.succeeded,
                error=None if tx.succeeded else f"transaction {tx.status}: {tx.error}",
                instruction_count=len(tx.instructions),
            )
        )
    return calls


def episode_diagram(result: EpisodeResult) -> str:
    """The diagram of one recorded episode."""
    return state_diagram(result.prompt, result.steps, flow=len(result.steps) > 1)


def state_diagram(prompt: str, steps: Sequence[StepRecord], *, flow: bool = False) -> str:
    """reev's stateDiagram for the steps' tool calls (one `StepN` state per step of a flow)."""
    lines = ["stateDiagram", "    [*] --> Prompt", f"    Prompt --> Agent : {_label(prompt)}"]
    used: set[str] = set(RESERVED_STATES) | {f"Step{step.step}" for step in steps}
    tools: list[str] = []
    composites: set[str] = set()
    failed: list[str] = []
    skipped: list[str] = []
    current = "Agent"
    for step in steps:
        if flow:
            state = f"Step{step.step}"
            lines.append(f"    {current} --> {state} : {_label(step.prompt)}")
            current = state
            if step.skipped:
                skipped.append(state)
                lines.append(f"    {state} : {_label(step.error or 'not run', ERROR_LIMIT)}")
                continue
            if step.error:
                failed.append(state)
                lines.append(f"    {state} : {_label(step.error, ERROR_LIMIT)}")
        for call in calls_of_step(step):
            state = _unique(call.tool, used)
            tools.append(state)
            amount = _transfer_amount(call)
            label = _edge_label(call, amount)
            if not call.ok:
                # the tool's name as the state's label, the error beneath it; no inner
                # transfer (it did not happen, and a composite state takes no description)
                failed.append(state)
                lines.append(f'    state "{_label(call.tool)}" as {state}')
                lines.append(f"    {current} --> {state} : {_label(label)}")
                lines.append(f"    {state} : {_label(call.error or 'failed', ERROR_LIMIT)}")
            else:
                if state != call.tool:
                    lines.append(f'    state "{_label(call.tool)}" as {state}')
                lines.append(f"    {current} --> {state} : {_label(label)}")
                inner = _transfer(call, state, amount)
                if inner:
                    # a composite state: Mermaid draws its title in the theme's colours,
                    # so a `tools` fill would put light text on light grey in dark mode
                    composites.add(state)
                lines.extend(inner)
            current = state
    if not flow and steps and steps[0].error and not tools:
        failed.append("Agent")
        lines.append(f"    Agent : {_label(steps[0].error, ERROR_LIMIT)}")
    lines.append(f"    {current} --> [*]")
    lines.append("")
    lines.append("classDef tools fill:#e4e4e4,stroke:#777777,color:#111111")
    if failed:
        lines.append("classDef failed fill:#f8d7da,stroke:#c0392b,color:#7b241c")
    if skipped:
        lines.append("classDef skipped fill:#eeeeee,stroke:#999999,stroke-dasharray: 4 4")
    ok_tools = [t for t in tools if t not in failed and t not in composites]
    if ok_tools:
        lines.append(f"class {','.join(ok_tools)} tools")
    if failed:
        lines.append(f"class {','.join(failed)} failed")
    if skipped:
        lines.append(f"class {','.join(skipped)} skipped")
    return "\n".join(lines) + "\n"


def _edge_label(call: DiagramCall, transfer_amount: str | None) -> str:
    """Summarised arguments; for a transfer just the amount (the addresses are inside)."""
    summary = transfer_amount or summarize_args(call.tool, call.args)
    if call.instruction_count > 1:
        summary += f" ({call.instruction_count} ix)"
    return summary


def _transfer_amount(call: DiagramCall) -> str | None:
    """`0.1 SOL` / `15 USDC` / `transfer` when the call moves funds between two accounts."""
    source = call.args.get("user_pubkey", call.args.get("from"))
    target = call.args.get("recipient_pubkey", call.args.get("to"))
    if not (isinstance(source, str) and isinstance(target, str)):
        return None
    amount = call.args.get("amount", call.args.get("lamports"))
    mint = next((str(call.args[k]) for k in _MINT_FIELDS if call.args.get(k)), None)
    if isinstance(amount, int) and not isinstance(amount, bool):
        return _amount(call.tool, amount, mint)
    return "transfer"


def _transfer(call: DiagramCall, state: str, amount: str | None) -> list[str]:
    """reev's inner `from --> to : amount` for transfers, with shortened addresses."""
    if amount is None:
        return []
    source = str(call.args.get("user_pubkey", call.args.get("from")))
    target = str(call.args.get("recipient_pubkey", call.args.get("to")))
    return [
        f"    state {state} {{",
        f'        state "{_label(short_address(source))}" as {state}_from',
        f'        state "{_label(short_address(target))}" as {state}_to',
        f"        {state}_from --> {state}_to : {_label(amount)}",
        "    }",
    ]


RESERVED_STATES = frozenset({"Prompt", "Agent"})
"""State ids the diagram uses itself; a tool may not take them (nor a `StepN`)."""

_KEYWORDS = re.compile(
    r"\b(note|state|class|classdef|direction|end|left|right|of|over|as|style|click|accdescr|"
    r"acctitle|concurrent|fork|join|choice|hide|empty)\b",
    re.IGNORECASE,
)
_ENTITIES = {
    "#": "#35;",
    ";": "#59;",
    ":": "#58;",
    '"': "#quot;",
    "{": "#123;",
    "}": "#125;",
    "[": "#91;",
    "]": "#93;",
    "<": "#lt;",
    ">": "#gt;",
    "%": "#37;",
    "|": "#124;",
    "`": "#96;",
    "\\": "#92;",
}
_SPECIAL = re.compile("|".join(re.escape(c) for c in _ENTITIES))


def _unique(tool: str, used: set[str]) -> str:
    """A state id for `tool` used by no other state (nor by Prompt, Agent, StepN or a
    transfer's inner `_from`/`_to`): Mermaid merges states that share an id."""
    base = re.sub(r"\W", "_", tool) or "tool"
    if base[0].isdigit():
        base = f"t_{base}"
    if base in RESERVED_STATES or re.fullmatch(r"Step\d+", base) or base.endswith(("_from", "_to")):
        base = f"tool_{base}"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}_{n}"
    used.add(candidate)
    return candidate


def escape_label(text: str) -> str:
    """Label text Mermaid's state-diagram grammar reads as plain text, and shows as written.

    Every character the grammar gives a meaning (`:` `;` `#` `%%` quotes, brackets,
    braces, `<>`) becomes a Mermaid entity code (`#58;`), which Mermaid decodes only when
    drawing; a word the lexer takes for a keyword anywhere in a line (`note`, `state`,
    `end`, ... — a prompt saying "Note to AI" broke every diagram of benchmark 504) gets
    its first letter as an entity code, so the lexer never sees the keyword.
    """
    flat = " ".join(text.split())
    flat = _SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], flat)
    return _KEYWORDS.sub(lambda m: f"#{ord(m.group(0)[0])};{m.group(0)[1:]}", flat)


def _label(text: str, limit: int = PROMPT_LIMIT) -> str:
    """One line of label text, cut to `limit` characters (reev: 97 + `...`), escaped."""
    flat = " ".join(text.split())
    flat = flat if len(flat) <= limit else flat[:limit] + "..."
    return escape_label(flat)
