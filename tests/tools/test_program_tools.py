"""The stake, nonce, lookup-table, compute-budget, token-administration and Token-2022
tools on the embedded VM: each lands and does what it says (read back through the
decoded account state), and each refuses bad input with an error naming the argument."""

from __future__ import annotations

from typing import Any

import pytest

from reev.benchmark.loader import parse_benchmark
from reev.chain.env import SolanaEnv
from reev.programs.ids import TOKEN_2022_PROGRAM, TOKEN_PROGRAM
from reev.results.records import ToolCallRecord
from reev.runner.harness import EpisodeHarness

TOK = str(TOKEN_PROGRAM)
T22 = str(TOKEN_2022_PROGRAM)

WORLD = f"""
id: program-tools-world
description: stake, nonce, lookup-table, multisig and Token-2022 accounts
tags: [test]
epoch: 7
# keys the agent holds here: fresh accounts it creates, and (for the multisig tool) a
# second member, so one harness can exercise every tool
agent_keys: [NEW_STAKE, SPLIT_STAKE, NEW_NONCE, FRIEND_WALLET_PUBKEY]
initial_state:
  - {{ pubkey: USER_WALLET_PUBKEY, lamports: 20000000000 }}
  - {{ pubkey: FRIEND_WALLET_PUBKEY, lamports: 1000000000 }}
  - {{ pubkey: OTHER_WALLET_PUBKEY, lamports: 1000000000 }}
  - {{ pubkey: NODE, lamports: 1000000000 }}
  - {{ pubkey: VOTE, vote: {{ node: NODE, commission: 4 }} }}
  - {{ pubkey: NEW_STAKE }}
  - {{ pubkey: SPLIT_STAKE }}
  - {{ pubkey: NEW_NONCE }}
  - pubkey: ACTIVE_STAKE
    lamports: 5002282880
    stake: {{ staker: USER_WALLET_PUBKEY, withdrawer: USER_WALLET_PUBKEY, voter: VOTE, activation_epoch: 1 }}
  - pubkey: COOL_STAKE
    lamports: 2002282880
    stake: {{ staker: USER_WALLET_PUBKEY, withdrawer: USER_WALLET_PUBKEY, voter: VOTE, activation_epoch: 1, deactivation_epoch: 5 }}
  - pubkey: OTHERS_STAKE
    lamports: 2002282880
    stake: {{ staker: OTHER_WALLET_PUBKEY, withdrawer: OTHER_WALLET_PUBKEY }}
  - {{ pubkey: USER_NONCE, nonce: {{ authority: USER_WALLET_PUBKEY }} }}
  - {{ pubkey: TABLE, lookup_table: {{ authority: USER_WALLET_PUBKEY, addresses: [FRIEND_WALLET_PUBKEY] }} }}
  - {{ pubkey: MS, multisig: {{ m: 2, signers: [USER_WALLET_PUBKEY, FRIEND_WALLET_PUBKEY, OTHER_WALLET_PUBKEY] }} }}
  - {{ pubkey: GOLD_MINT, owner: "{TOK}", mint: {{ decimals: 2, mint_authority: USER_WALLET_PUBKEY, freeze_authority: USER_WALLET_PUBKEY }} }}
  - {{ pubkey: FRIEND_GOLD_ATA, owner: "{TOK}", data: {{ mint: GOLD_MINT, owner: FRIEND_WALLET_PUBKEY, amount: "50" }} }}
  - {{ pubkey: MS_GOLD_ATA, owner: "{TOK}", data: {{ mint: GOLD_MINT, owner: MS, amount: "900" }} }}
  - pubkey: FEE_MINT
    owner: "{T22}"
    mint: {{ decimals: 6, extensions: {{ transfer_fee: {{ basis_points: 100, maximum_fee: 1000000000 }}, interest_bearing: {{ rate_bps: 300, authority: USER_WALLET_PUBKEY }}, metadata: {{ name: Fee Coin, symbol: FEE, additional: {{ k: v }} }} }} }}
  - {{ pubkey: USER_FEE_ATA, owner: "{T22}", data: {{ mint: FEE_MINT, owner: USER_WALLET_PUBKEY, amount: "100000000" }} }}
  - {{ pubkey: FRIEND_FEE_ATA, owner: "{T22}", data: {{ mint: FEE_MINT, owner: FRIEND_WALLET_PUBKEY, amount: "0", extensions: {{ memo_required: true }} }} }}
  - pubkey: PD_MINT
    owner: "{T22}"
    mint: {{ decimals: 0, extensions: {{ permanent_delegate: USER_WALLET_PUBKEY, non_transferable: false }} }}
  - {{ pubkey: FRIEND_PD_ATA, owner: "{T22}", data: {{ mint: PD_MINT, owner: FRIEND_WALLET_PUBKEY, amount: "10" }} }}
  - {{ pubkey: USER_PD_ATA, owner: "{T22}", data: {{ mint: PD_MINT, owner: USER_WALLET_PUBKEY, amount: "0" }} }}
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
    if "transaction" in rec.result:
        assert rec.result["transaction"]["status"] == "success", rec.result["transaction"]
    return rec


def view(h: EpisodeHarness, name: str) -> dict[str, Any]:
    return ok(h, "get_account_info", pubkey=name).result


def key(h: EpisodeHarness, name: str) -> str:
    return h.key_map[name]


def test_declared_program_accounts_decode_as_their_programs_wrote_them(h: EpisodeHarness) -> None:
    assert view(h, "VOTE")["vote"] == {
        "node": key(h, "NODE"),
        "authorized_withdrawer": key(h, "NODE"),
        "commission": 4,
    }
    stake = view(h, "ACTIVE_STAKE")["stake"]
    assert (stake["voter"], stake["stake"], stake["status"]) == (
        key(h, "VOTE"),
        5 * 10**9,
        "active",
    )
    assert view(h, "COOL_STAKE")["stake"]["status"] == "inactive"
    assert view(h, "USER_NONCE")["nonce"]["authority"] == key(h, "USER_WALLET_PUBKEY")
    assert view(h, "TABLE")["lookup_table"]["addresses"] == [key(h, "FRIEND_WALLET_PUBKEY")]
    assert view(h, "MS")["multisig"]["m"] == 2
    mint = view(h, "FEE_MINT")["mint"]["extensions"]
    assert mint["transfer_fee"]["basis_points"] == 100
    assert mint["interest_bearing"]["rate_bps"] == 300
    assert mint["metadata"]["symbol"] == "FEE" and mint["metadata"]["additional"] == {"k": "v"}
    assert view(h, "FRIEND_FEE_ATA")["token_account"]["extensions"]["memo_required"] is True


def test_stake_lifecycle_create_delegate_split_deactivate_withdraw_merge(h: EpisodeHarness) -> None:
    ok(
        h,
        "create_stake_account",
        user_pubkey="USER_WALLET_PUBKEY",
        stake_account="NEW_STAKE",
        amount=3 * 10**9,
        vote_account="VOTE",
    )
    stake = view(h, "NEW_STAKE")["stake"]
    assert (stake["voter"], stake["stake"], stake["status"]) == (
        key(h, "VOTE"),
        3 * 10**9,
        "activating",
    )
    ok(
        h,
        "split_stake",
        user_pubkey="USER_WALLET_PUBKEY",
        stake_account="ACTIVE_STAKE",
        new_stake_account="SPLIT_STAKE",
        amount=10**9,
    )
    assert view(h, "SPLIT_STAKE")["stake"]["stake"] == 10**9
    assert view(h, "ACTIVE_STAKE")["stake"]["stake"] == 4 * 10**9
    ok(
        h,
        "merge_stake",
        user_pubkey="USER_WALLET_PUBKEY",
        destination_stake_account="ACTIVE_STAKE",
        source_stake_account="SPLIT_STAKE",
    )
    assert view(h, "SPLIT_STAKE")["exists"] is False
    ok(h, "deactivate_stake", user_pubkey="USER_WALLET_PUBKEY", stake_account="ACTIVE_STAKE")
    assert view(h, "ACTIVE_STAKE")["stake"]["status"] == "deactivating"
    # still cooling down: the full withdrawal fails on chain
    early = call(
        h, "withdraw_stake", user_pubkey="USER_WALLET_PUBKEY", stake_account="ACTIVE_STAKE"
    )
    assert early.status == "error" and "transaction failure" in (early.error or "")
    h.env.warp_epochs(1)
    before = view(h, "USER_WALLET_PUBKEY")["lamports"]
    ok(h, "withdraw_stake", user_pubkey="USER_WALLET_PUBKEY", stake_account="ACTIVE_STAKE")
    assert view(h, "USER_WALLET_PUBKEY")["lamports"] == before + 5_004_565_760 - 5000
    ok(
        h,
        "withdraw_stake",
        user_pubkey="USER_WALLET_PUBKEY",
        stake_account="COOL_STAKE",
        amount=10**9,
        recipient_pubkey="FRIEND_WALLET_PUBKEY",
    )
    assert view(h, "FRIEND_WALLET_PUBKEY")["lamports"] == 2 * 10**9


@pytest.mark.parametrize(
    ("tool", "args", "message"),
    [
        (
            "delegate_stake",
            {"stake_account": "OTHERS_STAKE", "vote_account": "VOTE"},
            "not the staker",
        ),
        (
            "delegate_stake",
            {"stake_account": "ACTIVE_STAKE", "vote_account": "NODE"},
            "not a vote account",
        ),
        ("deactivate_stake", {"stake_account": "USER_NONCE"}, "not a stake account"),
        (
            "withdraw_stake",
            {"stake_account": "COOL_STAKE", "amount": 10**12},
            "more than the account holds",
        ),
        ("create_stake_account", {"stake_account": "ACTIVE_STAKE", "amount": 1}, "already exists"),
    ],
)
def test_stake_tools_refuse_what_cannot_work(
    h: EpisodeHarness, tool: str, args: dict[str, Any], message: str
) -> None:
    rec = call(h, tool, user_pubkey="USER_WALLET_PUBKEY", **args)
    assert rec.status == "error" and message in (rec.error or ""), rec.error
    assert rec.transaction_index is None


def test_durable_nonce_payment_is_signed_over_the_stored_nonce(h: EpisodeHarness) -> None:
    stored = view(h, "USER_NONCE")["nonce"]["nonce"]
    rec = ok(
        h,
        "sol_transfer_durable",
        user_pubkey="USER_WALLET_PUBKEY",
        recipient_pubkey="FRIEND_WALLET_PUBKEY",
        amount=10**8,
        nonce_account="USER_NONCE",
    )
    assert rec.result["durable_nonce"] == stored
    assert view(h, "USER_NONCE")["nonce"]["nonce"] != stored
    assert view(h, "FRIEND_WALLET_PUBKEY")["lamports"] == 1_100_000_000
    ok(h, "create_nonce_account", user_pubkey="USER_WALLET_PUBKEY", nonce_account="NEW_NONCE")
    first = view(h, "NEW_NONCE")["nonce"]["nonce"]
    ok(h, "advance_nonce_account", user_pubkey="USER_WALLET_PUBKEY", nonce_account="NEW_NONCE")
    assert view(h, "NEW_NONCE")["nonce"]["nonce"] != first
    bad = call(
        h, "advance_nonce_account", user_pubkey="FRIEND_WALLET_PUBKEY", nonce_account="USER_NONCE"
    )
    assert bad.status == "error" and "not the authority" in (bad.error or "")


def test_lookup_tables_create_extend_and_carry_a_v0_payment(h: EpisodeHarness) -> None:
    created = ok(h, "create_lookup_table", user_pubkey="USER_WALLET_PUBKEY")
    table = created.result["lookup_table"]
    assert view(h, table)["lookup_table"]["authority"] == key(h, "USER_WALLET_PUBKEY")
    ok(
        h,
        "extend_lookup_table",
        user_pubkey="USER_WALLET_PUBKEY",
        lookup_table="TABLE",
        addresses=["OTHER_WALLET_PUBKEY"],
    )
    assert view(h, "TABLE")["lookup_table"]["count"] == 2
    rec = ok(
        h,
        "sol_transfer_many",
        user_pubkey="USER_WALLET_PUBKEY",
        lookup_table="TABLE",
        payments=[{"recipient_pubkey": "FRIEND_WALLET_PUBKEY", "amount": 5}],
    )
    assert rec.result["lookup_table"] == key(h, "TABLE")
    assert view(h, "FRIEND_WALLET_PUBKEY")["lamports"] == 10**9 + 5
    bad = call(
        h,
        "extend_lookup_table",
        user_pubkey="FRIEND_WALLET_PUBKEY",
        lookup_table="TABLE",
        addresses=["NODE"],
    )
    assert bad.status == "error" and "not the authority" in (bad.error or "")


def test_priority_fee_is_carried_and_charged(h: EpisodeHarness) -> None:
    ok(
        h,
        "sol_transfer_with_priority_fee",
        user_pubkey="USER_WALLET_PUBKEY",
        recipient_pubkey="FRIEND_WALLET_PUBKEY",
        amount=7,
        micro_lamports_per_cu=200_000,
        compute_unit_limit=1000,
    )
    tx = h.transactions[-1]
    assert tx.fee == 5000 + 200  # ceil(200000 µL × 1000 CU / 1e6)
    assert [ix.program_id for ix in tx.instructions][:2] == [
        "ComputeBudget111111111111111111111111111111"
    ] * 2


def test_freeze_thaw_authorities_and_multisig(h: EpisodeHarness) -> None:
    ok(
        h,
        "freeze_token_account",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="GOLD_MINT",
        owner_pubkey="FRIEND_WALLET_PUBKEY",
    )
    assert view(h, "FRIEND_GOLD_ATA")["token_account"]["state"] == "frozen"
    ok(
        h,
        "thaw_token_account",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="GOLD_MINT",
        token_account="FRIEND_GOLD_ATA",
    )
    assert view(h, "FRIEND_GOLD_ATA")["token_account"]["state"] == "initialized"
    ok(
        h,
        "multisig_spl_transfer",
        multisig_pubkey="MS",
        source_token_account="MS_GOLD_ATA",
        recipient_pubkey="FRIEND_GOLD_ATA",
        amount=100,
        mint_address="GOLD_MINT",
        signers=["USER_WALLET_PUBKEY", "FRIEND_WALLET_PUBKEY"],
    )
    assert view(h, "FRIEND_GOLD_ATA")["token_account"]["amount"] == 150
    alone = call(
        h,
        "multisig_spl_transfer",
        multisig_pubkey="MS",
        source_token_account="MS_GOLD_ATA",
        recipient_pubkey="FRIEND_GOLD_ATA",
        amount=1,
        mint_address="GOLD_MINT",
        signers=["USER_WALLET_PUBKEY"],
    )
    assert alone.status == "error" and "transaction failure" in (alone.error or "")
    stranger = call(
        h,
        "multisig_spl_transfer",
        multisig_pubkey="MS",
        source_token_account="MS_GOLD_ATA",
        recipient_pubkey="FRIEND_GOLD_ATA",
        amount=1,
        mint_address="GOLD_MINT",
        signers=["USER_WALLET_PUBKEY", "NODE"],
    )
    assert stranger.status == "error" and "not members" in (stranger.error or "")
    ok(
        h,
        "set_token_authority",
        user_pubkey="USER_WALLET_PUBKEY",
        target="GOLD_MINT",
        authority_type="mint_tokens",
        new_authority=None,
    )
    assert view(h, "GOLD_MINT")["mint"]["mint_authority"] is None
    wrong = call(
        h,
        "set_token_authority",
        user_pubkey="USER_WALLET_PUBKEY",
        target="GOLD_MINT",
        authority_type="close_account",
        new_authority="FRIEND_WALLET_PUBKEY",
    )
    assert wrong.status == "error" and "token-account authority" in (wrong.error or "")


def test_token_2022_fee_memo_delegate_and_rate_tools(h: EpisodeHarness) -> None:
    quote = ok(h, "get_transfer_fee", mint_address="FEE_MINT", net_amount=9_900_000).result
    assert (quote["send"], quote["fee"], quote["recipient_receives"]) == (
        10_000_000,
        100_000,
        9_900_000,
    )
    plain = call(
        h,
        "spl_transfer_with_fee",
        user_pubkey="USER_WALLET_PUBKEY",
        recipient_pubkey="FRIEND_FEE_ATA",
        amount=10_000_000,
        mint_address="FEE_MINT",
    )
    assert plain.status == "error"  # the recipient requires a memo
    ok(
        h,
        "set_memo_requirement",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="FEE_MINT",
        required=True,
    )
    ok(
        h,
        "spl_transfer_with_memo",
        user_pubkey="USER_WALLET_PUBKEY",
        recipient_pubkey="FRIEND_FEE_ATA",
        amount=10_000_000,
        mint_address="FEE_MINT",
        memo="rent",
    )
    friend = view(h, "FRIEND_FEE_ATA")["token_account"]
    assert (friend["amount"], friend["extensions"]["withheld_amount"]) == (9_900_000, 100_000)
    ok(
        h,
        "spl_transfer_as_delegate",
        user_pubkey="USER_WALLET_PUBKEY",
        source_token_account="FRIEND_PD_ATA",
        recipient_pubkey="USER_PD_ATA",
        amount=4,
        mint_address="PD_MINT",
    )
    assert view(h, "USER_PD_ATA")["token_account"]["amount"] == 4
    ok(
        h,
        "set_interest_rate",
        user_pubkey="USER_WALLET_PUBKEY",
        mint_address="FEE_MINT",
        rate_bps=-50,
    )
    assert view(h, "FEE_MINT")["mint"]["extensions"]["interest_bearing"]["rate_bps"] == -50
    no_fee = call(
        h,
        "spl_transfer_with_fee",
        user_pubkey="USER_WALLET_PUBKEY",
        recipient_pubkey="USER_PD_ATA",
        amount=1,
        mint_address="PD_MINT",
    )
    assert no_fee.status == "error" and "no transfer fee" in (no_fee.error or "")
