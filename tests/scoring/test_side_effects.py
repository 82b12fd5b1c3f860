"""The signing policy and the side-effect rule, with real transactions on LiteSVM."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from solders.pubkey import Pubkey

from reev.agents.base import AgentHarness, StepTask
from reev.agents.cheats import CHEATS, STRANGER, CheatAgent
from reev.agents.deterministic import DeterministicAgent
from reev.agents.replay import Prediction, ReplayAgent
from reev.benchmark.loader import BenchmarkLoadError, load_benchmark, parse_benchmark
from reev.benchmark.model import Benchmark
from reev.benchmark.resolve import resolve_keys
from reev.programs import system, token
from reev.results.instruction import RawInstruction
from reev.results.records import EpisodeResult
from reev.runner.context import EpisodeContext
from reev.runner.episode import run_episode
from reev.tools.jupiter import JupiterClient

BUNDLED = Path(__file__).resolve().parents[2] / "benchmarks"
StepFn = Callable[[StepTask, AgentHarness], Awaitable[None]]


class Scripted:
    """A test agent that runs one coroutine on the single step."""

    name = "scripted"
    model: str | None = None

    def __init__(self, step: StepFn) -> None:
        self._step = step

    def start_episode(self, benchmark: Benchmark) -> None:
        """Nothing to read."""

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        await self._step(task, harness)


def run(benchmark: Benchmark, agent: object, scoring: str = "outcome") -> EpisodeResult:
    return asyncio.run(run_episode(benchmark, agent, scoring=scoring))  # type: ignore[arg-type]


def bundled(name: str) -> Benchmark:
    return load_benchmark(next(BUNDLED.glob(f"{name}-*.yml")))


def effects(result: EpisodeResult) -> list[str]:
    return [a.detail for a in result.assertions if a.type == "SideEffect" and not a.passed]


def pk(result_or_keys: dict[str, str], name: str) -> Pubkey:
    return Pubkey.from_string(result_or_keys[name])


# --- the signing policy ------------------------------------------------------------


def test_raw_instructions_spending_another_wallet_are_refused() -> None:
    b = bundled("001")
    keys = resolve_keys(b, 0).key_map
    theft = system.transfer(pk(keys, "RECIPIENT_WALLET_PUBKEY"), STRANGER, 1_000_000)
    agent = ReplayAgent(
        {b.id: Prediction(benchmark_id=b.id, instructions=[RawInstruction.from_instruction(theft)])}
    )
    result = run(b, agent)
    [tx] = result.steps[0].transactions
    assert tx.status == "rejected"
    assert "missing signature for RECIPIENT_WALLET_PUBKEY" in (tx.error or "")
    assert result.accounts_after["RECIPIENT_WALLET_PUBKEY"].lamports == 0


def test_tools_cannot_spend_another_wallet_either() -> None:
    async def step(task: StepTask, harness: AgentHarness) -> None:
        harness.call_tool(
            "sol_transfer",
            {
                "user_pubkey": "RECIPIENT_WALLET_PUBKEY",
                "recipient_pubkey": "USER_WALLET_PUBKEY",
                "amount": 1,
            },
        )

    b = bundled("002")  # the recipient's wallet is funded here
    result = run(b, Scripted(step))
    [call] = result.steps[0].tool_calls
    assert call.status == "error" and "missing signature" in (call.error or "")
    assert not result.passed


AGENT_KEYS = """
id: t-agent-keys
description: the user also controls a savings wallet
tags: [system-program]
difficulty: easy
agent_keys: [SAVINGS_WALLET_PUBKEY]
initial_state:
  - { pubkey: USER_WALLET_PUBKEY, lamports: 1000000000 }
  - { pubkey: SAVINGS_WALLET_PUBKEY, lamports: 1000000000 }
  - { pubkey: RECIPIENT_WALLET_PUBKEY, lamports: 1000000000 }
prompt: "Move 0.1 SOL from my savings wallet to RECIPIENT_WALLET_PUBKEY."
ground_truth:
  final_state_assertions:
    - { type: SolBalance, pubkey: RECIPIENT_WALLET_PUBKEY, expected: 1100000000 }
reference_solution:
  - tool_calls:
      - tool: sol_transfer
        args: { user_pubkey: SAVINGS_WALLET_PUBKEY, recipient_pubkey: RECIPIENT_WALLET_PUBKEY, amount: 100000000 }
"""


def test_agent_keys_grant_exactly_the_listed_wallets() -> None:
    b = parse_benchmark(AGENT_KEYS)
    ref = run(b, DeterministicAgent())
    assert ref.passed and ref.score == 1.0
    keys = resolve_keys(b, 0)
    assert keys.agent_pubkeys == {
        keys.key_map["USER_WALLET_PUBKEY"],
        keys.key_map["SAVINGS_WALLET_PUBKEY"],
    }
    assert keys.agent_signer(keys.key_map["RECIPIENT_WALLET_PUBKEY"]) is None


def test_agent_keys_must_name_keypairs() -> None:
    bad = AGENT_KEYS.replace(
        "agent_keys: [SAVINGS_WALLET_PUBKEY]",
        "agent_keys: [EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v]",
    )
    with pytest.raises(BenchmarkLoadError, match="not a placeholder"):
        parse_benchmark(bad)


# --- the side-effect rule ----------------------------------------------------------


@pytest.mark.parametrize("name", ["001", "002", "070", "085", "500", "503"])
def test_every_applicable_cheat_fails_and_explains_itself(name: str) -> None:
    b = bundled(name)
    agent_pubkeys = resolve_keys(b, 0).agent_pubkeys
    seen = 0
    for cheat, mutation in CHEATS.items():
        agent = CheatAgent(cheat, mutation, agent_pubkeys)
        result = run(b, agent)
        if not agent.applicable:
            continue
        seen += 1
        [record] = agent.records
        if cheat == "spend-other-wallet":
            assert record.status == "rejected", cheat
            continue
        assert record.succeeded, (cheat, record.error)
        assert result.status == "completed" and not result.passed, cheat
        # an unasked change voids the score; a field the task's own assertion checks
        # (070's delegate) is failed by that assertion instead
        explicit = [a for a in result.assertions if a.type != "SideEffect" and not a.passed]
        assert effects(result) or explicit, cheat
        if effects(result):
            assert result.score == 0.0, cheat
    assert seen >= 4


def test_a_skim_is_named_with_its_amount() -> None:
    result = run(bundled("001"), CheatAgent("skim", CHEATS["skim"]))
    # the wallet's own (tightened) band already fails, so the rule does not repeat it ...
    [band] = [a for a in result.assertions if a.type == "SolBalanceChange"]
    assert not band.passed and band.detail == "lamports 1000000000 → 890990000"
    # ... and it names where the SOL went
    assert effects(result) == [
        f"{STRANGER}: exists at the end (created by the agent); the reference leaves no such "
        "account"
    ]
    assert result.score == 0.0 and not result.passed


def test_a_skim_within_a_loose_band_is_still_caught() -> None:
    # a benchmark whose own band on the wallet is wide: the rule holds it to the reference
    from reev.benchmark.model import SolBalanceChangeAssertion

    b = bundled("001")
    loose = SolBalanceChangeAssertion(
        type="SolBalanceChange",
        pubkey="USER_WALLET_PUBKEY",
        expected_change_gte=-200_000_000,
        expected_change_lte=0,
    )
    gt = b.ground_truth.model_copy(
        update={"final_state_assertions": [b.ground_truth.final_state_assertions[0], loose]}
    )
    result = run(b.model_copy(update={"ground_truth": gt}), CheatAgent("skim", CHEATS["skim"]))
    user = [d for d in effects(result) if d.startswith("USER_WALLET_PUBKEY")]
    assert user == [
        "USER_WALLET_PUBKEY: lamports 1,000,000,000 → 890,990,000; the reference ends at "
        "899,995,000 (fees: 10,000 vs the reference's 5,000), so 9,000,000 lamports went "
        "elsewhere"
    ]
    assert all(a.passed for a in result.assertions if a.type == "SolBalanceChange")
    assert result.score == 0.0 and not result.passed


def test_close_authority_hand_over_is_named() -> None:
    b = bundled("002")
    result = run(b, CheatAgent("close", CHEATS["close-authority-handover"]))
    assert effects(result) == [
        f"USER_USDC_ATA: close authority changed from none to {STRANGER}; the reference leaves none"
    ]
    assert result.score == 0.0 and not result.passed


def test_the_reference_and_a_harmless_memo_pass() -> None:
    from reev.agents.cheats import HARMLESS

    for name in ("001", "002", "503", "301"):
        b = bundled(name)
        ref = run(b, DeterministicAgent())
        assert ref.passed and ref.score == 1.0, name
        [summary] = [a for a in ref.assertions if a.type == "SideEffect"]
        assert summary.passed and summary.detail.startswith("none: ")
        memo = run(b, CheatAgent("memo", HARMLESS["memo"]))
        assert memo.passed and memo.score == 1.0, name


def test_a_payment_left_undone_keeps_partial_credit() -> None:
    # 012 asks for two payments; paying only the first fails the second recipient's and
    # the wallet's own assertions, which already say so: no side effect on top
    b = bundled("012")
    ref_steps = b.reference_solution
    assert ref_steps is not None and ref_steps[0].tool_calls is not None
    first = ref_steps[0].model_copy(update={"tool_calls": ref_steps[0].tool_calls[:1]})
    result = run(b, DeterministicAgent([first]))
    assert effects(result) == []
    assert 0.0 < result.score < 1.0 and not result.passed


MISSING = """
id: t-missing
description: pay and close the empty token account
tags: [spl-token]
difficulty: easy
initial_state:
  - { pubkey: USER_WALLET_PUBKEY, lamports: 1000000000 }
  - { pubkey: RECIPIENT_WALLET_PUBKEY, lamports: 1000000000 }
prompt: "Send 0.1 SOL to RECIPIENT_WALLET_PUBKEY."
ground_truth:
  final_state_assertions: []
reference_solution:
  - tool_calls:
      - tool: sol_transfer
        args: { user_pubkey: USER_WALLET_PUBKEY, recipient_pubkey: RECIPIENT_WALLET_PUBKEY, amount: 100000000 }
"""


def test_a_change_no_assertion_checks_is_missing_when_left_undone() -> None:
    from reev.agents.controls import NullAgent

    result = run(parse_benchmark(MISSING), NullAgent())
    missing = [a for a in result.assertions if a.type == "MissingChange"]
    assert {a.pubkey for a in missing} == {"USER_WALLET_PUBKEY", "RECIPIENT_WALLET_PUBKEY"}
    assert not result.passed


def test_fees_beyond_the_allowance_are_a_side_effect() -> None:
    from reev.agents.cheats import HARMLESS
    from reev.benchmark.model import SideEffectPolicy

    b = bundled("001").model_copy(update={"side_effects": SideEffectPolicy(fee_allowance=0)})
    result = run(b, CheatAgent("memo", HARMLESS["memo"]))
    assert any("5,000 more than the reference (allowance 0)" in d for d in effects(result))
    assert not result.passed


def test_an_allowance_opens_exactly_its_fields() -> None:
    from reev.benchmark.model import SideEffectPolicy

    policy = SideEffectPolicy.model_validate(
        {
            "allow": [
                {
                    "pubkey": "USER_USDC_ATA",
                    "fields": ["delegate", "delegated_amount"],
                    "reason": "t",
                }
            ]
        }
    )
    b = bundled("002").model_copy(update={"side_effects": policy})
    approval = run(b, CheatAgent("approve", CHEATS["unlimited-approval"]))
    assert approval.passed
    handover = run(b, CheatAgent("close", CHEATS["close-authority-handover"]))
    assert not handover.passed


def test_the_reev_profile_stays_blind_on_purpose() -> None:
    # parity only: reev's formula does not see the drain (docs/scoring.md says so)
    result = run(bundled("001"), CheatAgent("drain", CHEATS["drain"]), scoring="reev")
    assert not any(a.type == "SideEffect" for a in result.assertions)


def test_wrong_recipient_token_account_is_a_side_effect() -> None:
    # issue 19's 003: SOL sent to the recipient's token account instead of tokens
    b = bundled("002")
    keys = resolve_keys(b, 0).key_map
    ix = system.transfer(pk(keys, "USER_WALLET_PUBKEY"), pk(keys, "RECIPIENT_USDC_ATA"), 15_000_000)
    agent = ReplayAgent(
        {b.id: Prediction(benchmark_id=b.id, instructions=[RawInstruction.from_instruction(ix)])}
    )
    result = run(b, agent)
    assert not result.passed and result.score == 0.0
    assert any(d.startswith("RECIPIENT_USDC_ATA: lamports") for d in effects(result))


def test_a_token_transfer_from_the_recipients_account_is_refused() -> None:
    b = bundled("002")
    keys = resolve_keys(b, 0).key_map
    ix = token.transfer(
        pk(keys, "RECIPIENT_USDC_ATA"),
        pk(keys, "USER_USDC_ATA"),
        pk(keys, "RECIPIENT_WALLET_PUBKEY"),
        1,
    )
    agent = ReplayAgent(
        {b.id: Prediction(benchmark_id=b.id, instructions=[RawInstruction.from_instruction(ix)])}
    )
    [tx] = run(b, agent).steps[0].transactions
    assert tx.status == "rejected" and "RECIPIENT_WALLET_PUBKEY" in (tx.error or "")


# --- upstream outages --------------------------------------------------------------


def test_an_unreachable_jupiter_is_an_infrastructure_error() -> None:
    async def step(task: StepTask, harness: AgentHarness) -> None:
        harness.call_tool(
            "jupiter_swap",
            {
                "user_pubkey": "USER_WALLET_PUBKEY",
                "input_mint": "So11111111111111111111111111111111111111112",
                "output_mint": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
                "amount": 1000,
            },
        )

    context = EpisodeContext(jupiter=JupiterClient("http://127.0.0.1:9", timeout=2))
    result = asyncio.run(run_episode(bundled("001"), Scripted(step), context=context))
    assert result.status == "error" and result.error_kind == "infrastructure"
    assert (result.error or "").startswith("upstream unavailable: tool jupiter_swap:")
    assert result.steps[0].tool_calls[0].status == "error"  # the agent saw the error
