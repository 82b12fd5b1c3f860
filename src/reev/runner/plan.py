"""The planner: which episodes a run has, and the `EpisodeJob` of each, for every entry point.

A run is benchmarks × agents × epochs. `plan_cells` orders its episodes (epoch-major, then
agent, then benchmark) and gives each epoch its seed; `episode_job` turns one cell into
the job every executor runs (`reev.runner.executors.base.execute_job`). `reev run` (through
`plan_jobs`), the API (its route plans the cells, its workers make each claimed job with
`episode_job` and the `EpisodeOptions` of the run's stored spec), the TUI and the bridges all go through these two functions, so the same
episode is planned — and recorded — alike whichever started it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reev.agents.base import Agent
from reev.benchmark.loader import load_benchmark_files
from reev.benchmark.model import Benchmark
from reev.results.spec import EpisodeOptions
from reev.runner.executors.base import EpisodeJob


@dataclass
class LoadedBenchmark:
    """A benchmark file and what became of loading it.

    `stored`: the benchmark is a stored version's text (the API's runs), and `path` is
    where that version came from, None when it never was a file (posted YAML)."""

    path: Path | None
    benchmark: Benchmark | None
    error: str | None = None
    error_id: str | None = None  # what an error result is stored under (unique in the run)
    stored: bool = False

    @property
    def benchmark_id(self) -> str:
        """The id results are stored under: the benchmark's, else `error_id` or the stem."""
        if self.benchmark is not None:
            return self.benchmark.id
        return self.error_id or (self.path.stem if self.path is not None else "unknown")

    @property
    def file(self) -> Path:
        """The benchmark's file (a file of this run; ValueError for stored text)."""
        if self.path is None or self.stored:
            raise ValueError(f"{self.benchmark_id} is a stored benchmark version, not a file")
        return self.path


def load_all(paths: Iterable[str | Path]) -> list[LoadedBenchmark]:
    """Load every benchmark file under `paths`; failures are kept with their message.

    A file that fails is stored under its stem, or under its path when the stem is some
    other file's id (a copy of 001 named 002-….yml must not take 002's place)."""
    files = load_benchmark_files(paths)
    ids = {f.benchmark.id for f in files if f.benchmark is not None}
    loaded: list[LoadedBenchmark] = []
    for f in files:
        if f.benchmark is not None:
            loaded.append(LoadedBenchmark(f.path, f.benchmark))
            continue
        error_id = f.path.stem if f.path.stem not in ids else str(f.path)
        ids.add(error_id)
        loaded.append(LoadedBenchmark(f.path, None, str(f.error), error_id=error_id))
    return loaded


def scale_step_timeouts(loaded: Sequence[LoadedBenchmark], factor: float) -> None:
    """Multiply the step timeouts written in flow files by `factor` (`--timeout-scale`).

    A file's `timeout: 30` was chosen for some machine and model speed; a slower local
    model on a small machine needs the same flow with more time, without editing files.
    """
    if factor <= 0:
        raise ValueError(f"--timeout-scale must be positive, not {factor:g}")
    if factor == 1:
        return
    for item in loaded:
        for step in (item.benchmark.flow or []) if item.benchmark is not None else []:
            if step.timeout is not None:
                step.timeout = max(1, math.ceil(step.timeout * factor))


def epoch_seed(base_seed: int, epoch: int) -> int:
    """The seed of epoch `epoch`: the base seed for epoch 0, else a 63-bit hash.

        epoch_seed(s, 0) = s
        epoch_seed(s, e) = int(SHA-256("reev-epoch-v1:{s}:{e}")[:8], big-endian) >> 1

    Epoch 0 keeps single runs identical to `reev run --seed s`; later epochs get keys
    (and parametric values) no other (seed, epoch) pair shares.
    """
    if epoch < 0:
        raise ValueError("epoch must be >= 0")
    if epoch == 0:
        return base_seed
    digest = hashlib.sha256(f"reev-epoch-v1:{base_seed}:{epoch}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass(frozen=True)
class AgentEntry:
    """An agent of a run: its label (unique in the run, stored as `agent`) and factory.

    `model` is the model asked for, kept on results that never ran (an agent that cannot
    be built, a benchmark that does not load)."""

    label: str
    factory: Callable[[], Agent]
    model: str | None = None


@dataclass(frozen=True)
class Cell:
    """One episode of a plan: positions in the run's agent and benchmark lists, the epoch
    and its seed."""

    epoch: int
    seed: int
    agent: int
    benchmark: int


def plan_cells(*, epochs: int, seed: int, agents: int, benchmarks: int) -> list[Cell]:
    """Every episode of a run: epoch-major, then agent, then benchmark (path order)."""
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    cells = []
    for epoch in range(epochs):
        s = epoch_seed(seed, epoch)
        for a in range(agents):
            for b in range(benchmarks):
                cells.append(Cell(epoch, s, a, b))
    return cells


def episode_job(
    item: LoadedBenchmark,
    entry: AgentEntry,
    *,
    epoch: int,
    seed: int,
    options: EpisodeOptions,
    execution_id: str | None = None,
) -> EpisodeJob:
    """The job of one episode (one cell of the plan), as every executor runs it."""
    return EpisodeJob(
        benchmark_id=item.benchmark_id,
        benchmark=item.benchmark,
        load_error=item.error,
        source_path=str(item.path) if item.path is not None else None,
        agent_label=entry.label,
        agent_factory=entry.factory,
        epoch=epoch,
        seed=seed,
        options=options,
        execution_id=execution_id,
        model=entry.model,
    )


def plan_jobs(
    loaded: Sequence[LoadedBenchmark],
    agents: Sequence[AgentEntry],
    *,
    epochs: int = 1,
    seed: int = 0,
    options: EpisodeOptions | None = None,
) -> list[EpisodeJob]:
    """Every episode of a run as jobs, in `plan_cells` order."""
    labels = [a.label for a in agents]
    if len(set(labels)) != len(labels):
        raise ValueError(f"agent labels must be unique in a run: {labels}")
    cells = plan_cells(epochs=epochs, seed=seed, agents=len(agents), benchmarks=len(loaded))
    chosen = options or EpisodeOptions()
    return [
        episode_job(
            loaded[c.benchmark], agents[c.agent], epoch=c.epoch, seed=c.seed, options=chosen
        )
        for c in cells
    ]
