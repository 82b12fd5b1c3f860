"""The suite's tools on the real embedded VM: each builds instructions that land and do
what it says, and each refuses bad input with an error naming the argument."""

from __future__ import annotations

from typing import Any

import pytest

from reev.benchmark.loader import parse_benchmark
from reev.chain.env import SolanaEnv
from reev.programs.ata import associated_token_address
from reev.programs.ids import NATIVE_MINT, TOKEN_2022_PROGRAM, TOKEN_PROGRAM
from reev.results.records import ToolCallRecord
from reev.runner.harness import EpisodeHarness
from reev.tools.base import ToolError
from reev.tools.registry import TOOLS, get_tool

TOK = str(TOKEN_PROGRAM)
T22 = str(TOKEN_2022_PROGRAM)
WSOL = str(NATIVE_MINT)

WORLD = f"""
id: tools-world
description: a wallet with tokens of two programs, a mint it controls, and wSOL
tags: [test]
initial_state:
  - {{ pubkey: USER_WALLET_PUBKEY, lamports: 5000000000 }}
  - {{ pubkey: FRIEND_WALLET_PUBKEY, lamports: 1000000000 }}
  - {{ pubkey: OTHER_WALLET_PUBKEY, lamports: 1000000000 }}
  - {{ pubkey: "{WSOL}", owner: "{TOK}", mint: {{ decimals: 9 }} }}
  - {{ pubkey: GOLD_MINT, owner: "{TOK}", mint: {{ decimals: 2, mint_authority: USER_WALLET_PUBKEY }} }}
  - {{ pubkey: LOCKED_MINT, owner: "{TOK}", mint: {{ decimals: 0, mint_authority: OTHER_WALLET_PUBKEY }} }}
  - {{ pubkey: T22_MINT, owner: "{T22}", mint: {{ decimals: 6 }} }}
  - pubkey: USER_GOLD_ATA
    owner: "{TOK}"
    data: {{ mint: GOLD_MINT, owner: USER_WALLET_PUBKEY, amount: "1000" }}
  - pubkey: USER_LOCKED_ATA
    owner: "{TOK}"
    data: {{ mint: LOCKED_MINT, owner: USER_WALLET_PUBKEY, amount: "0" }}
  - pubkey: OTHER_GOLD_ATA
    owner: "{TOK}"
    data: {{ mint: GOLD_MINT, owner: OTHER_WALLET_PUBKEY, amount: "5" }}
  - pubkey: USER_T22_ATA
    owner: "{T22}"
    data: {{ mint: T22_MINT, owner: USER_WALLET_PUBKEY, amount: "9000000" }}
prompt: "tools"
ground_truth: {{ final_state_assertions: [] }}
"""


@pytest.fixture
def h() -> EpisodeHarness:
    env = SolanaEnv()
    env.reset(parse_benchmark(WORLD), seed=0)
    harness = EpisodeHarness(env)
    harness.begin_step(1, "tools")
    return harness


def call(h: EpisodeHarness, name: str, **args: Any) -> ToolCallRecord:
    return h.call_tool(name, args)


def ok(h: EpisodeHarness, name: str, **args: Any) -> ToolCallRecord:
    rec = call(h, name, **args)
    assert rec.status == "ok", rec.error
    assert rec.result["transaction"]["status"] == "success"
    return rec


def key(h: EpisodeHarness, name: str) -> str:
    return h.key_map[name]


def amount(h: EpisodeHarness, address: str) -> int:
    state = h.account(address)
    assert state.token is not None, f"{address} is not a token account"
    return state.token.amount


def test_every_tool_has_a_json_schema_with_described_parameters() -> None:
    for tool in TOOLS.values():
        schema = tool.openai_schema()["function"]
        assert schema["name"] == tool.name and schema["description"]
        props = schema["parameters"]["properties"]
        assert props, tool.name
        for name, prop in props.items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"
    expected = {
        "create_associated_token_account",
        "close_token_account",
        "wrap_sol",
        "unwrap_sol",
        "approve_delegate",
        "revoke_delegate",
        "burn_tokens",
        "mint_tokens",
        "send_memo",
        "spl_transfer_checked",
    }
    assert expected <= set(TOOLS)


def test_create_ata_for_another_wallet_and_twice_is_an_error(h: EpisodeHarness) -> None:
    rec = ok(
        h,
        "create_associated_token_account",
        user_pubkey="USER_WALLET_PUBKEY",
        owner_pubkey="FRIEND_WALLET_PUBKEY",
        mint_address="T22_MINT",
    )
    ata = associated_token_address(
        h.env.keys.pubkey("FRIEND_WALLET_PUBKEY"), h.env.keys.pubkey("T22_MINT"), TOKEN_2022_PROGRAM
    )
    assert rec.result["token_account"] == str(ata)
    state = h.account(str(ata))
    assert (
        state.owner == T22
        and state.token is not None
        and state.token.owner == key(h, "FRIEND_WALLET_PUBKEY")
    )
    again = call(
        h,
        "create_associated_token_account",
        user_pubkey="USER_WALLET_PUBKEY",
        owner_pubkey="FRIEND_WALLET_PUBKEY",
        mint_address="T22_MINT",
    )
    assert again.status == "error" and "already exists" in (again.error or "")
    bad = call(
        h,
        "create_associated_token_account",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="FRIEND_WALLET_PUBKEY",
    )
    assert (
        bad.status == "error"
        and "mint_address" in (bad.error or "")
        and "not a mint" in (bad.error or "")
    )


def test_close_token_account_reclaims_rent_and_refuses_a_funded_one(h: EpisodeHarness) -> None:
    locked = key(h, "USER_LOCKED_ATA")
    before = h.account(key(h, "USER_WALLET_PUBKEY")).lamports
    rent = h.account(locked).lamports
    rec = ok(h, "close_token_account", user_pubkey="USER_WALLET_PUBKEY", mint_address="LOCKED_MINT")
    assert rec.result["lamports_reclaimed"] == rent
    assert not h.account(locked).exists
    assert h.account(key(h, "USER_WALLET_PUBKEY")).lamports == before + rent - 5000
    funded = call(
        h, "close_token_account", user_pubkey="USER_WALLET_PUBKEY", mint_address="GOLD_MINT"
    )
    assert funded.status == "error" and "still holds 1000" in (funded.error or "")
    theirs = call(
        h,
        "close_token_account",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="GOLD_MINT",
        token_account="OTHER_GOLD_ATA",
    )
    assert theirs.status == "error" and "belongs to" in (theirs.error or "")


def test_wrap_then_unwrap_round_trip(h: EpisodeHarness) -> None:
    user = h.env.keys.pubkey("USER_WALLET_PUBKEY")
    ata = str(associated_token_address(user, NATIVE_MINT, TOKEN_PROGRAM))
    ok(h, "wrap_sol", user_pubkey="USER_WALLET_PUBKEY", amount=300_000_000)
    assert amount(h, ata) == 300_000_000
    ok(h, "wrap_sol", user_pubkey="USER_WALLET_PUBKEY", amount=200_000_000)  # existing account
    assert amount(h, ata) == 500_000_000
    before = h.account(str(user)).lamports
    rec = ok(h, "unwrap_sol", user_pubkey="USER_WALLET_PUBKEY")
    assert rec.result["unwrapped_lamports"] == 500_000_000
    assert not h.account(ata).exists
    assert h.account(str(user)).lamports == before + rec.result["lamports_returned"] - 5000
    nothing = call(h, "unwrap_sol", user_pubkey="USER_WALLET_PUBKEY")
    assert nothing.status == "error" and "no wrapped-SOL account" in (nothing.error or "")
    too_much = call(h, "wrap_sol", user_pubkey="USER_WALLET_PUBKEY", amount=10**12)
    assert too_much.status == "error" and "fewer than" in (too_much.error or "")


def test_approve_and_revoke_delegate(h: EpisodeHarness) -> None:
    ata = key(h, "USER_GOLD_ATA")
    ok(
        h,
        "approve_delegate",
        user_pubkey="USER_WALLET_PUBKEY",
        delegate_pubkey="FRIEND_WALLET_PUBKEY",
        amount=250,
        mint_address="GOLD_MINT",
    )
    token = h.account(ata).token
    assert (
        token is not None
        and token.delegate == key(h, "FRIEND_WALLET_PUBKEY")
        and token.delegated_amount == 250
    )
    ok(h, "revoke_delegate", user_pubkey="USER_WALLET_PUBKEY", mint_address="GOLD_MINT")
    token = h.account(ata).token
    assert token is not None and token.delegate is None and token.delegated_amount == 0
    bad = call(
        h,
        "approve_delegate",
        user_pubkey="USER_WALLET_PUBKEY",
        delegate_pubkey="nobody",
        amount=1,
        mint_address="GOLD_MINT",
    )
    assert bad.status == "error" and "delegate_pubkey" in (bad.error or "")


def test_burn_and_mint_change_balance_and_supply(h: EpisodeHarness) -> None:
    mint = key(h, "GOLD_MINT")
    supply = h.account(mint).mint
    assert supply is not None and supply.supply == 1005
    ok(h, "burn_tokens", user_pubkey="USER_WALLET_PUBKEY", mint_address="GOLD_MINT", amount=100)
    ok(
        h,
        "mint_tokens",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="GOLD_MINT",
        amount=40,
        recipient_pubkey="OTHER_WALLET_PUBKEY",
    )
    assert amount(h, key(h, "USER_GOLD_ATA")) == 900
    assert amount(h, key(h, "OTHER_GOLD_ATA")) == 45
    state = h.account(mint).mint
    assert state is not None and state.supply == 1005 - 100 + 40
    over = call(
        h, "burn_tokens", user_pubkey="USER_WALLET_PUBKEY", mint_address="GOLD_MINT", amount=10**6
    )
    assert over.status == "error" and "fewer than" in (over.error or "")
    not_authority = call(
        h, "mint_tokens", user_pubkey="USER_WALLET_PUBKEY", mint_address="LOCKED_MINT", amount=1
    )
    assert not_authority.status == "error" and "not the mint authority" in (
        not_authority.error or ""
    )
    no_account = call(
        h,
        "mint_tokens",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="GOLD_MINT",
        amount=1,
        recipient_pubkey="FRIEND_WALLET_PUBKEY",
    )
    assert no_account.status == "error" and "create_associated_token_account" in (
        no_account.error or ""
    )


def test_token_2022_burn_goes_through_token_2022(h: EpisodeHarness) -> None:
    rec = ok(
        h,
        "burn_tokens",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="T22_MINT",
        amount=1_000_000,
    )
    assert rec.transaction_index is not None
    tx = h.current.transactions[rec.transaction_index]
    assert tx.instructions[0].program_id == T22
    assert amount(h, key(h, "USER_T22_ATA")) == 8_000_000


def test_send_memo_lands_and_rejects_empty_or_huge_text(h: EpisodeHarness) -> None:
    rec = ok(h, "send_memo", user_pubkey="USER_WALLET_PUBKEY", memo="gm ☀")
    tx = h.current.transactions[rec.transaction_index or 0]
    assert any("gm ☀" in line for line in tx.logs)
    empty = call(h, "send_memo", user_pubkey="USER_WALLET_PUBKEY", memo="  ")
    assert empty.status == "error" and "empty" in (empty.error or "")
    huge = call(h, "send_memo", user_pubkey="USER_WALLET_PUBKEY", memo="x" * 600)
    assert huge.status == "error" and "longer than" in (huge.error or "")


def test_transfer_checked_states_decimals_and_a_wrong_guess_fails_on_chain(
    h: EpisodeHarness,
) -> None:
    rec = ok(
        h,
        "spl_transfer_checked",
        user_pubkey="USER_WALLET_PUBKEY",
        recipient_pubkey="OTHER_WALLET_PUBKEY",
        amount=10,
        mint_address="GOLD_MINT",
    )
    assert rec.result["decimals"] == 2
    assert amount(h, key(h, "OTHER_GOLD_ATA")) == 15
    wrong = call(
        h,
        "spl_transfer_checked",
        user_pubkey="USER_WALLET_PUBKEY",
        recipient_pubkey="OTHER_GOLD_ATA",
        amount=10,
        mint_address="GOLD_MINT",
        decimals=6,
    )
    assert wrong.status == "error" and "transaction failure" in (wrong.error or "")
    assert amount(h, key(h, "OTHER_GOLD_ATA")) == 15


def test_invalid_arguments_are_tool_errors_not_crashes(h: EpisodeHarness) -> None:
    with pytest.raises(ToolError, match="amount"):
        get_tool("burn_tokens").invoke(
            {"user_pubkey": "USER_WALLET_PUBKEY", "mint_address": "GOLD_MINT", "amount": -1}, h
        )
    with pytest.raises(ToolError, match="mint_address"):
        get_tool("approve_delegate").invoke(
            {
                "user_pubkey": "USER_WALLET_PUBKEY",
                "delegate_pubkey": "FRIEND_WALLET_PUBKEY",
                "amount": 1,
            },
            h,
        )


def test_wrap_sol_works_when_the_benchmark_does_not_declare_the_native_mint() -> None:
    bare = """
id: bare-wallet
description: only a wallet
tags: [test]
initial_state:
  - { pubkey: USER_WALLET_PUBKEY, lamports: 2000000000 }
prompt: "wrap"
ground_truth: { final_state_assertions: [] }
"""
    env = SolanaEnv()
    env.reset(parse_benchmark(bare), seed=0)
    harness = EpisodeHarness(env)
    harness.begin_step(1, "wrap")
    mint = harness.account(WSOL)
    assert mint.exists and mint.mint is not None and mint.mint.decimals == 9
    ok(harness, "wrap_sol", user_pubkey="USER_WALLET_PUBKEY", amount=100_000_000)
    user = env.keys.pubkey("USER_WALLET_PUBKEY")
    assert amount(harness, str(associated_token_address(user, NATIVE_MINT, TOKEN_PROGRAM))) == (
        100_000_000
    )
