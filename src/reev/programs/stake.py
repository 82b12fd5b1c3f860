"""Stake program instruction builders (bincode `StakeInstruction`, u32 tag first).

The Stake program on the embedded VM is the core BPF build mainnet runs; the account
lists follow its `instruction.rs` (clock, stake history and config sysvars included).
"""

from __future__ import annotations

import struct

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account

from reev.programs.ids import (
    CLOCK_SYSVAR,
    RENT_SYSVAR,
    STAKE_CONFIG,
    STAKE_HISTORY_SYSVAR,
    STAKE_PROGRAM,
)
from reev.programs.state import STAKE_ACCOUNT_LEN

STAKE_INSTRUCTION_NAMES: dict[int, str] = {
    0: "Initialize",
    1: "Authorize",
    2: "DelegateStake",
    3: "Split",
    4: "Withdraw",
    5: "Deactivate",
    6: "SetLockup",
    7: "Merge",
    9: "InitializeChecked",
}


def _meta(pubkey: Pubkey, signer: bool = False, writable: bool = False) -> AccountMeta:
    return AccountMeta(pubkey, is_signer=signer, is_writable=writable)


def create_stake_account(
    payer: Pubkey, stake: Pubkey, staker: Pubkey, withdrawer: Pubkey, lamports: int
) -> list[Instruction]:
    """System `CreateAccount` (200 bytes, owner Stake) + Stake `Initialize`."""
    create = create_account(
        CreateAccountParams(
            from_pubkey=payer,
            to_pubkey=stake,
            lamports=lamports,
            space=STAKE_ACCOUNT_LEN,
            owner=STAKE_PROGRAM,
        )
    )
    data = struct.pack("<I", 0) + bytes(staker) + bytes(withdrawer)
    data += struct.pack("<qQ", 0, 0) + bytes(Pubkey.default())  # no lockup
    init = Instruction(STAKE_PROGRAM, data, [_meta(stake, writable=True), _meta(RENT_SYSVAR)])
    return [create, init]


def delegate_stake(stake: Pubkey, vote: Pubkey, staker: Pubkey) -> Instruction:
    """`DelegateStake` to a vote account (signed by the staker)."""
    return Instruction(
        STAKE_PROGRAM,
        struct.pack("<I", 2),
        [
            _meta(stake, writable=True),
            _meta(vote),
            _meta(CLOCK_SYSVAR),
            _meta(STAKE_HISTORY_SYSVAR),
            _meta(STAKE_CONFIG),
            _meta(staker, signer=True),
        ],
    )


def deactivate_stake(stake: Pubkey, staker: Pubkey) -> Instruction:
    """`Deactivate`: the stake cools down and is withdrawable after the epoch ends."""
    return Instruction(
        STAKE_PROGRAM,
        struct.pack("<I", 5),
        [_meta(stake, writable=True), _meta(CLOCK_SYSVAR), _meta(staker, signer=True)],
    )


def withdraw_stake(stake: Pubkey, to: Pubkey, withdrawer: Pubkey, lamports: int) -> Instruction:
    """`Withdraw` lamports from an inactive (or undelegated) stake account."""
    return Instruction(
        STAKE_PROGRAM,
        struct.pack("<IQ", 4, lamports),
        [
            _meta(stake, writable=True),
            _meta(to, writable=True),
            _meta(CLOCK_SYSVAR),
            _meta(STAKE_HISTORY_SYSVAR),
            _meta(withdrawer, signer=True),
        ],
    )


def split_stake(
    payer: Pubkey, stake: Pubkey, new_stake: Pubkey, staker: Pubkey, lamports: int, rent: int
) -> list[Instruction]:
    """Allocate + assign the new account, prefund its rent reserve, then `Split`."""
    from solders.system_program import (
        AllocateParams,
        AssignParams,
        TransferParams,
        allocate,
        assign,
        transfer,
    )

    return [
        allocate(AllocateParams(pubkey=new_stake, space=STAKE_ACCOUNT_LEN)),
        assign(AssignParams(pubkey=new_stake, owner=STAKE_PROGRAM)),
        transfer(TransferParams(from_pubkey=payer, to_pubkey=new_stake, lamports=rent)),
        Instruction(
            STAKE_PROGRAM,
            struct.pack("<IQ", 3, lamports),
            [
                _meta(stake, writable=True),
                _meta(new_stake, writable=True),
                _meta(staker, signer=True),
            ],
        ),
    ]


def merge_stake(destination: Pubkey, source: Pubkey, staker: Pubkey) -> Instruction:
    """`Merge` the source stake account into the destination (the source is closed)."""
    return Instruction(
        STAKE_PROGRAM,
        struct.pack("<I", 7),
        [
            _meta(destination, writable=True),
            _meta(source, writable=True),
            _meta(CLOCK_SYSVAR),
            _meta(STAKE_HISTORY_SYSVAR),
            _meta(staker, signer=True),
        ],
    )
