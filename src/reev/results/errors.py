"""Results of episodes that could not run, and the kinds of error a result may carry.

Every entry point (the runner's executors, the API workers, the CLI) builds such a
result here, so an episode that failed before it started looks the same whichever part
recorded it.
"""

from __future__ import annotations

import uuid

from reev.results.records import EpisodeResult, utc_now

# `EpisodeResult.error_kind`: "infrastructure" (provider outage, crashed worker:
# `--retry-errors` re-runs it), "benchmark" (the file cannot be loaded or instantiated),
# or None (a result of the agent's own doing, never retried).
INFRASTRUCTURE = "infrastructure"
BENCHMARK = "benchmark"


def error_result(
    benchmark_id: str,
    agent: str,
    seed: int,
    error: str,
    scoring: str = "outcome",
    source_path: str | None = None,
    epoch: int = 0,
    *,
    kind: str | None = None,
    execution_id: str | None = None,
    model: str | None = None,
) -> EpisodeResult:
    """A result for an episode that could not run at all."""
    return EpisodeResult(
        benchmark_id=benchmark_id,
        agent=agent,
        model=model,
        seed=seed,
        epoch=epoch,
        execution_id=execution_id or str(uuid.uuid4()),
        status="error",
        error=error,
        error_kind=kind,
        failure_kind=INFRASTRUCTURE if kind == INFRASTRUCTURE else None,
        scoring=scoring,
        source_path=source_path,
        started_at=utc_now(),
    )
