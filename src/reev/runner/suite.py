"""A suite: every benchmark file under the given paths × one agent, in path order.

A file that fails to load, an agent that crashes, a prediction for a benchmark that is
not in the run: each becomes an error result, and the suite goes on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reev.agents.base import Agent
from reev.benchmark.loader import BenchmarkLoadError, discover_benchmark_files, load_benchmark
from reev.benchmark.model import Benchmark
from reev.runner.episode import run_episode
from reev.runner.result import EpisodeResult
from reev.scoring.model import ScoringProfile


@dataclass
class LoadedBenchmark:
    """A benchmark file and what became of loading it."""

    path: Path
    benchmark: Benchmark | None
    error: str | None = None


def load_all(paths: Iterable[str | Path]) -> list[LoadedBenchmark]:
    """Load every benchmark file under `paths`; failures are kept with their message."""
    loaded: list[LoadedBenchmark] = []
    for path in discover_benchmark_files(paths):
        try:
            loaded.append(LoadedBenchmark(path, load_benchmark(path)))
        except BenchmarkLoadError as exc:
            loaded.append(LoadedBenchmark(path, None, str(exc)))
    return loaded


def error_result(
    benchmark_id: str,
    agent: str,
    seed: int,
    error: str,
    scoring: ScoringProfile = "outcome",
    source_path: str | None = None,
    epoch: int = 0,
) -> EpisodeResult:
    """A result for an episode that could not run at all."""
    return EpisodeResult(
        benchmark_id=benchmark_id,
        agent=agent,
        seed=seed,
        epoch=epoch,
        execution_id=str(uuid.uuid4()),
        status="error",
        error=error,
        scoring=scoring,
        source_path=source_path,
    )


async def run_suite(
    loaded: Sequence[LoadedBenchmark],
    agent_factory: Callable[[], Agent],
    agent_name: str,
    *,
    seed: int = 0,
    scoring: ScoringProfile = "outcome",
    random_keys: bool = False,
    step_timeout: float | None = None,
    concurrency: int = 1,
    on_result: Callable[[EpisodeResult], None] | None = None,
) -> list[EpisodeResult]:
    """Run each loaded benchmark once with a fresh agent, up to `concurrency` at a time.

    Every episode has its own VM and agent, so results do not depend on the concurrency.
    Results come back in input order; `on_result` is called as each one finishes.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    gate = asyncio.Semaphore(concurrency)

    async def one(item: LoadedBenchmark) -> EpisodeResult:
        async with gate:
            if item.benchmark is None:
                result = error_result(
                    item.path.stem,
                    agent_name,
                    seed,
                    item.error or "cannot load",
                    scoring,
                    str(item.path),
                )
            else:
                try:  # parametric benchmarks draw their values from the seed
                    benchmark = item.benchmark.instantiate(seed)
                except ValueError as exc:
                    result = error_result(
                        item.benchmark.id, agent_name, seed, str(exc), scoring, str(item.path)
                    )
                else:
                    result = await run_episode(
                        benchmark,
                        agent_factory(),
                        seed=seed,
                        scoring=scoring,
                        random_keys=random_keys,
                        step_timeout=step_timeout,
                        source_path=str(item.path),
                    )
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(item) for item in loaded)))
