"""`reev validate` and `reev list`: check and show benchmark files.

`reev validate` writes plain lines (`print_marked`, no Rich): it loads the benchmark loader
and nothing it does not use."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from reev.cli.common import PathsArg, SeedOpt, existing_paths, print_marked, usage_error


def validate(
    paths: PathsArg,
    gates: Annotated[
        bool,
        typer.Option(
            "--gates",
            help="Also run the gates: reference passes, null passes only refuse tasks, junk "
            "and negative solutions fail (see `reev gates`).",
        ),
    ] = False,
) -> None:
    """Validate benchmark files; exit 1 when any is invalid (or, with --gates, a gate fails)."""
    from reev.benchmark.loader import load_benchmark_files

    files = load_benchmark_files(existing_paths(paths))
    if not files:
        raise usage_error("no benchmark files found")
    bad = 0
    for item in files:
        if item.benchmark is None:
            bad += 1
            for issue in item.error.issues if item.error else []:
                print_marked(False, str(issue))
            continue
        print_marked(True, f"{item.path}: {item.benchmark.id}")
    typer.echo(f"{len(files) - bad}/{len(files)} valid")
    if bad:
        raise typer.Exit(1)
    if gates:
        from reev.cli.gates_cmd import print_report, run_gate_checks
        from reev.runner.gates import PARAMETRIC_SEEDS

        report = run_gate_checks([str(p) for p in paths], len(PARAMETRIC_SEEDS), True)
        print_report(report)
        if not report.ok:
            raise typer.Exit(1)


def list_benchmarks(
    paths: PathsArg,
    seed: SeedOpt = 0,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """List benchmarks: id, description, tags and the prompt as given to agents."""
    from reev.benchmark.keys import substitute_placeholders
    from reev.benchmark.resolve import resolve_keys
    from reev.cli.common import console, err_console
    from reev.runner.suite import load_all

    rows: list[dict[str, Any]] = []
    failed = False
    for item in load_all(existing_paths(paths)):
        if item.benchmark is None:
            failed = True
            err_console.print(f"[red]✗[/red] {item.error}", highlight=False)
            continue
        try:  # parametric benchmarks: the request drawn for this seed
            b = item.benchmark.instantiate(seed)
        except ValueError as exc:
            failed = True
            err_console.print(f"[red]✗[/red] {exc}", highlight=False)
            continue
        key_map = resolve_keys(b, seed).key_map
        rows.append(
            {
                "id": b.id,
                "path": str(item.path),
                "description": b.description,
                "tags": b.tags,
                "difficulty": b.difficulty,
                "steps": b.step_count,
                "parameters": b.parameter_values or None,
                "prompt": substitute_placeholders(b.prompt, key_map),
                "step_prompts": [substitute_placeholders(p, key_map) for p in b.step_prompts]
                if b.flow
                else None,
            }
        )
    if as_json:
        console.print_json(json.dumps(rows))
    else:
        for row in rows:
            console.print(f"[bold]{row['id']}[/bold]  [dim]{', '.join(row['tags'])}[/dim]")
            console.print(f"  {row['description']}", highlight=False)
            console.print(f"  prompt: {row['prompt']}", highlight=False)
    if failed:
        raise typer.Exit(1)
