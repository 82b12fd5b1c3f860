"""`reev agents`: what is installed — agents and presets (and what each needs), scoring
profiles, assertion types, executors, tools — reev's own and the plugins'."""

from __future__ import annotations

from reev.cli.common import console


def agents() -> None:
    """List the agents and presets, scoring profiles, assertion types, executors and tools —
    reev's and those of installed plugins — and what each agent needs."""
    from rich.table import Table

    from reev.agents.registry import AGENTS, available_agents
    from reev.benchmark.model import ASSERTION_MODELS
    from reev.plugins.registry import contributions, loaded_plugins
    from reev.runner.executors import EXECUTORS
    from reev.scoring.profiles import PROFILES
    from reev.tools.registry import TOOLS

    def mark(origin: str | None) -> str:
        return f" [dim](plugin {origin})[/dim]" if origin else ""

    table = Table(title="agents")
    table.add_column("name", style="bold")
    table.add_column("what it is")
    table.add_column("needs", style="dim")
    for spec in available_agents():
        table.add_row(spec.name, spec.description + mark(AGENTS.origin(spec.name)), spec.needs)
    console.print(table)
    profiles = Table(title="scoring profiles (reev run --scoring NAME)")
    profiles.add_column("name", style="bold")
    profiles.add_column("what it scores")
    for name, profile in PROFILES.items():
        profiles.add_row(name, profile.description + mark(PROFILES.origin(name)))
    console.print(profiles)
    for title, registry in (
        ("assertion types", ASSERTION_MODELS),
        ("executors", EXECUTORS),
        ("tools", TOOLS),
    ):
        names = [f"{n}{mark(registry.origin(n))}" for n in registry]
        console.print(f"[bold]{title}[/bold]: {', '.join(names)}", highlight=False)
    for name, where in sorted(loaded_plugins().items()):
        added = "; ".join(f"{kind}s {', '.join(n)}" for kind, n in contributions(name).items())
        console.print(f"plugin {where}: {added or 'nothing registered'}", style="dim")
