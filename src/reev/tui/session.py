"""What a TUI session does to the world: run one episode and record it in the store.

Runs on the background loop (see `background.py`). A session is one run,
`tui-<UTC time>-<random>`, created with its first episode and described by a `RunSpec`
built with the runner's `build_run_spec` (interface `tui`, the session's paths, seed,
scoring and step timeout, and every agent run so far — the stored config gains an agent
the first time one runs). Each episode is planned by the runner's planner
(`reev.runner.plan.episode_job`) and runs through `execute_job` on the session's VM pool,
like `reev run`'s, so a result recorded here is the record `reev run` makes of the same
episode, and shows up in `reev report`, the API and the web dashboard.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reev.chain.pool import LiteSVMPool
from reev.results.records import EpisodeResult
from reev.results.scoring import ScoringProfile
from reev.results.spec import AgentChoice, EpisodeOptions, LimitsSpec, RunSpec
from reev.results.summaries import EpisodeSummary
from reev.runner.executors.base import execute_job
from reev.runner.plan import AgentEntry, LoadedBenchmark, episode_job, epoch_seed
from reev.runner.spec import agent_entry, build_run_spec
from reev.store.store import Store
from reev.store.tui_queries import latest_episodes


def agent_label(agent_name: str, options: dict[str, Any]) -> str:
    """What episodes are stored under: `NAME`, or `NAME:MODEL` when a model was chosen."""
    return AgentChoice.label_of(agent_name, options.get("model") or None)


@dataclass
class Outcome:
    """An episode's result, its stored summary, and a problem with storing it, if any."""

    result: EpisodeResult
    summary: EpisodeSummary | None
    problem: str | None = None


@dataclass
class TuiSession:
    """The store, the run and the episode settings of one `reev tui` invocation."""

    store: Store
    paths: list[str] = field(default_factory=list)
    seed: int = 0
    scoring: ScoringProfile = "outcome"
    step_timeout: float | None = None
    run_id: str | None = None
    cancelled: int = 0
    spec: RunSpec | None = None  # the session's run: its agents are those run so far
    _entries: dict[str, AgentEntry] = field(default_factory=dict)
    _stored: RunSpec | None = None  # the spec the store holds for the run
    _pool: LiteSVMPool = field(default_factory=LiteSVMPool)

    def prepare(self, agent_name: str, options: dict[str, Any]) -> AgentEntry:
        """The entry of an agent, adding it to the session's spec on first use.

        The spec is rebuilt with the runner's builder, so it is checked as `reev run`
        checks one; the agent is built once. SpecError when either cannot be done."""
        choice = AgentChoice(name=agent_name, model=options.get("model") or None)
        entry = self._entries.get(choice.label)
        if entry is not None:
            return entry
        known = list(self.spec.agents) if self.spec is not None else []
        spec = build_run_spec(
            interface="tui",
            benchmarks=self.paths or ["benchmarks"],
            agents=[*known, choice],
            seed=self.seed,
            scoring=self.scoring,
            limits=LimitsSpec(step_timeout=self.step_timeout),
        )
        entry = agent_entry(choice)
        self.spec = spec
        self._entries[choice.label] = entry
        return entry

    def ensure_run(self) -> str:
        """The session's run id, creating the run on first use; its stored config is the
        session's spec."""
        if self.spec is None:
            raise ValueError("no agent has been prepared: the session has no spec yet")
        if self.run_id is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            run_id = f"tui-{stamp}-{secrets.token_hex(2)}"
            self.store.create_run(run_id, config=self.spec.stored_form())
            self.run_id, self._stored = run_id, self.spec
        elif self._stored is not self.spec:
            self.store.set_run_config(self.run_id, self.spec.stored_form())
            self._stored = self.spec
        return self.run_id

    async def execute(
        self, loaded: LoadedBenchmark, agent_name: str, options: dict[str, Any]
    ) -> Outcome:
        """Run one benchmark with a fresh agent and record the result.

        The episode is the planner's job for epoch 0 of the session's spec and goes
        through the runner's `execute_job`, as in `reev run`: a parametric benchmark draws
        its values from the seed, a file that does not load or an agent that cannot be
        built becomes an error result. A store failure is reported beside the result,
        which is still shown.
        """
        entry = self.prepare(agent_name, options)
        assert self.spec is not None
        seed = epoch_seed(self.spec.seed, 0)
        job = episode_job(loaded, entry, epoch=0, seed=seed, options=EpisodeOptions.of(self.spec))
        result = await execute_job(job, self._pool)
        try:
            self._record(loaded, result)
            found = latest_episodes(self.store, result.agent, [result.benchmark_id])
        except Exception as exc:
            return Outcome(result, None, f"could not write the result to the store: {exc}")
        return Outcome(result, found.get(result.benchmark_id))

    def _record(self, loaded: LoadedBenchmark, result: EpisodeResult) -> None:
        run_id = self.ensure_run()
        version: int | None = None
        if loaded.benchmark is not None:
            version = self.store.record_benchmark(
                loaded.benchmark.id,
                loaded.file.read_text(encoding="utf-8"),
                source_path=str(loaded.file),
                description=loaded.benchmark.description,
                tags=loaded.benchmark.tags,
            )
        self.store.record_episode(run_id, result, benchmark_version_id=version)

    def finish(self) -> None:
        """Mark the run completed, or interrupted when episodes were cancelled."""
        if self.run_id is not None:
            self.store.set_run_status(self.run_id, "interrupted" if self.cancelled else "completed")
