"""`reev agents`: the agents and model presets, and what each needs."""

from __future__ import annotations

from reev.cli.common import console


def agents() -> None:
    """List the agents and presets — reev's and those of installed plugins — and what each needs."""
    from rich.table import Table

    from reev.agents.registry import available_agents
    from reev.plugins.registry import loaded_plugins

    table = Table(title="agents")
    table.add_column("name", style="bold")
    table.add_column("what it is")
    table.add_column("needs", style="dim")
    for spec in available_agents():
        table.add_row(spec.name, spec.description, spec.needs)
    console.print(table)
    for where in sorted(loaded_plugins().values()):
        console.print(f"plugin {where}", style="dim")
