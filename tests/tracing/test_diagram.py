"""Mermaid flow diagrams (reev's shape) and the transaction-log tree, and `reev flow`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark
from reev.cli.app import app
from reev.results.records import EpisodeResult, StepRecord, ToolCallRecord
from reev.results.transaction import TransactionRecord
from reev.runner.episode import run_episode
from reev.tracing.mermaid import episode_diagram, short_address, summarize_args
from reev.tracing.session_file import episode_from_session, session_document
from reev.tracing.txlog import parse_logs, transaction_log_tree

ROOT = Path(__file__).resolve().parents[2]
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
ALICE = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
BOB = "GpsbfDwSbyXDGjBJsr1u3iMGyz7yDXMkgb7tXVtgq3jS"


def episode(prompt: str, steps: list[StepRecord]) -> EpisodeResult:
    return EpisodeResult(
        benchmark_id="b",
        agent="a",
        seed=0,
        execution_id="x",
        status="completed",
        prompt=prompt,
        steps=steps,
    )


def test_single_tool_call_gives_reevs_diagram_exactly() -> None:
    step = StepRecord(
        step=1,
        prompt="send",
        tool_calls=[
            ToolCallRecord(
                tool="sol_transfer",
                args={"user_pubkey": ALICE, "recipient_pubkey": BOB, "amount": 100_000_000},
                status="ok",
            )
        ],
    )
    assert episode_diagram(episode('Send 0.1 SOL to "Bob"', [step])) == (
        "stateDiagram\n"
        "    [*] --> Prompt\n"
        # reev wrote `&quot;`: its `;` ends a Mermaid statement, so the rest of the
        # prompt broke the diagram; Mermaid's own entity code `#quot;` does not
        "    Prompt --> Agent : Send 0.1 SOL to #quot;Bob#quot;\n"
        "    Agent --> sol_transfer : 0.1 SOL\n"
        "    state sol_transfer {\n"
        '        state "9WzDXwBb..." as sol_transfer_from\n'
        '        state "GpsbfDwS..." as sol_transfer_to\n'
        "        sol_transfer_from --> sol_transfer_to : 0.1 SOL\n"
        "    }\n"
        "    sol_transfer --> [*]\n"
        "\n"
        "classDef tools fill:#e4e4e4,stroke:#777777,color:#111111\n"
        # reev put the transfer's composite state in `tools` too: its title is drawn in
        # the theme's text colour, light grey on light grey in the dark theme
    )


def test_no_tool_calls_and_long_prompt() -> None:
    text = episode_diagram(episode("x" * 200, [StepRecord(step=1, prompt="p")]))
    lines = text.splitlines()
    assert lines[2] == f"    Prompt --> Agent : {'x' * 97}..."
    assert lines[3] == "    Agent --> [*]"


def test_failures_repeats_and_flow_steps_are_marked() -> None:
    failing = ToolCallRecord(
        tool="spl_transfer",
        args={
            "user_pubkey": ALICE,
            "recipient_pubkey": BOB,
            "amount": 15_000_000,
            "mint_address": USDC,
        },
        status="error",
        error="transaction failure: insufficient funds",
    )
    retry = failing.model_copy(
        update={"status": "ok", "error": None, "args": {**failing.args, "amount": 5_000_000}}
    )
    lookup = ToolCallRecord(tool="get_account_balance", args={"pubkey": BOB}, status="ok")
    steps = [
        StepRecord(step=1, prompt="pay", tool_calls=[failing, retry]),
        StepRecord(step=2, prompt="check", tool_calls=[lookup]),
        StepRecord(step=3, prompt="again", skipped=True, error="not run: critical step 1 failed"),
    ]
    lines = episode_diagram(episode("flow", steps)).splitlines()
    assert "    Agent --> Step1 : pay" in lines
    # the failed call keeps its tool name as its label, the error beneath it
    assert '    state "spl_transfer" as spl_transfer' in lines
    assert "    Step1 --> spl_transfer : 15 USDC" in lines
    assert "    spl_transfer : transaction failure#58; insufficient funds" in lines
    assert "    state spl_transfer {" not in lines  # no inner transfer: it did not happen
    assert '    state "spl_transfer" as spl_transfer_2' in lines
    assert "    spl_transfer --> spl_transfer_2 : 5 USDC" in lines
    assert "    spl_transfer_2 --> Step2 : check" in lines
    assert "    Step2 --> get_account_balance : pubkey=GpsbfDwS..." in lines
    assert "    Step3 : not run#58; critical step 1 failed" in lines
    assert lines[-3:] == [
        "class get_account_balance tools",  # spl_transfer_2 is a composite (a transfer)
        "class spl_transfer failed",
        "class Step3 skipped",
    ]
    assert "    Step3 --> [*]" in lines


def test_argument_summaries() -> None:
    assert short_address(ALICE) == "9WzDXwBb..."
    assert short_address("USER_WALLET_PUBKEY") == "USER_WALLET_PUBKEY"
    assert summarize_args("sol_transfer", {"amount": 1_500_000_000}) == "1.5 SOL"
    assert summarize_args("jupiter_swap", {"amount": 2_000_000, "input_mint": USDC}) == ("2 USDC")
    assert summarize_args("get_account_balance", {"pubkey": ALICE}) == "pubkey=9WzDXwBb..."


def test_raw_instruction_transactions_become_states() -> None:
    result = asyncio.run(
        run_episode(
            load_benchmark(ROOT / "benchmarks" / "300-flow-wrap-then-transfer.yml"),
            DeterministicAgent(),
        )
    )
    lines = episode_diagram(result).splitlines()
    # step 1 is raw instructions (System transfer + SyncNative): named after the first one
    assert "    Step1 --> sol_transfer : 0.5 SOL (2 ix)" in lines
    assert "    sol_transfer --> Step2 : " + result.steps[1].prompt[:97] + "..." in lines
    assert "    Step2 --> spl_transfer : 0.5 wSOL" in lines


LOGS = [
    "Program JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4 invoke [1]",
    "Program log: Instruction: Route",
    "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [2]",
    "Program log: Instruction: Transfer",
    "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA consumed 4645 of 180000 compute units",
    "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA success",
    "Program return: JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4 AQAAAA==",
    "Program JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4 consumed 12345 of 200000 compute units",
    "Program JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4 success",
    "Program 11111111111111111111111111111111 invoke [1]",
    "Program 11111111111111111111111111111111 failed: insufficient lamports",
]


def test_log_parsing_nests_invokes_with_compute_units() -> None:
    roots = parse_logs(LOGS)
    assert [r.name for r in roots] == ["Jupiter Router", "System Program"]
    jup, system = roots
    assert jup.compute_units == 12345 and jup.success is True
    assert jup.logs == ["Instruction: Route"] and jup.return_data == "AQAAAA=="
    (token,) = jup.children
    assert token.name == "SPL Token" and token.depth == 2 and token.compute_units == 4645
    assert token.logs == ["Instruction: Transfer"]
    assert system.success is False and system.error == "insufficient lamports"


def test_transaction_log_tree_text() -> None:
    tx = TransactionRecord(
        status="failure", error="boom", signature="S" * 88, logs=LOGS, compute_units=16990, fee=5000
    )
    tree = transaction_log_tree(episode("p", [StepRecord(step=1, prompt="p", transactions=[tx])]))
    assert tree.splitlines() == [
        "🔄 TRANSACTION LOGS",
        "── Step 1 · transaction 1",
        f"❌ failure {'S' * 16}… (16990 CU, fee 5000)",
        "   error: boom",
        "   ├── 🚀 Jupiter Router (JUP6LkbZ…)",
        "   │   ├── 📝 Instruction: Route",
        "   │   ├── 🪙 SPL Token (Tokenkeg…)",
        "   │   │   ├── 📝 Instruction: Transfer",
        "   │   │   └── ✅ SPL Token (4645 CU)",
        "   │   ├── 📝 return: AQAAAA==",
        "   │   └── ✅ Jupiter Router (12345 CU)",
        "   └── 🔹 System Program (11111111…)",
        "       └── ❌ System Program: insufficient lamports",
    ]
    no_cu = transaction_log_tree(
        episode("p", [StepRecord(step=1, prompt="p", transactions=[tx])]), show_cu=False
    )
    assert "CU" not in no_cu


def test_session_file_round_trip_keeps_what_diagrams_need() -> None:
    result = asyncio.run(
        run_episode(
            load_benchmark(ROOT / "benchmarks" / "301-flow-transfer-then-report.yml"),
            DeterministicAgent(),
        )
    )
    back = episode_from_session(json.loads(json.dumps(session_document(result))))
    assert episode_diagram(back) == episode_diagram(result)
    assert transaction_log_tree(back) == transaction_log_tree(result)
    assert [s.score for s in back.steps] == [1.0, 1.0]
    assert back.flow is not None and back.flow.score == result.flow.score  # type: ignore[union-attr]


def test_reev_flow_command_from_session_file_results_file_and_store(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "logs"
    results = tmp_path / "results.json"
    ran = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "benchmarks" / "001-sol-transfer.yml"),
            "--out-dir",
            str(out),
            "--json",
            str(results),
            "-q",
        ],
    )
    assert ran.exit_code == 0, ran.output
    execution_id = json.loads(results.read_text())["results"][0]["execution_id"]
    from_session = runner.invoke(app, ["flow", execution_id, "--out-dir", str(out)])
    assert from_session.exit_code == 0, from_session.output
    assert from_session.output.startswith("stateDiagram\n    [*] --> Prompt\n")
    assert "    Agent --> sol_transfer : 0.1 SOL\n" in from_session.output
    from_results = runner.invoke(
        app, ["flow", execution_id, "--results", str(results), "--markdown"]
    )
    assert from_results.output.startswith("```mermaid\nstateDiagram\n")
    assert from_results.output.rstrip().endswith("```")
    tree = runner.invoke(app, ["flow", execution_id, "--results", str(results), "--logs"])
    assert tree.output.startswith("🔄 TRANSACTION LOGS\n── Step 1 · transaction 1\n✅ success")

    from reev.store import open_store

    db = tmp_path / "reev.db"
    stored = EpisodeResult.model_validate(json.loads(results.read_text())["results"][0])
    with open_store(str(db)) as store:
        store.create_run("run-1")
        store.record_episode("run-1", stored)
    from_db = runner.invoke(app, ["flow", execution_id, "--db", str(db)])
    assert from_db.exit_code == 0, from_db.output
    assert from_db.output == from_session.output

    missing = runner.invoke(app, ["flow", "no-such-id", "--out-dir", str(out), "--db", str(db)])
    assert missing.exit_code == 1
