"""reev's transaction-log tree: program invocations (nested), compute units, program logs.

Parsed from the runtime's log lines (`Program X invoke [n]`, `Program log: …`,
`Program X consumed A of B compute units`, `Program return: X data`, `Program X success`
/ `failed: …`) into an `Invocation` tree, and rendered as text like reev's
`/api/v1/transaction-logs` "yaml" format. The CLI (`reev flow --logs`), the API and the web
viewer all call `transaction_log_tree`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reev.programs.ids import program_name
from reev.results.records import EpisodeResult
from reev.results.transaction import TransactionRecord

JUPITER_ROUTER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4"

_EXTRA_NAMES = {
    JUPITER_ROUTER: "Jupiter Router",
    "SysvarRent111111111111111111111111111111111": "Sysvar Rent",
    "SysvarC1ock11111111111111111111111111111111": "Sysvar Clock",
}
_ICONS = {
    "System Program": "🔹",
    "SPL Token": "🪙",
    "Token-2022": "🪙",
    "Associated Token Account": "🏦",
    "Jupiter Router": "🚀",
}

_INVOKE = re.compile(r"^Program (\S+) invoke \[(\d+)\]$")
_CONSUMED = re.compile(r"^Program (\S+) consumed (\d+) of (\d+) compute units$")
_SUCCESS = re.compile(r"^Program (\S+) success$")
_FAILED = re.compile(r"^Program (\S+) failed: (.*)$")
_RETURN = re.compile(r"^Program return: (\S+) (.*)$")


@dataclass
class Invocation:
    """One program invocation and what it logged, with the invocations it made."""

    program_id: str
    depth: int
    logs: list[str] = field(default_factory=list)
    children: list[Invocation] = field(default_factory=list)
    compute_units: int | None = None
    compute_limit: int | None = None
    success: bool | None = None
    error: str | None = None
    return_data: str | None = None

    @property
    def name(self) -> str:
        """A readable program name (`Program <8 chars>` when unknown)."""
        return program_display_name(self.program_id)


def program_display_name(program_id: str) -> str:
    """reev's names for well-known programs, else `Program <first 8 chars>`."""
    if program_id in _EXTRA_NAMES:
        return _EXTRA_NAMES[program_id]
    name = program_name(program_id)
    return f"Program {program_id[:8]}" if name == program_id else name


def parse_logs(logs: Sequence[str]) -> list[Invocation]:
    """The top-level invocations of a transaction's logs (nesting by invoke depth)."""
    roots: list[Invocation] = []
    stack: list[Invocation] = []
    for line in logs:
        if m := _INVOKE.match(line):
            inv = Invocation(program_id=m[1], depth=int(m[2]))
            while stack and stack[-1].depth >= inv.depth:
                stack.pop()
            (stack[-1].children if stack else roots).append(inv)
            stack.append(inv)
            continue
        current = stack[-1] if stack else None
        if current is None:
            continue
        if m := _CONSUMED.match(line):
            target = _find(stack, m[1])
            target.compute_units, target.compute_limit = int(m[2]), int(m[3])
        elif m := _SUCCESS.match(line):
            _find(stack, m[1]).success = True
            stack.pop()
        elif m := _FAILED.match(line):
            target = _find(stack, m[1])
            target.success, target.error = False, m[2]
            stack.pop()
        elif m := _RETURN.match(line):
            _find(stack, m[1]).return_data = m[2]
        elif line.startswith("Program log: "):
            current.logs.append(line.removeprefix("Program log: "))
        elif line.startswith("Program data: "):
            current.logs.append("data: " + line.removeprefix("Program data: "))
        else:
            current.logs.append(line)
    return roots


def _find(stack: list[Invocation], program_id: str) -> Invocation:
    for inv in reversed(stack):
        if inv.program_id == program_id:
            return inv
    return stack[-1]


def render_invocations(invocations: Sequence[Invocation], *, show_cu: bool = True) -> list[str]:
    """Tree lines (box drawing) for a list of invocations."""
    lines: list[str] = []
    for i, inv in enumerate(invocations):
        last = i == len(invocations) - 1
        lines.extend(_render(inv, "", last, show_cu))
    return lines


def _render(inv: Invocation, prefix: str, last: bool, show_cu: bool) -> list[str]:
    branch, extend = ("└── ", "    ") if last else ("├── ", "│   ")
    icon = _ICONS.get(inv.name, "📄")
    lines = [f"{prefix}{branch}{icon} {inv.name} ({inv.program_id[:8]}…)"]
    inner = prefix + extend
    items: list[str | Invocation] = [*inv.logs, *inv.children]
    if inv.return_data:
        items.append(f"return: {inv.return_data}")
    status = _status_line(inv, show_cu)
    total = len(items) + 1
    for j, item in enumerate(items):
        is_last = j == total - 1
        if isinstance(item, Invocation):
            lines.extend(_render(item, inner, is_last, show_cu))
        else:
            lines.append(f"{inner}{'└── ' if is_last else '├── '}📝 {item}")
    lines.append(f"{inner}└── {status}")
    return lines


def _status_line(inv: Invocation, show_cu: bool) -> str:
    cu = f" ({inv.compute_units} CU)" if show_cu and inv.compute_units is not None else ""
    if inv.success is False:
        return f"❌ {inv.name}{cu}: {inv.error}"
    if inv.success is None:
        return f"⚠️ {inv.name}{cu}: no result logged"
    return f"✅ {inv.name}{cu}"


def transaction_tree(tx: TransactionRecord, *, show_cu: bool = True) -> list[str]:
    """The lines of one transaction: status, signature, fee and compute, then invocations."""
    mark = "✅" if tx.succeeded else "❌"
    head = f"{mark} {tx.status}"
    if tx.signature:
        head += f" {tx.signature[:16]}…"
    if show_cu:
        head += f" ({tx.compute_units} CU, fee {tx.fee})"
    lines = [head]
    if tx.error:
        lines.append(f"   error: {tx.error}")
    invocations = parse_logs(tx.logs)
    lines.extend("   " + line for line in render_invocations(invocations, show_cu=show_cu))
    if not invocations and not tx.logs:
        lines.append("   (no logs: the transaction did not run)")
    return lines


def transaction_log_tree(result: EpisodeResult, *, show_cu: bool = True) -> str:
    """reev's `🔄 TRANSACTION LOGS` tree for every transaction of an episode, step by step."""
    lines = ["🔄 TRANSACTION LOGS"]
    count = 0
    for step in result.steps:
        for n, tx in enumerate(step.transactions, start=1):
            count += 1
            lines.append(f"── Step {step.step} · transaction {n}")
            lines.extend(transaction_tree(tx, show_cu=show_cu))
    if count == 0:
        lines.append("(no transactions)")
    return "\n".join(lines) + "\n"
