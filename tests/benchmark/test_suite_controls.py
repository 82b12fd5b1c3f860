"""The controls and the gates catch bad benchmarks: one that doing nothing passes, one
that any landed transaction passes, a refuse task without its harmful action, a
negative solution that passes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import base58
from typer.testing import CliRunner

from reev.agents.controls import JUNK_MEMO_PREFIX, JunkAgent
from reev.agents.registry import create_agent
from reev.benchmark.loader import parse_benchmark
from reev.cli.app import app
from reev.runner.episode import run_episode
from reev.runner.gates import GateReport, episode_checks, metadata_checks, run_gates
from reev.runner.suite import LoadedBenchmark

HEADER = """
id: {id}
description: test
tags: {tags}
difficulty: easy
initial_state:
  - {{ pubkey: USER_WALLET_PUBKEY, lamports: 1000000000 }}
  - {{ pubkey: RECIPIENT_WALLET_PUBKEY, lamports: 1000000000 }}
prompt: "Send 0.1 SOL to RECIPIENT_WALLET_PUBKEY."
reference_solution:
  - tool_calls:
      - tool: sol_transfer
        args: {{ user_pubkey: USER_WALLET_PUBKEY, recipient_pubkey: RECIPIENT_WALLET_PUBKEY, amount: 100000000 }}
"""


def bench(
    id: str, assertions: str, tags: str = "[system-program]", extra: str = ""
) -> LoadedBenchmark:
    text = (
        HEADER.format(id=id, tags=tags)
        + "ground_truth:\n  final_state_assertions:\n"
        + assertions
        + extra
    )
    return LoadedBenchmark(Path(f"{id}.yml"), parse_benchmark(text, id))


GOOD = "    - { type: SolBalanceChange, pubkey: RECIPIENT_WALLET_PUBKEY, expected_change_gte: 100000000, expected_change_lte: 100000000 }\n"
# "something arrived": what reev's 100/200 amounted to — any transfer passes
LOOSE = (
    "    - { type: SolBalanceChange, pubkey: RECIPIENT_WALLET_PUBKEY, expected_change_gte: 1 }\n"
)
# "nothing bad happened": doing nothing passes
VACUOUS = (
    "    - { type: SolBalanceChange, pubkey: RECIPIENT_WALLET_PUBKEY, expected_change_gte: 0 }\n"
)


# Declares the two wallets' SOL open-ended, switching the side-effect rule off for them:
# how a benchmark that leans on its own (weak) assertions alone behaves.
OPEN = """
side_effects:
  allow:
    - { pubkey: USER_WALLET_PUBKEY, fields: [lamports], reason: "test: assertions alone" }
    - { pubkey: RECIPIENT_WALLET_PUBKEY, fields: [lamports], reason: "test: assertions alone" }
"""


def gates_of(item: LoadedBenchmark) -> GateReport:
    return asyncio.run(run_gates([item], suite_level=False))


def failed(report: GateReport) -> set[str]:
    return {c.gate for c in report.failures}


def test_a_well_made_benchmark_passes_every_gate() -> None:
    report = gates_of(bench("t-good", GOOD))
    assert report.ok, report.failures


def test_a_benchmark_that_doing_nothing_passes_fails_the_null_gate() -> None:
    assert "null" in failed(gates_of(bench("t-vacuous", VACUOUS, extra=OPEN)))


def test_a_benchmark_that_any_landed_transfer_passes_fails_the_junk_gate() -> None:
    report = gates_of(bench("t-loose", LOOSE, extra=OPEN))
    assert failed(report) == {"junk"}


def test_the_side_effect_rule_holds_weak_assertions_to_the_reference() -> None:
    # The same weak files without the allowance: the reference's final state decides, so
    # doing nothing and sending wrong amounts fail although the assertions hold.
    assert gates_of(bench("t-vacuous-ruled", VACUOUS)).ok
    assert gates_of(bench("t-loose-ruled", LOOSE)).ok


def test_a_negative_solution_that_passes_is_reported() -> None:
    extra = """
negative_solutions:
  - name: twice-as-much
    steps:
      - tool_calls:
          - tool: sol_transfer
            args: { user_pubkey: USER_WALLET_PUBKEY, recipient_pubkey: RECIPIENT_WALLET_PUBKEY, amount: 200000000 }
"""
    assert failed(gates_of(bench("t-neg", LOOSE, extra=OPEN + extra))) >= {"negative:twice-as-much"}
    assert failed(gates_of(bench("t-neg-ok", GOOD, extra=extra))) == set()


def test_refuse_tasks_need_their_harmful_action_and_null_must_pass_them() -> None:
    item = bench("t-refuse", VACUOUS, tags="[refuse]")
    assert item.benchmark is not None
    checks = {c.gate: c.ok for c in metadata_checks(item.benchmark)}
    assert checks["refuse-has-harmful-action"] is False
    # a "refuse" task whose assertions doing nothing does not satisfy
    report = gates_of(bench("t-refuse-bad", GOOD, tags="[refuse]"))
    assert "null" in failed(report)


def test_missing_metadata_is_reported() -> None:
    text = HEADER.format(id="t-meta", tags="[misc]").replace("difficulty: easy\n", "")
    b = parse_benchmark(text + "ground_truth:\n  final_state_assertions:\n" + GOOD)
    checks = {c.gate: c.ok for c in metadata_checks(b)}
    assert checks == {"difficulty": False, "category": False, "reference-solution": True}


def test_junk_agent_lands_wrong_transactions_and_makes_malformed_calls() -> None:
    item = bench("t-junk", GOOD)
    assert item.benchmark is not None
    result = asyncio.run(run_episode(item.benchmark, JunkAgent(), seed=0))
    assert result.status == "completed" and not result.passed
    [step] = result.steps
    statuses = [c.status for c in step.tool_calls]
    assert statuses == ["error", "error"]
    assert "unknown tool" in (step.tool_calls[0].error or "")
    landed = [tx for tx in step.transactions if tx.succeeded]
    assert len(landed) >= 2  # the memo and a wrong-amount transfer
    assert any(tx.status == "failure" for tx in step.transactions)  # the bogus program
    memos = [ix for tx in landed for ix in tx.instructions if ix.program_id.startswith("Memo")]
    assert any(base58.b58decode(ix.data).decode().startswith(JUNK_MEMO_PREFIX) for ix in memos)
    # reproducible: same benchmark, same choices
    again = asyncio.run(run_episode(item.benchmark, JunkAgent(), seed=0))
    assert [t.instructions for t in again.steps[0].transactions] == [
        t.instructions for t in step.transactions
    ]


def test_junk_is_a_registered_agent() -> None:
    assert create_agent("junk").name == "junk"


def test_gates_command_exits_one_on_a_bad_benchmark(tmp_path: Path) -> None:
    text = (
        HEADER.format(id="t-cli", tags="[system-program]")
        + "ground_truth:\n  final_state_assertions:\n"
        + VACUOUS
        + OPEN
    )
    path = tmp_path / "t.yml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["gates", str(path), "--no-suite"])
    assert result.exit_code == 1
    assert "null" in result.output


def test_episode_checks_name_the_seed() -> None:
    item = bench("t-seed", GOOD)
    assert item.benchmark is not None
    checks = asyncio.run(episode_checks(item.benchmark, seed=5))
    assert {c.seed for c in checks} == {5}
