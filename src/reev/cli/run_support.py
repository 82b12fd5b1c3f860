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


# Options one `--agent` value may set for itself: `NAME[:MODEL][@key=value,...]`, e.g.
# `--agent 'llama-cpp@tool_mode=json' --agent 'llama-cpp@tool_mode=native'` compares two
# tool modes in one run. Each value is parsed by the type given here.
PER_AGENT_OPTIONS: dict[str, type] = {
    "base_url": str,
    "tool_mode": str,
    "results_role": str,
    "stream": bool,
    "max_turns": int,
    "max_tool_calls": int,
    "max_tokens": int,
    "max_seconds": float,
    "max_reply_tokens": int,
    "request_timeout": float,
    "retries": int,
    "temperature": float,
    "top_p": float,
    "model_seed": int,
}


def parse_agent_value(value: str) -> tuple[str, str, dict[str, Any]]:
    """(name, model, options) of `NAME[:MODEL][@key=value,...]`; RunSetupError if bad."""
    spec, _, opts_text = value.partition("@")
    name, _, model = spec.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in opts_text.split(","))):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or key not in PER_AGENT_OPTIONS:
            raise RunSetupError(
                f"--agent {value!r}: {item!r} is not key=value with a key among "
                f"{', '.join(PER_AGENT_OPTIONS)}"
            )
        kind = PER_AGENT_OPTIONS[key]
        raw = raw.strip()
        try:
            if kind is bool:
                if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(raw)
                options[key] = raw.lower() in ("true", "1", "yes")
            else:
                options[key] = kind(raw)
        except ValueError:
            raise RunSetupError(
                f"--agent {value!r}: {key} needs a {kind.__name__}, not {raw!r}"
            ) from None
    return name, model, options


def agent_entries(
    names: Sequence[str],
    options: Mapping[str, Any],
    predictions: Path | None,
    descriptions: dict[str, Any] | None = None,
) -> tuple[list[AgentEntry], set[str]]:
    """One AgentEntry per `--agent NAME[:MODEL][@key=value,...]`, checked by building one
    agent each.

    `NAME:MODEL` runs agent NAME with that model (so `--agent openai:a --agent openai:b`
    compares two models); `@key=value` options (PER_AGENT_OPTIONS) override the run's
    options for that agent alone (endpoint, tool mode, limits, sampling); the label stored
    with each episode is the value as written.
    Returns the entries and the benchmark ids named by `--predictions` (replay agent);
    fills `descriptions` (label → endpoint, mode, limits, sampling) for LLM agents.
    """
    if predictions is not None and list(names) == ["deterministic"]:
        names = ["replay"]
    if len(set(names)) != len(names):
        raise RunSetupError(f"--agent values must be unique: {', '.join(names)}")
    entries: list[AgentEntry] = []
    prediction_ids: set[str] = set()
    for label in names:
        name, model, own = parse_agent_value(label)
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
        opts = {**options, **own}
        if model:
            opts["model"] = model
        try:
            probe = create_agent(name, **opts)
        except AgentError as exc:
            raise RunSetupError(str(exc)) from exc
        describe = getattr(probe, "describe", None)
        if callable(describe) and descriptions is not None:
            descriptions[label] = describe()
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

    `--agent NAME[:MODEL][@key=value,...]` values become AgentChoices; the agent options
    given on the command line (limits, retries, prices…) are kept with each, without None
    values, overridden by the value's own `@key=value` options.
    """
    if predictions is not None and list(labels) == ["deterministic"]:
        labels = ["replay"]
    if len(set(labels)) != len(labels):
        raise RunSetupError(f"--agent values must be unique: {', '.join(labels)}")
    given = {k: v for k, v in options.items() if v is not None and k not in ("model", "base_url")}
    agents = []
    for label in labels:
        name, model, own = parse_agent_value(label)
        base_url = own.pop("base_url", None) or options.get("base_url")
        agents.append(
            AgentChoice(
                name=name,
                model=model or options.get("model"),
                base_url=base_url,
                label=label,
                options={**given, **own},
                predictions=str(predictions) if name == "replay" and predictions else None,
            )
        )
    return RunSpec(agents=agents, **fields)


def resume_problem(store: Store, run_id: str | None, spec: RunSpec) -> str | None:
    """Why `--run-id` cannot resume that run with this spec (None: it can, or it is new).

    A run is resumed only with the spec it was made with, so its episodes never mix
    options, and never while another live process is running it; runs stored before
    specs were kept resume as before.
    """
    if run_id is None:
        return None
    busy = store.run_busy(run_id)
    if busy is not None:
        return busy
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
