"""`RunSpec`: everything that decides what a run does, typed, validated once, stored with it.

Every entry point that starts episodes (the CLI, the API, the TUI, the bridges) builds one
with `reev.runner.spec.build_run_spec`; the planner (`reev.runner.plan`) and the executors
read it, and the store keeps its `stored_form()` as the run's config, so a run says how
it was made and `reev run --run-id ID` resumes it with the same spec.

What is never part of it: API keys (read from the environment by the agents), private
keys, and the store URL (a PostgreSQL URL may hold a password; the run is stored there
anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reev.results.scoring import ScoringProfile

BackendName = Literal["litesvm", "rpc"]
Interface = Literal["cli", "api", "tui", "inspect", "mcp", "library"]
# Where `benchmarks` are: files or folders (the CLI, the TUI, the bridges), or benchmark ids
# of the store, each run at the version that was current when the run was made (the API).
BenchmarkSource = Literal["files", "store"]

# What must match when a stored run is resumed: what decides each episode. (More
# epochs or other benchmark paths extend a run; its stored episodes stay valid.)
EPISODE_FIELDS = (
    "agents",
    "seed",
    "scoring",
    "random_keys",
    "chain",
    "limits",
)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgentChoice(_Spec):
    """One agent of a run: its registered name, model and endpoint, and its label.

    The label (unique in the run, stored as each episode's `agent`) is `NAME` or
    `NAME:MODEL`; `options` are the agent options beyond model and endpoint (limits,
    retries, tool mode, prices…), never an API key.
    """

    name: str = Field(min_length=1)
    model: str | None = None
    base_url: str | None = None
    label: str = ""
    options: dict[str, Any] = Field(default_factory=dict)
    predictions: str | None = Field(default=None, description="replay agent: the JSONL file")

    @model_validator(mode="after")
    def _label(self) -> AgentChoice:
        if not self.label:
            object.__setattr__(self, "label", self.label_of(self.name, self.model))
        for key in self.options:
            if any(word in key.lower() for word in ("api_key", "secret", "password")):
                raise ValueError(
                    f"agent option {key!r} looks like a secret; secrets come from the environment"
                )
        return self

    @classmethod
    def label_of(cls, name: str, model: str | None) -> str:
        """`NAME`, or `NAME:MODEL` when a model was chosen: what episodes are stored under."""
        return f"{name}:{model}" if model else name

    def create_options(self) -> dict[str, Any]:
        """The keyword options `reev.agents.registry.create_agent` takes for this choice."""
        options = {k: v for k, v in self.options.items() if v is not None}
        if self.model:
            options["model"] = self.model
        if self.base_url:
            options["base_url"] = self.base_url
        return options


class ChainSpec(_Spec):
    """The chain and its upstreams (`--backend`, `--rpc-url`, `--fork-url`, `--cassette`,
    `--jupiter-url`); `reev.runner.upstreams.Upstreams.open` checks the combination."""

    backend: BackendName = "litesvm"
    rpc_url: str | None = None
    fork_url: str | None = None
    cassette: Path | None = None
    jupiter_url: str | None = None


class LimitsSpec(_Spec):
    """Time limits: per agent step (`--timeout`) and per whole episode (API workers)."""

    step_timeout: float | None = Field(default=None, gt=0)
    episode_timeout: float | None = Field(default=None, gt=0)
    # `--timeout-scale`: multiplies the step timeouts written in flow files
    step_timeout_scale: float = Field(default=1.0, gt=0)


class RunSpec(_Spec):
    """A run: benchmarks × agents × epochs, and everything that decides their episodes."""

    interface: Interface = "library"
    benchmarks: list[str] = Field(
        min_length=1, description="benchmark files or folders, or stored benchmark ids"
    )
    benchmark_source: BenchmarkSource = "files"
    agents: list[AgentChoice] = Field(min_length=1)
    epochs: int = Field(default=1, ge=1)
    seed: int = 0
    scoring: ScoringProfile = Field(default="outcome", min_length=1, max_length=100)
    random_keys: bool = False
    chain: ChainSpec = Field(default_factory=ChainSpec)
    limits: LimitsSpec = Field(default_factory=LimitsSpec)
    concurrency: int = Field(default=1, ge=1)
    retry_errors: bool = False
    executor: str = "local"
    ray_address: str | None = None
    cache: bool = Field(default=False, description="replay cached model responses")
    trace_file: str | None = None
    store_url: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_labels(self) -> RunSpec:
        labels = [a.label for a in self.agents]
        if len(set(labels)) != len(labels):
            raise ValueError(f"agent labels must be unique in a run: {', '.join(labels)}")
        return self

    def stored_form(self) -> dict[str, Any]:
        """The JSON the store keeps as the run's config (`store_url` left out)."""
        return {"spec": self.model_dump(mode="json")}

    @classmethod
    def from_stored(cls, config: dict[str, Any]) -> RunSpec | None:
        """The spec a run was stored with, or None for runs made before specs were kept."""
        raw = config.get("spec")
        return cls.model_validate(raw) if isinstance(raw, dict) else None

    def differences(self, other: RunSpec) -> list[str]:
        """The episode-defining fields where `other` differs from this spec."""
        mine, theirs = self.model_dump(mode="json"), other.model_dump(mode="json")
        return [name for name in EPISODE_FIELDS if mine[name] != theirs[name]]


@dataclass(frozen=True)
class EpisodeOptions:
    """What decides each episode of a run besides its benchmark, agent and seed."""

    scoring: ScoringProfile = "outcome"
    random_keys: bool = False
    step_timeout: float | None = None
    episode_timeout: float | None = None

    @classmethod
    def of(cls, spec: RunSpec) -> EpisodeOptions:
        """The episode options of a RunSpec."""
        limits = spec.limits
        return cls(spec.scoring, spec.random_keys, limits.step_timeout, limits.episode_timeout)


DEFAULT_EPISODE_OPTIONS = EpisodeOptions()
