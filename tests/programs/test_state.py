"""What `programs.state` packs decodes back, and the fee arithmetic is Token-2022's.

That the real programs accept the packed accounts (delegate to a packed vote account,
advance a packed nonce, load a packed lookup table, charge a packed transfer fee) is
proved on LiteSVM in tests/tools/test_program_tools.py."""

from __future__ import annotations

import struct

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from reev.programs.state import (
    EXT_INTEREST_BEARING,
    StakeDelegation,
    clock_independent_extensions,
    decode_lookup_table,
    decode_mint_extensions,
    decode_multisig,
    decode_nonce_account,
    decode_stake_account,
    decode_vote_account,
    gross_for_net,
    initial_nonce_value,
    interest_bearing_config,
    pack_lookup_table,
    pack_multisig,
    pack_nonce_account,
    pack_stake_account,
    pack_vote_account,
    stake_status,
    tlv,
    token_metadata,
    transfer_fee,
    transfer_fee_config,
    with_mint_extensions,
)


def key() -> Pubkey:
    return Keypair().pubkey()


def test_vote_stake_nonce_table_and_multisig_round_trip() -> None:
    node, withdrawer = key(), key()
    assert decode_vote_account(pack_vote_account(node, withdrawer, 7)) == {
        "node": str(node),
        "authorized_withdrawer": str(withdrawer),
        "commission": 7,
    }
    staker, voter = key(), key()
    data = pack_stake_account(2282880, staker, staker, StakeDelegation(voter, 5, 2, 9))
    stake = decode_stake_account(data, epoch=9)
    assert stake is not None
    assert (stake["voter"], stake["stake"], stake["deactivation_epoch"], stake["status"]) == (
        str(voter),
        5,
        9,
        "deactivating",
    )
    assert stake_status(stake, 10) == "inactive"
    undelegated = decode_stake_account(pack_stake_account(1, staker, staker))
    assert undelegated is not None and undelegated["state"] == "initialized"
    address, authority = key(), key()
    nonce = decode_nonce_account(pack_nonce_account(authority, initial_nonce_value(address)))
    assert nonce is not None and nonce["authority"] == str(authority)
    entries = [key(), key()]
    table = decode_lookup_table(pack_lookup_table(authority, entries))
    assert table is not None and table["addresses"] == [str(e) for e in entries]
    members = [key(), key(), key()]
    ms = decode_multisig(pack_multisig(2, members))
    assert ms == {"m": 2, "n": 3, "signers": [str(m) for m in members]}


def test_mint_extensions_round_trip() -> None:
    mint, authority = key(), key()
    area = transfer_fee_config(150, 999, authority) + token_metadata(
        mint, "Gold", "GLD", "https://x", None, {"a": "b"}
    )
    ext = decode_mint_extensions(with_mint_extensions(bytes(82), area))
    assert ext["transfer_fee"]["basis_points"] == 150 and ext["transfer_fee"]["maximum_fee"] == 999
    assert ext["transfer_fee"]["authority"] == str(authority)
    assert ext["metadata"] == {
        "name": "Gold",
        "symbol": "GLD",
        "uri": "https://x",
        "update_authority": None,
        "additional": {"a": "b"},
    }
    assert ext["metadata_pointer"] == str(mint)


def _interest_mint(authority: Pubkey, created: int, average: int, updated: int, rate: int) -> bytes:
    value = bytes(authority) + struct.pack("<qhqh", created, average, updated, rate)
    return with_mint_extensions(bytes(82), tlv(EXT_INTEREST_BEARING, value))


def test_clock_written_interest_fields_do_not_count_but_the_rate_and_authority_do() -> None:
    """Two runs of one rate change seconds apart on a real-time validator must compare
    equal; a different rate or authority must not."""
    authority = key()
    seen = clock_independent_extensions(_interest_mint(authority, 0, 350, 1_700_000_000, 275))
    later = clock_independent_extensions(_interest_mint(authority, 0, 349, 1_700_000_009, 275))
    assert seen == later
    assert seen != clock_independent_extensions(
        _interest_mint(authority, 0, 350, 1_700_000_000, 2750)
    )
    assert seen != clock_independent_extensions(_interest_mint(key(), 0, 350, 1_700_000_000, 275))
    plain = with_mint_extensions(bytes(82), interest_bearing_config(275, authority))
    assert clock_independent_extensions(plain) == seen


def test_fee_arithmetic_matches_token_2022() -> None:
    assert transfer_fee(100_000, 200, 10**9) == 2000
    assert transfer_fee(1, 1, 10**9) == 1  # rounded up
    assert transfer_fee(10**9, 500, 3) == 3  # capped
    for bps in (1, 50, 100, 250, 999):
        for net in (1, 7, 999_999, 123_456_789):
            gross = gross_for_net(net, bps, 10**15)
            assert gross - transfer_fee(gross, bps, 10**15) == net
            assert gross - 1 - transfer_fee(gross - 1, bps, 10**15) < net
