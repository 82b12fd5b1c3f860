"""What the panels show: coloured scores and statuses, the trace and the transaction log.

The trace is the CLI's result tree (`reev.tracing.render.result_tree`), so every interface
explains an episode the same way. Colours are the terminal's named ANSI colours, which
terminal and Textual themes map to readable shades on dark and light backgrounds.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.text import Text

from reev.programs.decode import decode_instruction
from reev.results.records import EpisodeResult
from reev.tracing.render import result_tree
from reev.tui.rows import BenchmarkRow, RowStatus

STATUS_MARKS: dict[RowStatus, tuple[str, str]] = {
    "pending": ("[ ]", "dim"),
    "queued": ("[·]", "yellow"),
    "running": ("[…]", "bold yellow"),
    "passed": ("[✔]", "bold green"),
    "failed": ("[✗]", "bold red"),
    "error": ("[!]", "bold magenta"),
    "infra": ("[~]", "bold blue"),
}
"""`[!]` error: the episode did not run to its end (agent crash, refused endpoint, load
error); `[~]` infrastructure error: an outage that says nothing about the agent. Neither
is a failure `[✗]`, and neither has a score to show."""

OUTCOME_WORDS: dict[RowStatus, str] = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "infra": "infrastructure error",
}


RENDER_WIDTH = 1000
"""Lines are laid out this wide and never wrapped: the panels scroll sideways instead."""


def unwrapped(renderable: RenderableType, width: int = RENDER_WIDTH) -> Text:
    """`renderable` laid out without wrapping, as styled text (trailing blanks dropped)."""
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    out = Text(no_wrap=True, overflow="ignore", end="")
    lines = console.render_lines(renderable, console.options, pad=False)
    for n, line in enumerate(lines):
        if n:
            out.append("\n")
        text = Text()
        for seg in line:
            if not seg.control:
                text.append(seg.text, seg.style)
        text.rstrip()
        out.append_text(text)
    out.rstrip()
    return out


def score_colour(score: float) -> str:
    """reev's bands: 100 % green, 25–99 % yellow, below 25 % red."""
    if score >= 1.0:
        return "green"
    if score >= 0.25:
        return "yellow"
    return "red"


def score_text(score: float | None, status: RowStatus | None = None) -> Text:
    """`NNN%` coloured by value, `---` when the benchmark never ran; `error` / `infra`
    for an episode that did not run to its end (never a red 0 %)."""
    # reversed, like the web's filled badge: in Textual's dark palette magenta is close to
    # red, and an error must not look like a failure at a glance
    if status == "error":
        return Text("error", style="bold reverse magenta")
    if status == "infra":
        return Text("infra", style="bold reverse blue")
    if score is None:
        return Text(" ---", style="dim")
    return Text(f"{score * 100:>3.0f}%", style=f"bold {score_colour(score)}")


def outcome_counts(statuses: list[RowStatus]) -> Text:
    """`passed 3 · failed 1 · error 1 · infra 1`: the navigator's footer, errors and
    infrastructure errors counted apart from failures (42 columns for 3-digit counts, so it
    fits the navigator's border on an 80-column terminal)."""
    parts: list[tuple[RowStatus, str, str]] = [
        ("passed", "passed", "green"),
        ("failed", "failed", "red"),
        ("error", "error", "magenta"),
        ("infra", "infra", "blue"),
    ]
    text = Text()
    for n, (status, word, style) in enumerate(parts):
        if n:
            text.append(" · ", style="dim")
        text.append(f"{word} {statuses.count(status)}", style=style)
    return text


def status_text(status: RowStatus) -> Text:
    mark, style = STATUS_MARKS[status]
    return Text(mark, style=style)


def trace_view(row: BenchmarkRow | None) -> RenderableType:
    """Panel B: the result tree of the row's last episode, or why there is none."""
    if row is None:
        return Text("No benchmark files found.", style="dim")
    if row.status == "running":
        return Text(f"Benchmark {row.benchmark_id} is running…", style="yellow")
    if row.status == "queued":
        return Text(f"Benchmark {row.benchmark_id} is queued…", style="yellow")
    parts: list[RenderableType] = []
    if row.status in ("error", "infra") and row.result is None and row.summary is not None:
        # the stored row, before its full result is loaded: say what it came to at once
        parts.append(
            Text(
                f"{OUTCOME_WORDS[row.status]}: {row.summary.error or 'no reason recorded'}",
                style="magenta" if row.status == "error" else "blue",
            )
        )
    if row.problem:
        parts.append(Text(f"Error: {row.problem}", style="magenta"))
    if row.loaded.benchmark is None:
        parts.append(Text(f"Error: {row.loaded.error}", style="magenta"))
    if row.result is not None:
        parts.append(result_tree(row.result))
    elif not parts:
        b = row.loaded.benchmark
        parts.append(Text(f"{row.benchmark_id}: not run yet with this agent.", style="dim"))
        if b is not None:
            parts.append(Text(f"\n{b.description}\n\nPrompt: {b.prompt.strip()}"))
        parts.append(Text("\nPress r or Enter to run it, a to run all.", style="dim"))
    return Group(*parts)


def transaction_log(result: EpisodeResult | None) -> RenderableType:
    """Panel C: every transaction of every step with its program logs."""
    if result is None:
        return Text("No transactions yet.", style="dim")
    lines = Text()
    count = 0
    for step in result.steps:
        for n, tx in enumerate(step.transactions, start=1):
            count += 1
            colour = "green" if tx.succeeded else "red"
            lines.append(f"Step {step.step} · transaction {n}: ", style="bold")
            lines.append(tx.status, style=colour)
            if tx.signature:
                lines.append(f"  {tx.signature}")
            lines.append(f"\n  {tx.compute_units:,} CU, fee {tx.fee:,} lamports\n", style="dim")
            if tx.error:
                lines.append(f"  error: {tx.error}\n", style="red")
            for ix in tx.instructions:
                d = decode_instruction(ix)
                lines.append(
                    f"  ▸ {d['program']} · {d['instruction'] or 'unknown'}\n", style="cyan"
                )
            for log in tx.logs:
                lines.append(f"    {log}\n")
            lines.append("\n")
    if count == 0:
        return Text("No transactions in this episode.", style="dim")
    return lines
