"""What `reev run --agent deterministic` gives over the shipped suite, computed once.

The bridge tests compare every bridge's records with this run; it is the same for each
(paths, scoring) within one pytest process, so it is made once per pair (the results
are only read).
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from reev.agents.deterministic import DeterministicAgent
from reev.bridges.selection import select_benchmarks
from reev.results.records import EpisodeResult
from reev.results.spec import EpisodeOptions
from reev.runner.suite import AgentEntry, run_matrix

BUNDLED = Path(__file__).resolve().parents[2] / "benchmarks"


@cache
def reev_run(scoring: str = "outcome", paths: str = str(BUNDLED)) -> dict[str, EpisodeResult]:
    """benchmark id -> the reference agent's result, through the same pipeline, no store."""
    outcome = asyncio.run(
        run_matrix(
            select_benchmarks(paths),
            [AgentEntry("deterministic", DeterministicAgent)],
            options=EpisodeOptions(scoring=scoring),
        )
    )
    return {r.benchmark_id: r for r in outcome.results}
