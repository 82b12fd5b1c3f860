"""An episode's verdict as text: the assertion table and a one-line score.

The Inspect scorer uses it as the score's explanation and the MCP `finish` tool as its
answer, so a user of either bridge reads what `reev run`'s result tree shows.
"""

from __future__ import annotations

from reev.results.records import EpisodeResult


def score_line(result: EpisodeResult) -> str:
    """`completed: score 1.00, passed (outcome scoring)` or `error: <reason>`."""
    if result.status == "error":
        return f"error: {result.error}"
    verdict = "passed" if result.passed else "failed"
    return f"completed: score {result.score:.2f}, {verdict} ({result.scoring} scoring)"


def assertion_table(result: EpisodeResult) -> str:
    """The final-state assertions (and flow steps) as a Markdown table."""
    lines = [score_line(result), ""]
    if result.assertions:
        lines += [
            "| assertion | account | expected | actual | weight | holds |",
            "|---|---|---|---|---|---|",
        ]
        for a in result.assertions:
            expected = ", ".join(f"{k} {v}" for k, v in a.expected.items()) or "—"
            actual = "—" if a.actual is None else str(a.actual)
            holds = "yes" if a.passed else f"no{': ' + a.detail if a.detail else ''}"
            lines.append(
                f"| {a.type} | {a.pubkey} | {expected} | {actual} | {a.weight:g} | {holds} |"
            )
    if result.flow is not None:
        lines += ["", "| step | score | passed | note |", "|---|---|---|---|"]
        for step in result.steps:
            note = step.error or step.stop_reason or ""
            score = "—" if step.score is None else f"{step.score:.2f}"
            lines.append(f"| {step.step} | {score} | {'yes' if step.passed else 'no'} | {note} |")
        lines += ["", f"flow score: {result.flow.formula}"]
    return "\n".join(lines)
