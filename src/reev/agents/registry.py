"""Agent names → constructors. An unknown name is an error, never a silent fallback.

`AGENTS` is a `reev.plugins.registry.Registry`: installed packages add agents through the
`reev` entry-point group (docs/plugins.md); `reev agents` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reev.agents.base import Agent, AgentError
from reev.agents.controls import JunkAgent, NullAgent
from reev.agents.deterministic import DeterministicAgent
from reev.agents.factories import http_factory, openai_factory, preset_description, preset_needs
from reev.agents.presets import PRESETS
from reev.agents.replay import ReplayAgent
from reev.plugins.registry import PluginError, Registry


@dataclass(frozen=True)
class AgentSpec:
    """An agent name, what it is, and what it needs to run."""

    name: str
    description: str
    needs: str
    factory: Callable[..., Agent]


def _replay(predictions: str | None = None, **_: Any) -> Agent:
    if not predictions:
        raise AgentError("the replay agent needs --predictions FILE")
    return ReplayAgent.from_file(predictions)


_BUILT_IN: dict[str, AgentSpec] = {
    spec.name: spec
    for spec in (
        AgentSpec(
            "deterministic",
            "reference solution (the benchmark's reference_solution, or reev's answers for 001-004)",
            "nothing",
            lambda **_: DeterministicAgent(),
        ),
        AgentSpec(
            "null",
            "does nothing: the floor no benchmark may reward",
            "nothing",
            lambda **_: NullAgent(),
        ),
        AgentSpec(
            "junk",
            "well-formed but wrong transactions and malformed calls: no benchmark may reward it",
            "nothing",
            lambda **_: JunkAgent(),
        ),
        AgentSpec(
            "replay",
            "executes instructions from a predictions JSONL file",
            "--predictions FILE",
            _replay,
        ),
        *(
            AgentSpec(
                preset,
                f"LLM with tool calling: {preset_description(preset)}",
                preset_needs(preset),
                openai_factory(preset),
            )
            for preset in PRESETS
        ),
        AgentSpec(
            "http",
            "an external agent service speaking reev's POST /gen/tx protocol",
            "--base-url URL or $LLM_API_URL (default http://localhost:9090/gen/tx); "
            "$LLM_API_KEY (optional)",
            http_factory,
        ),
    )
}

AGENTS: Registry[AgentSpec] = Registry("agent", _BUILT_IN)


def available_agents() -> list[AgentSpec]:
    """Every registered agent."""
    return list(AGENTS.values())


def create_agent(name: str, **options: Any) -> Agent:
    """A new agent by name; AgentError naming the known agents when unknown."""
    try:
        spec = AGENTS.require(name)
    except PluginError as exc:
        raise AgentError(str(exc)) from None
    return spec.factory(**options)
