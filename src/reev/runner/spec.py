"""Building and checking a `RunSpec`: the one builder every entry point uses.

`reev run`, the API's run routes, the TUI and the bridges describe a run with
`build_run_spec` (agents as `--agent` values or as `AgentChoice`s, plus the run's
fields); it checks what the spec's type cannot (unique agent values, a known scoring
profile) and raises `SpecError` with a message fit for a user. `agent_entries` then
builds each agent once — an unknown name or a bad option is a `SpecError` before
anything runs — and gives the factories the planner (`reev.runner.plan`) puts into jobs.
`resume_problem` says why a stored run cannot be resumed with a spec.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reev.agents.base import Agent, AgentError
from reev.agents.registry import create_agent
from reev.agents.replay import PredictionsError, ReplayAgent, load_predictions
from reev.results.spec import AgentChoice, RunSpec
from reev.runner.plan import AgentEntry
from reev.scoring.profiles import PROFILES

if TYPE_CHECKING:
    from reev.store import Store


class SpecError(ValueError):
    """A run that cannot be made as described (printed as a usage error, or a 400)."""


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
    """(name, model, options) of `NAME[:MODEL][@key=value,...]`; SpecError if bad."""
    spec, _, opts_text = value.partition("@")
    name, _, model = spec.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in opts_text.split(","))):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or key not in PER_AGENT_OPTIONS:
            raise SpecError(
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
            raise SpecError(
                f"--agent {value!r}: {key} needs a {kind.__name__}, not {raw!r}"
            ) from None
    return name, model, options


def _choice(
    value: str | AgentChoice, options: Mapping[str, Any], predictions: str | None
) -> AgentChoice:
    """One agent of the run: an `--agent` value with the run's shared options, or a choice
    given whole (the API, the TUI, the bridges) with the shared options under its own."""
    given = {k: v for k, v in options.items() if v is not None and k not in ("model", "base_url")}
    if isinstance(value, AgentChoice):
        if not given:
            return value
        return AgentChoice.model_validate(
            value.model_dump() | {"options": {**given, **value.options}}
        )
    name, model, own = parse_agent_value(value)
    return AgentChoice(
        name=name,
        model=model or options.get("model"),
        base_url=own.pop("base_url", None) or options.get("base_url"),
        label=value,
        options={**given, **own},
        predictions=predictions if name == "replay" else None,
    )


def build_run_spec(
    *,
    agents: Sequence[str | AgentChoice],
    options: Mapping[str, Any] | None = None,
    predictions: Path | str | None = None,
    **fields: Any,
) -> RunSpec:
    """The RunSpec of a run, validated once; SpecError (with a readable reason) when bad.

    `agents` are `--agent NAME[:MODEL][@key=value,...]` values or whole `AgentChoice`s;
    `options` are agent options shared by all of them (the CLI's `--max-turns`, prices…,
    None values left out), overridden by each agent's own. With `predictions` and only the
    default agent, the agent is the replay agent. `fields` are RunSpec's other fields.
    """
    values = list(agents)
    if predictions is not None and values == ["deterministic"]:
        values = ["replay"]
    written = [v if isinstance(v, str) else v.label for v in values]
    if len(set(written)) != len(written):
        raise SpecError(f"--agent values must be unique: {', '.join(written)}")
    source = str(predictions) if predictions is not None else None
    try:
        choices = [_choice(v, options or {}, source) for v in values]
        spec = RunSpec(agents=choices, **fields)
    except ValidationError as exc:
        raise SpecError(_readable(exc)) from None
    check_spec(spec)
    return spec


def check_spec(spec: RunSpec) -> None:
    """What the type alone cannot check: the scoring profile is registered."""
    if spec.scoring not in PROFILES:
        known = ", ".join(PROFILES)
        raise SpecError(f"--scoring must be one of {known}, not {spec.scoring!r}")


def _readable(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def agent_entries(
    spec: RunSpec,
    *,
    runtime: Mapping[str, Any] | None = None,
    descriptions: dict[str, Any] | None = None,
) -> tuple[list[AgentEntry], set[str]]:
    """One AgentEntry per agent of `spec`, each checked by building one agent.

    `runtime` are options that are objects of this process, not part of the spec (the
    model-call cache). Returns the entries and the benchmark ids the replay agent's
    predictions name; fills `descriptions` (label → endpoint, mode, limits, sampling) for
    agents that describe themselves. SpecError for an agent that cannot be built.
    """
    entries: list[AgentEntry] = []
    prediction_ids: set[str] = set()
    for choice in spec.agents:
        if choice.name == "replay":
            entry, ids = _replay_entry(choice)
            entries.append(entry)
            prediction_ids |= ids
            continue
        entries.append(agent_entry(choice, runtime=runtime, descriptions=descriptions))
    return entries, prediction_ids


def agent_entry(
    choice: AgentChoice,
    *,
    runtime: Mapping[str, Any] | None = None,
    descriptions: dict[str, Any] | None = None,
    check: bool = True,
) -> AgentEntry:
    """The entry of one agent (not the replay agent), checked by building it once unless
    `check` is False (a queued job whose run was checked when it was made: an agent that
    cannot be built now becomes the episode's error result)."""
    opts = {**choice.create_options(), **(runtime or {})}
    if not check:
        return AgentEntry(choice.label, _factory(choice.name, opts), choice.model)
    try:
        probe = create_agent(choice.name, **opts)
    except AgentError as exc:
        raise SpecError(str(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise SpecError(f"agent {choice.name!r}: {exc}") from exc
    describe = getattr(probe, "describe", None)
    if callable(describe) and descriptions is not None:
        descriptions[choice.label] = describe()
    return AgentEntry(choice.label, _factory(choice.name, opts), choice.model)


def _replay_entry(choice: AgentChoice) -> tuple[AgentEntry, set[str]]:
    if not choice.predictions:
        raise SpecError("the replay agent needs --predictions FILE")
    try:
        predictions = load_predictions(Path(choice.predictions))
    except PredictionsError as exc:
        raise SpecError(str(exc)) from exc
    source = choice.predictions

    def make() -> Agent:
        return ReplayAgent(predictions, source)

    return AgentEntry(choice.label, make, choice.model), set(predictions)


def _factory(name: str, opts: dict[str, Any]) -> Any:
    def make() -> Agent:
        return create_agent(name, **opts)

    return make


def resume_problem(store: Store, run_id: str | None, spec: RunSpec) -> str | None:
    """Why `run_id` cannot be resumed with this spec (None: it can, or it is new).

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
