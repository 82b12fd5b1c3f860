"""The API's runs as `RunSpec`s: built by the run routes, read back by the workers.

`POST /runs` and `POST /benchmarks/{id}/run` describe their run with the runner's
`build_run_spec` (the builder `reev run` uses: the same type, the same checks, each agent
built once), store its `stored_form()` as the run's config, and queue one job per cell
of the runner's plan (`reev.runner.plan.plan_cells`). A worker turns a claimed job back
into the runner's `EpisodeJob` with `reev.runner.plan.episode_job`, from the run's stored
spec (its `EpisodeOptions`), the job's cell and its benchmark version, so an episode
queued here is planned, run and recorded like the same episode of `reev run`.

The server's own policy stays here: a posted `base_url` must be on its allow-list (the
server would send its API key there), and the whole episode is bounded by the server's
`episode_timeout` (kept in the spec's limits).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import HTTPException

from reev.api import schemas
from reev.api.catalog import stored_version_benchmark
from reev.api.security import base_url_refusal
from reev.api.settings import ApiSettings
from reev.results.spec import AgentChoice, LimitsSpec, RunSpec
from reev.results.summaries import BenchmarkVersionInfo
from reev.runner.plan import AgentEntry, LoadedBenchmark, plan_cells
from reev.runner.spec import SpecError, agent_entries, agent_entry, build_run_spec
from reev.store.jobs import JobInfo, JobSpec


def api_run_spec(
    settings: ApiSettings,
    agents: Sequence[schemas.AgentChoice],
    *,
    benchmarks: Sequence[str],
    epochs: int = 1,
    seed: int = 0,
    scoring: str = "outcome",
) -> RunSpec:
    """The RunSpec of a posted run; HTTPException 400 when it cannot run as asked.

    Every agent is built once, so an unknown name or a missing configuration is a 400 now,
    not a failed job later; only the registry makes agents, an unknown name is never
    replaced."""
    for choice in agents:
        refusal = base_url_refusal(choice.base_url, settings.allowed_base_urls)
        if refusal:
            raise HTTPException(status_code=400, detail=refusal)
    try:
        spec = build_run_spec(
            interface="api",
            benchmarks=list(benchmarks),
            benchmark_source="store",
            agents=[AgentChoice(name=a.agent, model=a.model, base_url=a.base_url) for a in agents],
            epochs=epochs,
            seed=seed,
            scoring=scoring,
            limits=LimitsSpec(episode_timeout=settings.episode_timeout),
        )
        agent_entries(spec)
    except SpecError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return spec


def queued_jobs(
    spec: RunSpec,
    run_id: str,
    versions: Sequence[int | None],
    job_ids: Sequence[str] | None = None,
) -> list[JobSpec]:
    """One queue job per episode of the spec's plan; `versions[i]` is the pinned version
    of `spec.benchmarks[i]`."""
    cells = plan_cells(
        epochs=spec.epochs,
        seed=spec.seed,
        agents=len(spec.agents),
        benchmarks=len(spec.benchmarks),
    )
    if job_ids is not None and len(job_ids) != len(cells):
        raise ValueError(f"{len(job_ids)} job ids for {len(cells)} episodes")
    jobs = []
    for i, cell in enumerate(cells):
        choice = spec.agents[cell.agent]
        jobs.append(
            JobSpec(
                run_id=run_id,
                benchmark_id=spec.benchmarks[cell.benchmark],
                benchmark_version_id=versions[cell.benchmark],
                agent=choice.name,
                model=choice.model,
                base_url=choice.base_url,
                epoch=cell.epoch,
                seed=cell.seed,
                scoring=spec.scoring,
                job_id=job_ids[i] if job_ids is not None else None,
            )
        )
    return jobs


def legacy_spec(job: JobInfo, settings: ApiSettings) -> RunSpec:
    """The spec of a job queued before runs kept one (a queue that outlived an upgrade):
    what its row says, with the server's episode timeout."""
    return RunSpec(
        interface="api",
        benchmarks=[job.benchmark_id],
        benchmark_source="store",
        agents=[AgentChoice(name=job.agent, model=job.model, base_url=job.base_url)],
        seed=job.seed,
        scoring=job.scoring,
        limits=LimitsSpec(episode_timeout=settings.episode_timeout),
    )


def job_agent(spec: RunSpec, job: JobInfo) -> AgentEntry:
    """The entry of the spec's agent a job runs (matched on name, model and endpoint)."""
    for choice in spec.agents:
        if (choice.name, choice.model, choice.base_url) == (job.agent, job.model, job.base_url):
            return agent_entry(choice, check=False)
    raise SpecError(f"job {job.id}: agent {job.agent!r} is not one of its run's agents")


def stored_benchmark(benchmark_id: str, version: BenchmarkVersionInfo | None) -> LoadedBenchmark:
    """Benchmark `benchmark_id` from its stored version (an error kept, never raised)."""
    path = Path(version.source_path) if version is not None and version.source_path else None
    if version is None or version.content is None:
        error = "benchmark version not found in the store"
        return LoadedBenchmark(path, None, error, error_id=benchmark_id, stored=True)
    try:
        source = f"{benchmark_id}@v{version.id}"
        benchmark = stored_version_benchmark(version.content, source)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        return LoadedBenchmark(path, None, error, error_id=benchmark_id, stored=True)
    return LoadedBenchmark(path, benchmark, stored=True)
