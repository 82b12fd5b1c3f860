"""Readable amounts and names: whole units with separators next to base units."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from rich.console import Console

from reev.agents.registry import create_agent
from reev.results.records import EpisodeResult
from reev.runner.suite import load_all, run_suite
from reev.tracing.amounts import (
    annotate_amounts,
    assertion_amount,
    instruction_args,
    name_address,
    sol,
    token,
    units,
)

USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
ALICE = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"


def test_units_keep_every_digit_and_add_separators() -> None:
    assert units(1_500_000_000, 9) == "1.5"
    assert units(1_234_567_890_123, 9) == "1,234.567890123"
    assert units(5000, 9) == "0.000005"
    assert units(-110_000_000, 9) == "-0.11"
    assert units(42, 0) == "42"
    assert sol(100_000_000) == "0.1 SOL (100,000,000 lamports)"
    assert token(15_000_000, USDC) == "15 USDC (15,000,000 base units)"
    assert token(15_000_000) == "15,000,000 base units"  # unknown mint: no invented unit
    assert token(1234, decimals=2) == "12.34 tokens (1,234 base units)"


def test_tool_and_instruction_arguments_and_names() -> None:
    names = {ALICE: "RECIPIENT_WALLET_PUBKEY"}
    shown = annotate_amounts(
        {"recipient_pubkey": ALICE, "amount": 100_000_000}, names, "sol_transfer"
    )
    assert shown == {
        "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY (9WzDXwBb…)",
        "amount": "0.1 SOL (100,000,000 lamports)",
    }
    spl = annotate_amounts({"amount": 5_000_000, "mint_address": USDC}, {}, "spl_transfer")
    assert spl == {"amount": "5 USDC (5,000,000 base units)", "mint_address": "USDC (EPjFWdd5…)"}
    # an amount without a mint of a tool that is not a SOL transfer: base units only
    assert annotate_amounts({"amount": 7}, {}, "burn_tokens") == {"amount": "7 base units"}
    assert instruction_args({"lamports": 5000}) == {"lamports": "0.000005 SOL (5,000 lamports)"}
    assert instruction_args({"amount": 150, "decimals": 2})["amount"] == (
        "1.5 tokens (150 base units)"
    )
    assert name_address(ALICE, {}) == ALICE
    assert assertion_amount(35_000_000, "TokenAccountBalance", f"mint {USDC}") == (
        "35 USDC (35,000,000 base units)"
    )
    assert assertion_amount(0, "SolBalance") == "0 SOL (0 lamports)"


@pytest.fixture(scope="module")
def spl_result() -> EpisodeResult:
    """The reference agent on 002-spl-transfer, on the real VM."""
    root = Path(__file__).resolve().parents[2] / "benchmarks"
    loaded = load_all([root / "002-spl-transfer.yml"])
    (result,) = asyncio.run(
        run_suite(loaded, lambda: create_agent("deterministic"), "deterministic")
    )
    return result


def test_result_tree_fits_80_columns_with_names_and_units(spl_result: EpisodeResult) -> None:
    from reev.tracing.render import result_tree

    out = io.StringIO()
    Console(width=80, file=out, color_system=None).print(result_tree(spl_result))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "RECIPIENT_USDC_ATA (" in text
    assert "15 USDC (15,000,000 base" in text  # the line may wrap after "base"
