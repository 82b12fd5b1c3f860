"""The agent tabs: every registered agent, and whether it can run here.

An agent whose API key is missing from the environment is shown greyed out: its stored
results can still be browsed, but it cannot be run. The replay agent needs a predictions
file, which `reev run --predictions` takes; the TUI shows it greyed as well.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from reev.agents.presets import PRESETS
from reev.agents.registry import available_agents

_REQUIRED_ENV = re.compile(r"\$([A-Z_][A-Z0-9_]*)(?![A-Z0-9_])(?!\s*\()")
"""`$VAR` in an agent's `needs`, unless followed by `(optional)` or `(default …)`."""
MODEL_FIELD_AGENTS = frozenset({"openai"})
"""Agents whose model is typed into the model field (the presets carry their own)."""


@dataclass(frozen=True)
class AgentChoice:
    """One agent tab."""

    name: str
    description: str
    missing: str | None = None
    """Why the agent cannot run here (e.g. `needs $ZAI_API_KEY`), or None when it can."""

    @property
    def runnable(self) -> bool:
        return self.missing is None

    @property
    def wants_model(self) -> bool:
        return self.name in MODEL_FIELD_AGENTS


def _missing(name: str, needs: str, env: Mapping[str, str]) -> str | None:
    preset = PRESETS.get(name)
    if preset is not None:
        if preset.key_env and preset.key_required and not env.get(preset.key_env):
            return f"needs ${preset.key_env}"
        return None
    if "--predictions" in needs:
        return "needs a predictions file (use `reev run --predictions FILE`)"
    absent = [var for var in _REQUIRED_ENV.findall(needs) if not env.get(var)]
    return f"needs {', '.join('$' + v for v in absent)}" if absent else None


def agent_choices(environ: Mapping[str, str] | None = None) -> list[AgentChoice]:
    """One tab per registered agent, in registry order."""
    env = os.environ if environ is None else environ
    return [
        AgentChoice(spec.name, spec.description, _missing(spec.name, spec.needs, env))
        for spec in available_agents()
    ]
