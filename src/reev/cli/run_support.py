"""Glue for `reev run` at scale: agent entries from `--agent` values, the store, the
progress bar. Kept apart from run_cmd.py so that file stays argument handling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from reev.agents.base import Agent, AgentError
from reev.agents.registry import create_agent
from reev.agents.replay import PredictionsError, ReplayAgent, load_predictions
from reev.results.spec import AgentChoice, RunSpec
from reev.runner.suite import AgentEntry, SuiteProgress
from reev.store import Store


class RunSetupError(Exception):
    """A bad combination of `reev run` options (printed as a usage error)."""


def agent_entries(
    names: Sequence[str], options: Mapping[str, Any], predictions: Path | None
) -> tuple[list[AgentEntry], set[str]]:
    """One AgentEntry per `--agent NAME[:MODEL]`, checked by building one agent each.

    `NAME:MODEL` runs agent NAME with that model (so `--agent openai:a --agent openai:b`
    compares two models); the label stored with each episode is the value as written.
    Returns the entries and the benchmark ids named by `--predictions` (replay agent).
    """
    if predictions is not None and list(names) == ["deterministic"]:
        names = ["replay"]
    if len(set(names)) != len(names):
        raise RunSetupError(f"--agent values must be unique: {', '.join(names)}")
    entries: list[AgentEntry] = []
    prediction_ids: set[str] = set()
    for label in names:
        name, _, model = label.partition(":")
        if name == "replay":
            if predictions is None:
                raise RunSetupError("the replay agent needs --predictions FILE")
            try:
                loaded_predictions = load_predictions(predictions)
            except PredictionsError as exc:
                raise RunSetupError(str(exc)) from exc
            prediction_ids |= set(loaded_predictions)
            source = str(predictions)
            entries.append(AgentEntry(label, _replay_factory(loaded_predictions, source)))
            continue
        opts = dict(options)
        if model:
            opts["model"] = model
        try:
            create_agent(name, **opts)
        except AgentError as exc:
            raise RunSetupError(str(exc)) from exc
        entries.append(AgentEntry(label, _factory(name, opts)))
    return entries, prediction_ids


def _factory(name: str, opts: dict[str, Any]) -> Any:
    def make() -> Agent:
        return create_agent(name, **opts)

    return make


def _replay_factory(predictions: Any, source: str) -> Any:
    def make() -> Agent:
        return ReplayAgent(predictions, source)

    return make


def build_run_spec(
    *,
    labels: Sequence[str],
    options: Mapping[str, Any],
    predictions: Path | None,
    **fields: Any,
) -> RunSpec:
    """The run's RunSpec from `reev run`'s options (ValidationError / RunSetupError when bad).

    `--agent NAME[:MODEL]` values become AgentChoices; the agent options given on the
    command line (limits, retries, prices…) are kept with each, without None values.
    """
    if predictions is not None and list(labels) == ["deterministic"]:
        labels = ["replay"]
    if len(set(labels)) != len(labels):
        raise RunSetupError(f"--agent values must be unique: {', '.join(labels)}")
    given = {k: v for k, v in options.items() if v is not None and k not in ("model", "base_url")}
    agents = []
    for label in labels:
        name, _, model = label.partition(":")
        agents.append(
            AgentChoice(
                name=name,
                model=model or options.get("model"),
                base_url=options.get("base_url"),
                label=label,
                options=given,
                predictions=str(predictions) if name == "replay" and predictions else None,
            )
        )
    return RunSpec(agents=agents, **fields)


def resume_problem(store: Store, run_id: str | None, spec: RunSpec) -> str | None:
    """Why `--run-id` cannot resume that run with this spec (None: it can, or it is new).

    A run is resumed only with the spec it was made with, so its episodes never mix
    options; runs stored before specs were kept resume as before.
    """
    if run_id is None:
        return None
    run = store.get_run(run_id)
    stored = RunSpec.from_stored(run.config) if run is not None else None
    if stored is None:
        return None
    differ = stored.differences(spec)
    if not differ:
        return None
    return (
        f"run {run_id} was made with other {', '.join(differ)}; resume it with the options "
        f"it was made with (stored as the run's config) or choose another --run-id"
    )


class ProgressBar:
    """Episodes done/total, pass rate so far and ETA, on the given console."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.enabled = enabled
        self.progress = Progress(
            TextColumn("[bold]episodes"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("pass {task.fields[rate]}"),
            TextColumn("errors {task.fields[errors]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=not enabled,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def update(self, p: SuiteProgress) -> None:
        """Callback for `run_matrix(on_progress=...)`."""
        rate = f"{p.pass_rate:.0%}" if p.pass_rate is not None else "-"
        if self.task is None:
            self.task = self.progress.add_task("run", total=p.to_run, rate=rate, errors=p.errors)
        self.progress.update(self.task, completed=p.done, rate=rate, errors=p.errors)
