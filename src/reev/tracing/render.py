"""Rich renderings of results: reev's result tree and a summary table.

Shared by the CLI, the TUI and the API's text views, so it lives here rather than in any of them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Span, Text
from rich.tree import Tree

from reev.programs.decode import decode_instruction
from reev.results.records import EpisodeResult
from reev.tracing.amounts import (
    annotate_amounts,
    assertion_amount,
    instruction_args,
    name_address,
)

INFRASTRUCTURE_KINDS = ("infrastructure", "benchmark")
"""`error_kind`s that say nothing about the agent (left out of every statistic)."""


def outcome_word(status: str, passed: bool, error_kind: str | None) -> str:
    """passed / failed / error / infrastructure error, as the web and `reev report` say it."""
    if error_kind in INFRASTRUCTURE_KINDS:
        return "infrastructure error"
    if status == "error":
        return "error"
    return "passed" if passed else "failed"


def status_label(result: EpisodeResult) -> tuple[str, str, str]:
    """(icon, word, colour) for a result: an error is never called a failure."""
    word = outcome_word(result.status, result.passed, result.error_kind)
    if word == "infrastructure error":
        return "🚧", word, "blue"
    if word == "error":
        return "💥", word, "magenta"
    if result.passed:
        return "✅", "passed", "green"
    return "❌", "failed", "red"


def result_tree(result: EpisodeResult) -> Tree:
    """reev's ASCII result tree: steps, decoded instructions, transaction results, assertions."""
    icon, word, colour = status_label(result)
    # an episode that did not run to its end has no score to show (never "Score: 0.0%")
    score = "no score" if result.status == "error" else f"Score: {result.score * 100:.1f}%"
    head = _styled(
        f"{icon} ",
        (result.benchmark_id, "bold"),
        f" ({score}): ",
        (word, colour),
        f"  [{result.agent}, {result.scoring}]",
    )
    tree = Tree(head)
    names = {pk: name for name, pk in result.key_map.items() if name != pk}
    if result.error and not any(step.error for step in result.steps):
        tree.add(Text(f"Error: {result.error}", style="magenta"))
    for step in result.steps:
        branch = tree.add(f"Step {step.step}")
        for call in step.tool_calls:
            style = "cyan" if call.status == "ok" else "red"
            line = f"TOOL {call.tool}({_args(annotate_amounts(call.args, names, call.tool))})"
            if call.error:
                line += f" → error: {call.error}"
            branch.add(Text(line, style=style))
        for tx in step.transactions:
            action = branch.add("ACTION:")
            for n, ix in enumerate(tx.instructions):
                d = decode_instruction(ix)
                label = f"{d['program']} · {d['instruction'] or 'unknown instruction'}"
                if d["args"]:
                    label += f" {_args(instruction_args(d['args']))}"
                node = action.add(label)
                if d["instruction"] is None:
                    node.add(f"Data (Base58): {ix.data}")
                for i, acc in enumerate(d["accounts"]):
                    signer = "🖋️" if acc["is_signer"] else "🖍️"
                    writable = "➕" if acc["is_writable"] else "➖"
                    role = f" ({acc['role']})" if acc["role"] else ""
                    node.add(f"[{i:>2}] {signer} {writable} {_name(acc['pubkey'], result)}{role}")
                if n < len(tx.instructions) - 1:
                    action.add("───")
            if tx.succeeded:
                obs = Text(
                    f"OBSERVATION: Success  ({tx.compute_units} CU, fee {tx.fee})", style="green"
                )
            else:
                obs = Text(f"OBSERVATION: {tx.status.capitalize()}: {tx.error}", style="red")
            branch.add(obs)
        if not step.transactions and not step.tool_calls:
            branch.add(Text("no action", style="dim"))
        if step.error:
            branch.add(Text(f"Error: {step.error}", style="magenta"))
    failed = [a for a in result.assertions if not a.passed]
    if result.assertions:
        held = len(result.assertions) - len(failed)
        node = tree.add(f"Assertions: {held}/{len(result.assertions)} hold")
        for a in failed:
            if a.type in ("SideEffect", "MissingChange"):  # the detail says it all
                node.add(Text(f"✗ {a.type}: {a.detail}", style="red"))
                continue
            want = ", ".join(
                assertion_amount(v, a.type, a.detail)
                if k == "expected"
                else f"{k}={assertion_amount(v, a.type, a.detail)}"
                for k, v in a.expected.items()
            )
            actual = assertion_amount(a.actual, a.type, a.detail)
            node.add(
                Text(
                    f"✗ {a.type} {a.pubkey}: expected {want}, actual {actual}"
                    f"{' — ' + a.detail if a.detail else ''}",
                    style="red",
                )
            )
    return tree


def _styled(*parts: str | tuple[str, str]) -> Text:
    """`Text.assemble(*parts)` for plain strings and (text, style) pairs, without building
    a Text per part (a result tree's head is built once per episode)."""
    plain: list[str] = []
    spans: list[Span] = []
    offset = 0
    for part in parts:
        if isinstance(part, tuple):
            text, style = part
            spans.append(Span(offset, offset + len(text), style))
        else:
            text = part
        plain.append(text)
        offset += len(text)
    return Text("".join(plain), spans=spans)


def summary_table(results: Sequence[EpisodeResult]) -> Table:
    """One row per episode, and a total line."""
    agents = sorted({r.agent for r in results})
    table = Table(
        title=f"reev results ({', '.join(agents)})" if len(agents) == 1 else "reev results"
    )
    table.add_column("benchmark", no_wrap=True)
    if len(agents) > 1:
        table.add_column("agent", no_wrap=True)
    for col in ("status", "score", "instr.", "tx", "outcome", "ms"):
        table.add_column(col, justify="left" if col == "status" else "right", no_wrap=True)
    for r in results:
        _, word, colour = status_label(r)
        word = "infra error" if word == "infrastructure error" else word
        outcome = "-" if r.scores.outcome is None else f"{r.scores.outcome:.3f}"
        row: list[str | Text] = [r.benchmark_id]
        if len(agents) > 1:
            row.append(r.agent)
        row += [
            Text(word, style=colour),
            "-" if r.status == "error" else f"{r.score:.3f}",  # no score: did not finish
            f"{r.scores.instruction:.3f}",
            f"{r.scores.onchain:.0f}",
            outcome,
            f"{r.duration_ms:.0f}",
        ]
        table.add_row(*row)
    passed = sum(r.passed for r in results)
    infra = sum(r.error_kind in INFRASTRUCTURE_KINDS for r in results)
    errors = sum(r.status == "error" for r in results) - infra
    failed = len(results) - passed - errors - infra
    counted = [r for r in results if r.error_kind not in INFRASTRUCTURE_KINDS]
    mean = sum(r.score for r in counted) / len(counted) if counted else 0.0
    table.caption = (
        f"{passed}/{len(results)} passed, {failed} failed, {errors} error(s), "
        f"{infra} infrastructure error(s), mean score {mean:.4f}"
        + (" (without infrastructure errors)" if infra else "")
    )
    return table


def _args(args: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in args.items())


def _name(pubkey: str, result: EpisodeResult) -> str:
    """`USER_USDC_ATA (HJAK4MZG…)` for an account the benchmark named (it fits 80
    columns; the full key is in the JSON and the web page), else the full key."""
    for name, pk in result.key_map.items():
        if pk == pubkey and name != pk:
            return name_address(pubkey, {pubkey: name})
    return pubkey
