"""`reev/solana`: reev's benchmarks as an Inspect task (docs/inspect.md)."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from reev.bridges.inspect_task.scorer import reev_scorer
from reev.bridges.inspect_task.solver import reev_solver
from reev.bridges.selection import sample_id, select_benchmarks, shipped_suite, split_list
from reev.results.spec import AgentChoice, LimitsSpec
from reev.runner.spec import build_run_spec
from reev.runner.suite import LoadedBenchmark


@task
def solana(
    benchmarks: str | list[str] | None = None,
    tags: str | list[str] | None = None,
    ids: str | list[str] | None = None,
    seed: int = 0,
    scoring: str = "outcome",
    step_timeout: float | None = None,
) -> Task:
    """reev's Solana benchmarks, one sample each, scored by reev on chain.

    Args:
      benchmarks: Benchmark files or folders (comma-separated text or a list);
        default: the suite shipped with reev.
      tags: Keep benchmarks with any of these tags (e.g. `flow,spl-token`).
      ids: Keep only these benchmark ids.
      seed: reev's seed (keys and parametric values); epoch e uses reev's epoch seed.
      scoring: `outcome` (what happened on chain, the default) or `reev` (reev's formula).
      step_timeout: Seconds a step may take (flow steps' own `timeout` wins).
    """
    spec = build_run_spec(  # what decides the episodes, as reev stores it with a run
        interface="inspect",
        benchmarks=split_list(benchmarks) or [str(shipped_suite())],
        agents=[AgentChoice(name="inspect", label="inspect")],
        seed=seed,
        scoring=scoring,  # a registered profile, else SpecError (a ValueError) naming them
        limits=LimitsSpec(step_timeout=step_timeout),
    )
    profile = spec.scoring
    loaded = select_benchmarks(benchmarks, tags, ids)
    return Task(
        dataset=MemoryDataset([_sample(item) for item in loaded], name="reev-solana"),
        solver=reev_solver(
            benchmarks, tags, ids, seed=seed, scoring=profile, step_timeout=step_timeout
        ),
        scorer=reev_scorer(),
        metadata={"reev_run_spec": spec.model_dump(mode="json")},
    )


def _sample(item: LoadedBenchmark) -> Sample:
    """The benchmark's request as the sample input (the solver sends it with real keys)."""
    b = item.benchmark
    return Sample(
        id=sample_id(item),
        input=b.prompt if b is not None else f"(cannot load {item.path}: {item.error})",
        metadata={
            "source_path": str(item.path),
            "description": b.description if b is not None else "",
            "tags": list(b.tags) if b is not None else [],
            "steps": b.step_count if b is not None else 0,
            "load_error": item.error,
        },
    )
