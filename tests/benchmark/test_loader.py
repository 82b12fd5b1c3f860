"""Loading: every original file loads unchanged; malformed files say file:line:col and what."""

from __future__ import annotations

from pathlib import Path

import pytest

from reev.benchmark.loader import BenchmarkLoadError, load_benchmark, parse_benchmark
from reev.benchmark.model import (
    ExpectedInstruction,
    SideEffectAllowance,
    SolBalanceAssertion,
    TokenAccountBalanceAssertion,
    ToolCallSpec,
)

MINIMAL = """\
id: t-1
description: d
tags: [x]
initial_state:
  - pubkey: USER_WALLET_PUBKEY
    owner: "11111111111111111111111111111111"
    lamports: 1000
prompt: p
ground_truth:
  final_state_assertions:
    - type: SolBalance
      pubkey: USER_WALLET_PUBKEY
      expected: 1000
"""


def _error(text: str) -> BenchmarkLoadError:
    with pytest.raises(BenchmarkLoadError) as info:
        parse_benchmark(text, "bench.yml")
    return info.value


def test_all_thirteen_originals_load(originals: Path) -> None:
    files = sorted(originals.glob("*.yml"))
    assert len(files) == 13
    ids = [load_benchmark(f).id for f in files]
    assert ids[0] == "001-sol-transfer"
    assert ids[-1] == "200-jup-swap-then-lend-deposit"


def test_ignored_reev_keys_are_kept_typed(originals: Path) -> None:
    b114 = load_benchmark(originals / "114-jup-positions-and-earnings.yml")
    gt = b114.ground_truth
    assert gt.min_score == 0.6
    assert gt.skip_instruction_validation is True
    assert [c["service"] for c in gt.expected_api_calls] == [
        "jupiter_positions",
        "jupiter_earnings",
    ]
    assert len(gt.response_validation) == 4
    assert len(gt.expected_data_structure) == 4
    assert gt.success_criteria[0]["type"] == "steps_completed"
    assert gt.tool_validation[0]["tool_name"] == "jupiter_earn"


def test_flow_and_token_fields(originals: Path) -> None:
    b = load_benchmark(originals / "116-jup-lend-redeem-usdc.yml")
    assert b.flow is not None and [s.step for s in b.flow] == [1, 2]
    assert b.flow[1].depends_on == ["step_1_result"]
    assert b.flow[0].critical and b.flow[0].timeout == 30
    derived = b.ground_truth.final_state_assertions[0]
    assert isinstance(derived, TokenAccountBalanceAssertion)
    assert derived.address_derivation is not None
    assert derived.address_derivation.mint == "9BEcn9aPEmhSPbPQeFGjidRiEKki46fVQDyPpSQXPA2D"
    b2 = load_benchmark(originals / "002-spl-transfer.yml")
    ata = next(i for i in b2.initial_state if i.pubkey == "USER_USDC_ATA")
    assert ata.data is not None and ata.data.amount == 50_000_000  # the YAML has a string


def test_minimal_benchmark_parses() -> None:
    b = parse_benchmark(MINIMAL)
    assert isinstance(b.ground_truth.final_state_assertions[0], SolBalanceAssertion)


def test_omitted_lists_and_maps_are_fresh_for_each_benchmark() -> None:
    # The models' default factories are Python functions (new_list, new_dict), not the
    # builtins: each benchmark still gets its own empty list or dict, never a shared one.
    first, second = parse_benchmark(MINIMAL), parse_benchmark(MINIMAL)
    first.agent_keys.append("SIGNER")
    first.ground_truth.expected_instructions.append(ExpectedInstruction(program_id="x"))
    first.side_effects.allow.append(SideEffectAllowance(pubkey="x", reason="r"))
    assert second.agent_keys == [] and parse_benchmark(MINIMAL).agent_keys == []
    assert second.ground_truth.expected_instructions == []
    assert second.side_effects.allow == []
    call, other = ToolCallSpec(tool="t"), ToolCallSpec(tool="t")
    call.args["amount"] = 1
    assert other.args == {}


def test_unknown_assertion_type_names_the_known_ones() -> None:
    err = _error(MINIMAL.replace("type: SolBalance", "type: SolBalanse"))
    (issue,) = err.issues
    assert (issue.line, issue.column) == (11, 7)
    assert issue.field == "ground_truth.final_state_assertions[0]"
    assert "'SolBalanse'" in issue.message
    assert "SolBalance" in issue.message and "TokenAccountBalance" in issue.message
    assert str(issue).startswith("bench.yml:11:7: ground_truth.final_state_assertions[0]: ")


def test_wrong_value_points_at_the_value() -> None:
    err = _error(MINIMAL.replace("lamports: 1000", "lamports: lots"))
    (issue,) = err.issues
    assert (issue.line, issue.column) == (7, 15)
    assert issue.field == "initial_state[0].lamports"
    assert "unsigned integer" in issue.message


def test_missing_key_points_at_its_parent() -> None:
    err = _error(MINIMAL.replace("prompt: p\n", ""))
    (issue,) = err.issues
    assert issue.field == "prompt"
    assert issue.line == 1
    assert "Field required" in issue.message


def test_unknown_key_is_rejected_with_its_line() -> None:
    err = _error(MINIMAL.replace("prompt: p", "prompt: p\npromt: typo"))
    (issue,) = err.issues
    assert issue.field == "promt"
    assert (issue.line, issue.column) == (9, 1)
    assert "unknown key" in issue.message


def test_invalid_yaml_gives_line() -> None:
    err = _error("id: [unclosed\n")
    (issue,) = err.issues
    assert issue.line == 2
    assert "invalid YAML" in issue.message


def test_not_a_mapping() -> None:
    assert "YAML mapping" in str(_error("- a\n- b\n"))


def test_unknown_undeclared_mint_is_named() -> None:
    text = MINIMAL.replace(
        "prompt: p",
        """  - pubkey: USER_X_ATA
    owner: TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA
    data: {mint: 4k3Dyjzvzp8eMZWUXbBCjEvwSkkk59S5iCNLY3QrkX6R, owner: USER_WALLET_PUBKEY, amount: 1}
prompt: p""",
    )
    (issue,) = _error(text).issues
    assert "unknown mint 4k3Dyjzvzp8eMZWUXbBCjEvwSkkk59S5iCNLY3QrkX6R" in issue.message
    assert issue.field == "initial_state[1].data.mint"
    assert issue.line == 10


def test_missing_fee_payer() -> None:
    err = _error(MINIMAL.replace("USER_WALLET_PUBKEY", "SOMEONE"))
    assert "USER_WALLET_PUBKEY" in str(err)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkLoadError) as info:
        load_benchmark(tmp_path / "missing.yml")
    assert "cannot read file" in str(info.value)
    assert str(tmp_path / "missing.yml") in str(info.value)


def test_amount_outside_u64() -> None:
    text = MINIMAL.replace("expected: 1000", f"expected: {2**64}")
    assert "outside the u64 range" in str(_error(text))
