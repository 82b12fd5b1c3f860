"""`reev run`: benchmarks × agent → result trees, summary, JSON and session files.

Exit codes (README): 0 when every episode ran, whatever its score; 1 when any could not
run; 2 for a usage error (nothing runs, nothing is stored); 130 / 143 when SIGINT /
SIGTERM stopped the run (finished episodes kept, the run marked interrupted).

Only Typer and the standard library load with this module: the library parts are
imported inside `run`, so `reev --help` does not pay for them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reev.cli.common import (
    PathsArg,
    SeedOpt,
    console,
    existing_paths,
    open_cli_store,
    parse_scoring,
    usage_error,
)
from reev.cli.signals import Stopped, run_async

if TYPE_CHECKING:
    from reev.results.records import EpisodeResult


def run(
    paths: PathsArg,
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="Agent name, or NAME:MODEL (repeatable; see `reev agents`)."),
    ] = None,
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="JSONL predictions (replay agent).")
    ] = None,
    scoring: Annotated[str, typer.Option("--scoring", help="outcome | reev")] = "outcome",
    seed: SeedOpt = 0,
    random_keys: Annotated[bool, typer.Option("--random-keys", help="Fresh random keys.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write results as JSON.")] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Write session files to OUT_DIR/sessions/."),
    ] = None,
    session_files: Annotated[
        bool | None,
        typer.Option(
            "--session-files/--no-session-files",
            help="Write session files (to --out-dir, else $REEV_HOME/sessions/). "
            "Default: only when --out-dir is given.",
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds an agent may take per step.")
    ] = None,
    trace_file: Annotated[
        Path | None,
        typer.Option(
            "--trace-file",
            help="Write OpenTelemetry spans as JSON lines (OTLP: set OTEL_EXPORTER_OTLP_ENDPOINT).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary table.")] = False,
    epochs: Annotated[int, typer.Option("--epochs", help="Runs of each benchmark × agent.")] = 1,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Episodes in flight at once.")
    ] = 1,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="Run id; an existing one is resumed.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite path (default: REEV_DATABASE_URL)."),
    ] = None,
    retry_errors: Annotated[
        bool, typer.Option("--retry-errors", help="Re-run infrastructure errors.")
    ] = False,
    executor_name: Annotated[
        str,
        typer.Option(
            "--executor",
            help="local (asyncio, this process) | process (forked workers, one per core) | ray.",
        ),
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster (default: a local one).")
    ] = None,
    cache: Annotated[
        bool, typer.Option("--cache", help="Reuse cached model responses (LLM agents).")
    ] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show the progress bar.")
    ] = True,
    model: Annotated[
        str | None, typer.Option("--model", help="Model name (LLM agents; overrides the preset).")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Endpoint URL (LLM agents, http agent)."),
    ] = None,
    max_turns: Annotated[
        int | None, typer.Option("--max-turns", help="Model calls per episode (default 10).")
    ] = None,
    max_tool_calls: Annotated[
        int | None, typer.Option("--max-tool-calls", help="Tool calls per episode (default 20).")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", help="Tokens per episode (default 200000).")
    ] = None,
    max_seconds: Annotated[
        float | None,
        typer.Option("--max-seconds", help="Agent seconds per episode (default 300)."),
    ] = None,
    retries: Annotated[
        int | None, typer.Option("--retries", help="Retries of 429/5xx/timeouts (default 4).")
    ] = None,
    tool_mode: Annotated[
        str,
        typer.Option(
            "--tool-mode",
            help="native | json (calls written as JSON text) | grammar (server-constrained JSON).",
        ),
    ] = "native",
    temperature: Annotated[
        float | None, typer.Option("--temperature", help="Sampling temperature (LLM agents).")
    ] = None,
    top_p: Annotated[
        float | None, typer.Option("--top-p", help="Nucleus sampling top_p (LLM agents).")
    ] = None,
    max_reply_tokens: Annotated[
        int | None,
        typer.Option("--max-reply-tokens", help="max_tokens of every model reply (default 1024)."),
    ] = None,
    results_role: Annotated[
        str | None,
        typer.Option("--results-role", help="JSON/grammar modes: results as user | tool messages."),
    ] = None,
    timeout_scale: Annotated[
        float, typer.Option("--timeout-scale", help="Multiply the step timeouts of flow files.")
    ] = 1.0,
    stream: Annotated[
        bool | None,
        typer.Option(
            "--stream/--no-stream",
            help="Stream model responses (default: the preset's; local servers stream).",
        ),
    ] = None,
    price_in: Annotated[
        float | None, typer.Option("--price-in", help="USD per 1M prompt tokens (for cost).")
    ] = None,
    price_out: Annotated[
        float | None, typer.Option("--price-out", help="USD per 1M completion tokens.")
    ] = None,
    backend: Annotated[
        str, typer.Option("--backend", help="Chain: litesvm (embedded) | rpc (see --rpc-url).")
    ] = "litesvm",
    rpc_url: Annotated[
        str | None, typer.Option("--rpc-url", help="JSON-RPC node with surfnet_* cheat codes.")
    ] = None,
    fork_url: Annotated[
        str | None,
        typer.Option("--fork-url", help="Fill the embedded VM from this RPC; record a cassette."),
    ] = None,
    cassette: Annotated[
        Path | None,
        typer.Option("--cassette", help="Cassette file: replay it (alone) or record into it."),
    ] = None,
    jupiter_url: Annotated[
        str | None, typer.Option("--jupiter-url", help="Jupiter API base URL.")
    ] = None,
) -> None:
    """Run benchmarks with an agent, print result trees and a summary, exit 1 if any errored."""
    from reev.cli.plain import print_tree
    from reev.cli.run_support import ProgressBar
    from reev.cli.summary import epochs_summary_table, repeats_episodes
    from reev.results.errors import error_result
    from reev.results.records import EpisodeResult
    from reev.results.spec import ChainSpec, LimitsSpec
    from reev.runner.executors import make_executor
    from reev.runner.gc_policy import for_many_episodes
    from reev.runner.spec import SpecError, agent_entries, build_run_spec, resume_problem
    from reev.runner.suite import load_all, new_run_id, run_spec, scale_step_timeouts
    from reev.runner.upstreams import BACKENDS, UpstreamConfigError, Upstreams
    from reev.store import resolve_url
    from reev.store.cache import RequestCache
    from reev.tracing.render import result_tree, summary_table
    from reev.tracing.session_file import write_session_file
    from reev.tracing.setup import start_tracing

    profile = parse_scoring(scoring)
    paths = existing_paths(paths)
    # Session files only when asked: --out-dir DIR, or --session-files ($REEV_HOME). The
    # store holds every episode anyway; never the working directory by default.
    write_sessions = session_files if session_files is not None else out_dir is not None
    options: dict[str, Any] = {
        "model": model,
        "base_url": base_url,
        "max_turns": max_turns,
        "max_tool_calls": max_tool_calls,
        "max_tokens": max_tokens,
        "max_seconds": max_seconds,
        "retries": retries,
        "tool_mode": tool_mode,
        "stream": stream,
        "price_in": price_in,
        "price_out": price_out,
        "temperature": temperature,
        "top_p": top_p,
        "model_seed": seed,  # plus the epoch, so K epochs sample K answers
        "max_reply_tokens": max_reply_tokens,
        "results_role": results_role,
    }
    if epochs < 1 or concurrency < 1:
        raise usage_error("--epochs and --concurrency must be at least 1")
    if backend not in BACKENDS:
        raise usage_error(f"--backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    try:
        spec = build_run_spec(
            interface="cli",
            benchmarks=[str(p) for p in paths],
            agents=list(agent or ["deterministic"]),
            options=options,
            predictions=predictions,
            epochs=epochs,
            seed=seed,
            scoring=profile,
            random_keys=random_keys,
            chain=ChainSpec(
                backend=backend,
                rpc_url=rpc_url,
                fork_url=fork_url,
                cassette=cassette,
                jupiter_url=jupiter_url,
            ),
            limits=LimitsSpec(step_timeout=timeout, step_timeout_scale=timeout_scale),
            concurrency=concurrency,
            retry_errors=retry_errors,
            executor=executor_name,
            ray_address=ray_address,
            cache=cache,
            trace_file=str(trace_file) if trace_file else None,
            store_url=db,
        )
        # LLM agents replay cached responses from this database (docs/runs.md)
        runtime = {"cache": RequestCache.open(resolve_url(db))} if cache else None
        agent_configs: dict[str, Any] = {}  # label → endpoint, tool mode, limits, sampling
        entries, prediction_ids = agent_entries(spec, runtime=runtime, descriptions=agent_configs)
    except SpecError as exc:
        raise usage_error(str(exc)) from exc
    labels = [e.label for e in entries]

    loaded = load_all(paths)
    if not loaded:
        raise usage_error("no benchmark files found")
    try:
        scale_step_timeouts(loaded, spec.limits.step_timeout_scale)
    except ValueError as exc:
        raise usage_error(str(exc)) from exc
    try:
        upstreams = Upstreams.open(spec.chain)
    except UpstreamConfigError as exc:
        raise usage_error(str(exc)) from exc
    try:
        executor = make_executor(spec.executor, ray_address=spec.ray_address, upstreams=upstreams)
        executor.check(spec)  # an option the executor cannot honour stops the run here
    except (ValueError, ImportError) as exc:
        upstreams.close()
        raise usage_error(str(exc)) from exc

    def show(result: EpisodeResult) -> None:
        if not quiet:
            print_tree(console, result_tree(result))
        if write_sessions:
            write_session_file(result, out_dir)

    traced = start_tracing(trace_file)  # None unless --trace-file or an OTLP endpoint
    store = open_cli_store(db, release=upstreams.close)
    problem = resume_problem(store, run_id, spec)
    if problem is not None:
        upstreams.close()
        store.close()
        raise usage_error(problem)
    rid = run_id or new_run_id()
    for_many_episodes()
    try:
        with ProgressBar(console, progress and not quiet) as bar:
            outcome = run_async(
                run_spec(
                    spec,
                    loaded,
                    entries,
                    store=store,
                    run_id=rid,
                    extra_config={"agent_configs": agent_configs},
                    executor=executor,
                    on_result=show,
                    on_progress=bar.update,
                    keep_results=False,
                )
            )
    except Stopped as stop:  # SIGINT or SIGTERM: run_matrix kept what had finished
        kept = store.get_run(rid)
        console.print(
            f"[yellow]interrupted[/yellow] by {stop.signal_name}: "
            f"{kept.episodes if kept else 0} finished episodes kept in run {rid}; "
            f"resume with --run-id {rid}",
            highlight=False,
        )
        store.close()
        if traced is not None:
            traced.shutdown()
        raise typer.Exit(stop.exit_code) from None
    finally:
        upstreams.close()  # writes a recording cassette
    if outcome.skipped:
        console.print(
            f"run {outcome.run_id}: skipped {outcome.skipped} episodes already completed, "
            f"ran {outcome.executed}"
        )
    if upstreams.cassette is not None:
        console.print(upstreams.describe())
    if traced is not None:
        traced.shutdown()  # flushes the trace file and the OTLP batch
    known = {item.benchmark.id for item in loaded if item.benchmark is not None}
    for unknown in sorted(prediction_ids - known):
        result = error_result(
            unknown,
            labels[0],
            seed,
            f"prediction for unknown benchmark {unknown!r} (not in this run)",
            profile,
        )
        show(result)
        store.record_episode(rid, result)
    # The summary comes from the episode rows; full results are decoded only when they
    # are printed one per episode (one epoch) or written with --json.
    summaries = store.list_episodes(run_id=rid)
    repeated = repeats_episodes(summaries)
    results: list[EpisodeResult] = []
    if json_out is not None or not repeated:
        results = [EpisodeResult.model_validate(d) for d in store.iter_results_json(rid)]
    store.close()
    console.print(epochs_summary_table(summaries) if repeated else summary_table(results))
    first = [e.first_prompt_tokens for e in summaries if e.first_prompt_tokens is not None]
    if first:
        console.print(
            f"first-call prompt tokens: {sum(first)} over {len(first)} episodes "
            f"(mean {sum(first) / len(first):.0f}, max {max(first)})"
        )
    console.print(f"run {rid} stored; statistics: reev report --run-id {rid}")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(
            json.dumps({"results": [r.to_json_dict() for r in results]}, indent=2), encoding="utf-8"
        )
    if any(s.status == "error" for s in summaries):
        raise typer.Exit(1)
