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
from reev.runner.suite import AgentEntry, SuiteProgress


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
