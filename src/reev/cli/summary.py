"""The summary `reev run` prints for a run with several episodes per benchmark × agent.

One row per benchmark × agent (episodes, passed, errors, mean score, mean duration)
instead of one per episode: a 20-epoch run of the suite is 56 rows, not 1,120, and is
built from the store's episode rows without decoding any episode's JSON. Errors are
counted apart from failures, and the caption says what the numbers cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from reev.results.summaries import EpisodeSummary


def repeats_episodes(summaries: Sequence[EpisodeSummary]) -> bool:
    """Whether some benchmark × agent has more than one episode (epochs > 1)."""
    return len({(s.agent, s.benchmark_id) for s in summaries}) < len(summaries)


def epochs_summary_table(summaries: Sequence[EpisodeSummary]) -> Table:
    """One row per benchmark × agent, and a caption naming benchmarks, agents, epochs;
    errors and infrastructure errors counted apart from failures and from each other."""
    from reev.tracing.render import INFRASTRUCTURE_KINDS

    groups: dict[tuple[str, str], list[EpisodeSummary]] = {}
    for s in summaries:
        groups.setdefault((s.agent, s.benchmark_id), []).append(s)
    agents = sorted({agent for agent, _ in groups})
    benchmarks = {bench for _, bench in groups}
    epochs = sorted({s.epoch for s in summaries})
    table = Table(
        title=f"reev results ({', '.join(agents)})" if len(agents) == 1 else "reev results"
    )
    table.add_column("benchmark", no_wrap=True)
    if len(agents) > 1:
        table.add_column("agent", no_wrap=True)
    for col in ("episodes", "passed", "errors", "mean score", "mean ms"):
        table.add_column(col, justify="right", no_wrap=True)
    for (agent, bench), rows in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        passed = sum(r.passed for r in rows)
        infra = sum(r.error_kind in INFRASTRUCTURE_KINDS for r in rows)
        errors = sum(r.status == "error" for r in rows) - infra
        colour = "magenta" if errors or infra else "green" if passed == len(rows) else "red"
        row: list[str | Text] = [bench]
        if len(agents) > 1:
            row.append(agent)
        row += [
            str(len(rows)),
            Text(f"{passed}/{len(rows)}", style=colour),
            f"{errors} (+{infra} infra)" if infra else str(errors),
            f"{sum(r.score for r in rows) / len(rows):.3f}",
            f"{sum(r.duration_ms for r in rows) / len(rows):.0f}",
        ]
        table.add_row(*row)
    passed = sum(s.passed for s in summaries)
    infra = sum(s.error_kind in INFRASTRUCTURE_KINDS for s in summaries)
    errors = sum(s.status == "error" for s in summaries) - infra
    failed = len(summaries) - passed - errors - infra
    counted = [s for s in summaries if s.error_kind not in INFRASTRUCTURE_KINDS]
    mean = sum(s.score for s in counted) / len(counted) if counted else 0.0
    span = f"epochs {epochs[0]}-{epochs[-1]}" if len(epochs) > 1 else f"epoch {epochs[0]}"
    table.caption = (
        f"{passed}/{len(summaries)} passed, {failed} failed, {errors} error(s), "
        f"{infra} infrastructure error(s), mean score {mean:.4f}"
        + (" (without infrastructure errors)" if infra else "")
        + f" over {len(benchmarks)} benchmarks × {len(agents)} agent(s), {span}"
    )
    return table
