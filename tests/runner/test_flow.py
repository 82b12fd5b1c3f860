"""Flows on the real LiteSVM: per-step scores and ground truth, critical, timeout, depends_on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from reev.agents.base import AgentHarness, StepTask
from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark, parse_benchmark
from reev.benchmark.model import Benchmark
from reev.results.records import EpisodeResult
from reev.runner.episode import flow_dependencies, run_episode

ROOT = Path(__file__).resolve().parents[2]
WRAP = ROOT / "benchmarks" / "300-flow-wrap-then-transfer.yml"
REPORT = ROOT / "benchmarks" / "301-flow-transfer-then-report.yml"
WSOL = "So11111111111111111111111111111111111111112"

StepFn = Callable[[StepTask, AgentHarness], Awaitable[None]]


class ScriptedAgent:
    """A test agent: one coroutine per step, and a record of the tasks it was given."""

    name = "scripted"
    model: str | None = None

    def __init__(self, steps: list[StepFn]) -> None:
        self.steps = steps
        self.tasks: list[StepTask] = []

    def start_episode(self, benchmark: Benchmark) -> None:
        self.tasks = []

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        self.tasks.append(task)
        await self.steps[task.step - 1](task, harness)


def run(benchmark: Benchmark, agent: Any, **kw: Any) -> EpisodeResult:
    return asyncio.run(run_episode(benchmark, agent, **kw))


def variant(path: Path, edit: Callable[[dict[str, Any]], None]) -> Benchmark:
    data = yaml.safe_load(path.read_text())
    edit(data)
    return parse_benchmark(yaml.safe_dump(data), str(path))


def send_sol(lamports: int) -> StepFn:
    async def step(task: StepTask, harness: AgentHarness) -> None:
        harness.call_tool(
            "sol_transfer",
            {
                "user_pubkey": "USER_WALLET_PUBKEY",
                "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
                "amount": lamports,
            },
        )

    return step


async def report_balance(task: StepTask, harness: AgentHarness) -> None:
    """Look the balance up and report what the chain says (an honest report)."""
    call = harness.call_tool("get_account_balance", {"pubkey": "RECIPIENT_WALLET_PUBKEY"})
    lamports = harness.observe().account("RECIPIENT_WALLET_PUBKEY")
    assert call.status == "ok" and lamports is not None
    harness.set_answer(f"The recipient holds {lamports.lamports / 1e9:g} SOL.")


async def do_nothing(task: StepTask, harness: AgentHarness) -> None:
    return None


# --- the shipped flows with the reference agent ----------------------------------------


@pytest.mark.parametrize("path", [WRAP, REPORT])
def test_reference_agent_passes_shipped_flows_step_by_step(path: Path) -> None:
    result = run(load_benchmark(path), DeterministicAgent())
    assert result.status == "completed", result.error
    assert result.passed and result.score == pytest.approx(1.0)
    assert [s.step for s in result.steps] == [1, 2]
    assert all(s.passed and s.score == 1.0 and not s.skipped for s in result.steps)
    assert result.flow is not None
    assert result.flow.step_scores == [1.0, 1.0]
    assert result.flow.critical_failure is None


def test_per_step_ground_truth_is_checked_right_after_its_step() -> None:
    result = run(load_benchmark(WRAP), DeterministicAgent())
    step1, step2 = result.steps
    # After step 1 the user's wSOL account holds 0.5 wSOL; at the end it holds 0.
    assert [a.actual for a in step1.assertions] == [500_000_000]
    assert [a.actual for a in step2.assertions] == [500_000_000]
    final_user_wsol = next(a for a in result.assertions if a.pubkey == "USER_WSOL_ATA")
    assert final_user_wsol.actual == 0
    assert len(step1.transactions) == 1 and step1.transactions[0].succeeded
    assert step2.tool_calls[0].tool == "spl_transfer"


def test_read_only_step_counts_as_acting() -> None:
    result = run(load_benchmark(REPORT), DeterministicAgent())
    step2 = result.steps[1]
    assert step2.transactions == []
    assert step2.tool_calls[0].result["lamports"] == 100_000_000
    assert step2.score == 1.0 and step2.passed


def test_step_two_acts_on_what_step_one_left_on_chain() -> None:
    """Step 2 sends whatever wSOL step 1 wrapped: it reads it from its observation."""
    wrapped: list[int] = []

    async def wrap(task: StepTask, harness: AgentHarness) -> None:
        ref = load_benchmark(WRAP).reference_solution
        assert ref is not None and ref[0].instructions is not None
        harness.execute(ref[0].instructions)

    async def send_what_is_there(task: StepTask, harness: AgentHarness) -> None:
        ata = task.observation.key_map["USER_WSOL_ATA"]
        token = task.observation.accounts[ata].token
        assert token is not None
        wrapped.append(token.amount)
        harness.call_tool(
            "spl_transfer",
            {
                "user_pubkey": "USER_WSOL_ATA",
                "recipient_pubkey": "RECIPIENT_WSOL_ATA",
                "amount": token.amount,
                "mint_address": WSOL,
            },
        )

    agent = ScriptedAgent([wrap, send_what_is_there])
    result = run(load_benchmark(WRAP), agent)
    assert wrapped == [500_000_000]
    assert result.passed
    assert agent.tasks[1].prompt.startswith("Now send the 0.5 wSOL")


# --- critical, non-critical, depends_on ------------------------------------------------


def test_failed_critical_step_ends_the_flow() -> None:
    agent = ScriptedAgent([send_sol(50_000_000), report_balance])  # 0.05 SOL, not 0.1
    result = run(load_benchmark(REPORT), agent)
    assert result.status == "completed"
    step1, step2 = result.steps
    assert step1.passed is False and step1.score == 0.0
    assert step1.assertions[0].actual == 50_000_000
    assert step2.skipped and step2.error == "not run: critical step 1 failed"
    assert len(agent.tasks) == 1  # step 2 never reached the agent
    assert result.flow is not None and result.flow.critical_failure == 1
    assert result.passed is False
    assert result.score == pytest.approx(0.0)  # final assertion fails, both steps 0


def test_failed_non_critical_step_does_not_end_the_flow() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["flow"][0]["critical"] = False
        d["flow"][1]["depends_on"] = []

    agent = ScriptedAgent([send_sol(50_000_000), report_balance])
    result = run(variant(REPORT, edit), agent)
    step1, step2 = result.steps
    assert step1.passed is False
    assert not step2.skipped and step2.passed
    assert len(agent.tasks) == 2
    assert result.flow is not None
    # the flow's own formula gives 0.5 × final (fails: 0) + 0.5 × mean(0, 1) ...
    assert result.flow.score == pytest.approx(0.25)
    # ... but 0.05 SOL left the wallet where the reference sends 0.1: an unasked change,
    # which voids the score (the side-effect rule)
    effects = [a for a in result.assertions if a.type == "SideEffect" and not a.passed]
    assert [a.pubkey for a in effects] == ["USER_WALLET_PUBKEY"]
    assert result.score == 0.0
    assert result.passed is False


def test_step_depending_on_a_failed_step_is_not_run() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["flow"][0]["critical"] = False  # depends_on alone must stop step 2

    agent = ScriptedAgent([send_sol(50_000_000), report_balance])
    result = run(variant(REPORT, edit), agent)
    assert result.steps[1].skipped
    assert result.steps[1].error == "not run: depends on step 1, which failed"
    assert len(agent.tasks) == 1


def test_min_score_decides_passed() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["flow"][0]["critical"] = False
        d["flow"][1]["depends_on"] = []
        d["ground_truth"]["min_score"] = 0.5

    # step 1 sends 0.1 SOL but step 2 does nothing: 0.5 × 1 + 0.5 × mean(1, 0) = 0.75
    agent = ScriptedAgent([send_sol(100_000_000), do_nothing])
    result = run(variant(REPORT, edit), agent)
    assert result.score == pytest.approx(0.75)
    assert result.steps[1].passed is False
    assert result.passed is True  # ≥ min_score 0.5

    def stricter(d: dict[str, Any]) -> None:
        edit(d)
        d["ground_truth"]["min_score"] = 0.8

    result = run(variant(REPORT, stricter), ScriptedAgent([send_sol(100_000_000), do_nothing]))
    assert result.passed is False


def test_bad_depends_on_reference_is_an_error_result() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["flow"][0]["depends_on"] = ["step_2_result"]

    result = run(variant(REPORT, edit), DeterministicAgent())
    assert result.status == "error"
    assert "depends_on 'step_2_result' names no earlier step" in (result.error or "")


# --- timeouts and crashes --------------------------------------------------------------


def test_step_timeout_is_enforced_and_scored() -> None:
    async def stall(task: StepTask, harness: AgentHarness) -> None:
        await asyncio.sleep(30)

    def edit(d: dict[str, Any]) -> None:
        d["flow"][0]["timeout"] = 1

    agent = ScriptedAgent([stall, report_balance])
    result = run(variant(REPORT, edit), agent)
    assert result.status == "completed"
    step1, step2 = result.steps
    assert step1.error == "step 1 timed out after 1s"
    assert step1.score == 0.0 and step1.passed is False
    assert step1.duration_ms < 29_000
    assert step2.skipped  # step 1 is critical
    assert result.passed is False


def test_agent_crash_in_a_step_is_an_error_result_with_the_steps_kept() -> None:
    async def crash(task: StepTask, harness: AgentHarness) -> None:
        raise RuntimeError("provider down")

    def edit(d: dict[str, Any]) -> None:
        d["flow"][0]["critical"] = False
        d["flow"][1]["depends_on"] = []

    agent = ScriptedAgent([crash, report_balance])
    result = run(variant(REPORT, edit), agent)
    assert result.status == "error"
    assert result.error == "step 1: RuntimeError: provider down"
    assert result.steps[1].skipped and "agent failed in step 1" in (result.steps[1].error or "")
    assert result.score == 0.0


# --- the reev profile and reev's own flow files ----------------------------------------


def test_reev_profile_keeps_reevs_number_for_flows() -> None:
    result = run(load_benchmark(REPORT), DeterministicAgent(), scoring="reev")
    # no top-level expected_instructions → instruction 1.0; the last step has no
    # transaction, so reev's "last transaction succeeded" is taken over the whole flow.
    assert result.scores.instruction == 1.0
    assert result.score == pytest.approx(1.0)
    assert result.passed
    # step 2 is scored on its answer; reev's formula gives a step without a transaction
    # 0.75 × instruction (1.0) + 0.25 × 0
    assert result.flow is not None and result.flow.step_scores == [1.0, 0.75]


@pytest.mark.parametrize(
    "name", ["116-jup-lend-redeem-usdc.yml", "200-jup-swap-then-lend-deposit.yml"]
)
def test_reevs_flow_files_still_load(originals: Path, name: str) -> None:
    benchmark = load_benchmark(originals / name)
    assert benchmark.flow is not None and len(benchmark.flow) == 2
    assert all(s.critical and s.timeout == 30 for s in benchmark.flow)
    assert benchmark.flow[1].depends_on == ["step_1_result"]
    assert benchmark.ground_truth.min_score == 0.6
    assert flow_dependencies(benchmark) == {2: [1]}
