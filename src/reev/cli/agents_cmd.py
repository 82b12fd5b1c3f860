"""`reev agents`: the agents and what each needs."""

from __future__ import annotations

from reev.agents.registry import available_agents
from reev.cli.common import console


def agents() -> None:
    """List the agents and what each needs."""
    for spec in available_agents():
        console.print(
            f"[bold]{spec.name}[/bold]: {spec.description}  [dim](needs: {spec.needs})[/dim]"
        )
