"""`reev gates` (and `reev validate --gates`): run the suite's validity gates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reev.cli.common import PathsArg, console, existing_paths, usage_error
from reev.cli.signals import run_async

if TYPE_CHECKING:
    from reev.runner.gates import GateReport

# reev.runner.gates.PARAMETRIC_SEEDS has three seeds (tests/cli/test_startup.py keeps
# them equal); the default is written here so `--help` does not load the runner.
DEFAULT_SEEDS = 3


def run_gate_checks(paths: list[str], seeds: int, suite_level: bool) -> GateReport:
    """Load the benchmarks under `paths` and run every gate (shared by both commands)."""
    from reev.runner.gates import run_gates
    from reev.runner.gc_policy import for_many_episodes
    from reev.runner.suite import load_all

    loaded = load_all(paths)
    if not loaded:
        raise usage_error("no benchmark files found")
    for_many_episodes()
    return run_async(run_gates(loaded, parametric_seeds=range(seeds), suite_level=suite_level))


def print_report(report: GateReport) -> None:
    """A table of the failing checks (or none) and a one-line summary."""
    from rich.table import Table

    failures = report.failures
    if failures:
        table = Table(title="gate failures")
        for col in ("benchmark", "seed", "gate", "detail"):
            table.add_column(col)
        for c in failures:
            table.add_row(c.benchmark_id, "" if c.seed is None else str(c.seed), c.gate, c.detail)
        console.print(table)
    benchmarks = {c.benchmark_id for c in report.checks if c.benchmark_id != "*"}
    colour = "green" if report.ok else "red"
    console.print(
        f"[{colour}]{len(report.checks) - len(failures)}/{len(report.checks)} gate checks hold"
        f"[/{colour}] over {len(benchmarks)} benchmarks",
        highlight=False,
    )


def gates(
    paths: PathsArg,
    seeds: Annotated[
        int, typer.Option("--seeds", help="Seeds 0..N-1 for parametric benchmarks.")
    ] = DEFAULT_SEEDS,
    no_suite: Annotated[
        bool,
        typer.Option("--no-suite", help="Skip suite-level checks (size, category coverage)."),
    ] = False,
) -> None:
    """Prove each benchmark: reference passes, null passes only refuse tasks, junk and
    negative solutions fail. Exit 1 when any gate fails."""
    report = run_gate_checks([str(p) for p in existing_paths(paths)], seeds, not no_suite)
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)
