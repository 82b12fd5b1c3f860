"""SolanaEnv on LiteSVM: initial state written exactly, execution recorded, failures change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from solders.pubkey import Pubkey

from reev.benchmark.loader import load_benchmark, parse_benchmark
from reev.chain.env import SolanaEnv
from reev.programs import system, token
from reev.programs.ids import NATIVE_MINT, TOKEN_2022_PROGRAM
from reev.results.instruction import RawAccountMeta, RawInstruction

USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"

CUSTOM = """\
id: custom
description: own mint, token-2022, wsol, raw account
tags: [t]
initial_state:
  - {pubkey: USER_WALLET_PUBKEY, owner: "11111111111111111111111111111111", lamports: 5000000000}
  - {pubkey: FRIEND, owner: "11111111111111111111111111111111", lamports: 123456789}
  - pubkey: MY_MINT
    owner: TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb
    mint: {decimals: 3, mint_authority: USER_WALLET_PUBKEY}
  - pubkey: USER_MY_ATA
    owner: TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb
    data: {mint: MY_MINT, owner: USER_WALLET_PUBKEY, amount: 7000}
  - pubkey: USER_WSOL_ATA
    owner: TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA
    data: {mint: So11111111111111111111111111111111111111112, owner: USER_WALLET_PUBKEY, amount: 250}
  - pubkey: BLOB
    owner: MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr
    data_base64: "AQID"
prompt: p
ground_truth:
  final_state_assertions: []
"""


@pytest.fixture
def env002(originals: Path) -> SolanaEnv:
    env = SolanaEnv()
    env.reset(load_benchmark(originals / "002-spl-transfer.yml"), seed=0)
    return env


def test_lamports_applied_for_every_account(env002: SolanaEnv) -> None:
    obs = env002.observe()
    assert obs.account("USER_WALLET_PUBKEY").lamports == 1_000_000_000  # type: ignore[union-attr]
    # reev ignored the recipient's lamports; we apply them
    assert obs.account("RECIPIENT_WALLET_PUBKEY").lamports == 1_000_000_000  # type: ignore[union-attr]


def test_token_accounts_have_exact_layout(env002: SolanaEnv) -> None:
    state = env002.account_state(env002.key_map["USER_USDC_ATA"])
    assert state.exists and state.data_len == 165 and state.lamports == 2_039_280
    assert state.owner == "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
    assert state.token is not None
    assert state.token.mint == USDC
    assert state.token.owner == env002.key_map["USER_WALLET_PUBKEY"]
    assert state.token.amount == 50_000_000
    assert state.token.decimals == 6 and state.token.ui_amount == 50.0
    mint = env002.account_state(USDC)
    assert mint.mint is not None and mint.mint.decimals == 6
    assert mint.mint.supply == 50_000_000  # the sum of declared balances


def test_declared_mints_token2022_wsol_and_raw_accounts() -> None:
    env = SolanaEnv()
    env.reset(parse_benchmark(CUSTOM), seed=0)
    mint = env.account_state(env.key_map["MY_MINT"])
    assert mint.owner == str(TOKEN_2022_PROGRAM)
    assert mint.mint is not None and mint.mint.decimals == 3 and mint.mint.supply == 7000
    assert mint.mint.mint_authority == env.key_map["USER_WALLET_PUBKEY"]
    ata = env.account_state(env.key_map["USER_MY_ATA"])
    assert ata.owner == str(TOKEN_2022_PROGRAM) and ata.token is not None
    assert ata.token.amount == 7000 and ata.token.ui_amount == 7.0
    wsol = env.account_state(env.key_map["USER_WSOL_ATA"])
    assert wsol.token is not None and wsol.token.mint == str(NATIVE_MINT)
    assert wsol.lamports == 2_039_280 + 250  # native accounts hold their amount as lamports
    blob = env.account_state(env.key_map["BLOB"])
    assert blob.exists and blob.data_len == 3
    assert env.account_state(env.key_map["FRIEND"]).lamports == 123_456_789


def test_successful_transfer_is_recorded(originals: Path) -> None:
    env = SolanaEnv()
    env.reset(load_benchmark(originals / "001-sol-transfer.yml"))
    user = Pubkey.from_string(env.key_map["USER_WALLET_PUBKEY"])
    to = Pubkey.from_string(env.key_map["RECIPIENT_WALLET_PUBKEY"])
    too_little = env.execute([RawInstruction.from_instruction(system.transfer(user, to, 1000))])
    assert too_little.status == "failure"
    assert too_little.error == (
        f"insufficient funds for rent: account {to} would hold less than the rent-exempt minimum"
    )
    ix = RawInstruction.from_instruction(system.transfer(user, to, 1_000_000))
    record = env.execute([ix])
    assert record.status == "success" and record.error is None
    assert record.fee == 5000 and record.compute_units > 0
    assert record.signature and len(record.logs) >= 2
    # the identical transaction again: the blockhash was expired, so it is not "already processed"
    again = env.execute([ix])
    assert again.status == "success" and again.signature != record.signature
    assert env.account_state(str(to)).lamports == 2_000_000


def test_failing_transaction_changes_nothing(env002: SolanaEnv) -> None:
    before = env002.observe()
    src, dst = (
        Pubkey.from_string(env002.key_map[n]) for n in ("USER_USDC_ATA", "RECIPIENT_USDC_ATA")
    )
    owner = Pubkey.from_string(env002.key_map["USER_WALLET_PUBKEY"])
    ix = RawInstruction.from_instruction(token.transfer(src, dst, owner, 60_000_000))
    record = env002.execute([ix])
    assert record.status == "failure"
    assert (
        record.error == "instruction 0 (SPL Token): insufficient funds (custom program error 0x1)"
    )
    assert env002.observe() == before  # not even the fee was taken


def test_placeholders_in_instructions_are_resolved(env002: SolanaEnv) -> None:
    ix = RawInstruction(
        program_id="TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
        accounts=[
            RawAccountMeta(pubkey="USER_USDC_ATA", is_writable=True),
            RawAccountMeta(pubkey="RECIPIENT_USDC_ATA", is_writable=True),
            RawAccountMeta(pubkey="USER_WALLET_PUBKEY", is_signer=True),
        ],
        data="3QDJ9TwUE2Dm",  # Transfer 5_000_000
    )
    record = env002.execute([ix])
    assert record.status == "success"
    assert record.instructions[0].accounts[0].pubkey == env002.key_map["USER_USDC_ATA"]
    assert env002.account_state(env002.key_map["RECIPIENT_USDC_ATA"]).token.amount == 5_000_000  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("ix", "message"),
    [
        (RawInstruction(program_id="NOT_A_KEY"), "program_id: 'NOT_A_KEY' is neither"),
        (
            RawInstruction(program_id="11111111111111111111111111111111", data="0OIl"),
            "not valid base58",
        ),
        (
            RawInstruction(
                program_id="11111111111111111111111111111111",
                accounts=[
                    RawAccountMeta(
                        pubkey="EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", is_signer=True
                    )
                ],
            ),
            "missing signature",
        ),
    ],
)
def test_unusable_instructions_are_rejected(
    env002: SolanaEnv, ix: RawInstruction, message: str
) -> None:
    record = env002.execute([ix])
    assert record.status == "rejected"
    assert message in (record.error or "")


def test_no_instructions_is_rejected(env002: SolanaEnv) -> None:
    assert env002.execute([]).status == "rejected"


def test_observations_never_contain_keys(env002: SolanaEnv) -> None:
    dumped = env002.observe().model_dump_json()
    for kp in env002.keys.signers.values():
        assert str(kp) not in dumped
        assert bytes(kp).hex() not in dumped


def test_a_transaction_forgets_only_the_states_it_can_have_written(env002: SolanaEnv) -> None:
    names = ("USER_USDC_ATA", "RECIPIENT_USDC_ATA", "USER_WALLET_PUBKEY")
    src, dst, owner = (Pubkey.from_string(env002.key_map[n]) for n in names)
    untouched = env002.account_state(USDC)  # the mint: not named by the transfer below
    sender = env002.account_state(str(src))
    record = env002.execute(
        [RawInstruction.from_instruction(token.transfer(src, dst, owner, 5_000_000))]
    )
    assert record.status == "success"
    assert env002.account_state(USDC) is untouched  # decoded once, still exact
    after = env002.account_state(str(src))
    assert after is not sender and after.token.amount == sender.token.amount - 5_000_000  # type: ignore[union-attr]
    payer = env002.account_state(str(owner))
    assert payer.lamports == env002.touched_before[str(owner)].lamports - record.fee
