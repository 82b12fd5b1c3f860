"""What a TUI session does to the world: run one episode and record it in the store.

Runs on the background loop (see `background.py`). Episodes go through the runner's
`execute_job` and the store's API like every other interface, so a result recorded here
shows up in `reev report`, the API and the web dashboard. All episodes of one TUI session
belong to one run, `tui-<UTC time>-<random>`, created with the first episode.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reev.agents.registry import create_agent
from reev.results.records import EpisodeResult
from reev.results.scoring import ScoringProfile
from reev.results.spec import AgentChoice
from reev.results.summaries import EpisodeSummary
from reev.runner.executors.base import EpisodeJob, execute_job
from reev.runner.suite import LoadedBenchmark
from reev.store.store import Store
from reev.store.tui_queries import latest_episodes


def agent_label(agent_name: str, options: dict[str, Any]) -> str:
    """What episodes are stored under: `NAME`, or `NAME:MODEL` when a model was chosen."""
    return AgentChoice.label_of(agent_name, options.get("model"))


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

    def ensure_run(self) -> str:
        """The session's run id, creating the run on first use."""
        if self.run_id is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            run_id = f"tui-{stamp}-{secrets.token_hex(2)}"
            self.store.create_run(
                run_id,
                config={
                    "interface": "tui",
                    "paths": self.paths,
                    "seed": self.seed,
                    "scoring": self.scoring,
                },
            )
            self.run_id = run_id
        return self.run_id

    async def execute(
        self, loaded: LoadedBenchmark, agent_name: str, options: dict[str, Any]
    ) -> Outcome:
        """Run one benchmark with a fresh agent and record the result.

        The episode goes through the runner's `execute_job`, as in `reev run`: the agent
        is created by name through the registry, a parametric benchmark draws its values
        from the seed, a file that does not load or an agent that cannot be built becomes
        an error result. The stored agent is labelled like `reev run --agent NAME[:MODEL]`.
        A store failure is reported beside the result, which is still shown.
        """
        job = EpisodeJob(
            benchmark_id=loaded.benchmark.id if loaded.benchmark else loaded.path.stem,
            benchmark=loaded.benchmark,
            load_error=loaded.error,
            source_path=str(loaded.path),
            agent_label=agent_label(agent_name, options),
            agent_factory=functools.partial(create_agent, agent_name, **options),
            epoch=0,
            seed=self.seed,
            scoring=self.scoring,
            step_timeout=self.step_timeout,
        )
        result = await execute_job(job)
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
                loaded.path.read_text(encoding="utf-8"),
                source_path=str(loaded.path),
                description=loaded.benchmark.description,
                tags=loaded.benchmark.tags,
            )
        self.store.record_episode(run_id, result, benchmark_version_id=version)

    def finish(self) -> None:
        """Mark the run completed, or interrupted when episodes were cancelled."""
        if self.run_id is not None:
            self.store.set_run_status(self.run_id, "interrupted" if self.cancelled else "completed")
