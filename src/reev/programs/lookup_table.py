"""Address Lookup Table program instruction builders (bincode, u32 tag first)."""

from __future__ import annotations

import struct

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from reev.programs.ids import LOOKUP_TABLE_PROGRAM, SYSTEM_PROGRAM


def lookup_table_address(authority: Pubkey, recent_slot: int) -> tuple[Pubkey, int]:
    """The table's address: PDA of (authority, recent slot)."""
    return Pubkey.find_program_address(
        [bytes(authority), struct.pack("<Q", recent_slot)], LOOKUP_TABLE_PROGRAM
    )


def create_lookup_table(
    authority: Pubkey, payer: Pubkey, recent_slot: int
) -> tuple[Instruction, Pubkey]:
    """`CreateLookupTable` at the PDA of (authority, recent_slot); returns it and its address."""
    table, bump = lookup_table_address(authority, recent_slot)
    ix = Instruction(
        LOOKUP_TABLE_PROGRAM,
        struct.pack("<IQB", 0, recent_slot, bump),
        [
            AccountMeta(table, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=False, is_writable=False),
            AccountMeta(payer, is_signer=True, is_writable=True),
            AccountMeta(SYSTEM_PROGRAM, is_signer=False, is_writable=False),
        ],
    )
    return ix, table


def extend_lookup_table(
    table: Pubkey, authority: Pubkey, payer: Pubkey, addresses: list[Pubkey]
) -> Instruction:
    """`ExtendLookupTable`: append addresses (usable from the next slot on)."""
    data = struct.pack("<IQ", 2, len(addresses)) + b"".join(bytes(a) for a in addresses)
    return Instruction(
        LOOKUP_TABLE_PROGRAM,
        data,
        [
            AccountMeta(table, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
            AccountMeta(payer, is_signer=True, is_writable=True),
            AccountMeta(SYSTEM_PROGRAM, is_signer=False, is_writable=False),
        ],
    )


def freeze_lookup_table(table: Pubkey, authority: Pubkey) -> Instruction:
    """`FreezeLookupTable`: the table can never change again (authority removed)."""
    return Instruction(
        LOOKUP_TABLE_PROGRAM,
        struct.pack("<I", 1),
        [
            AccountMeta(table, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )
