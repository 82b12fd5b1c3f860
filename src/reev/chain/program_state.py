"""Build the accounts of a benchmark's program-state items (vote, stake, nonce, lookup
table, multisig) and the Token-2022 extension areas of declared mints and token accounts.

`SolanaEnv` calls in here while writing the initial state; the byte layouts live in
`reev.programs.state`.
"""

from __future__ import annotations

from collections.abc import Callable

from solders.account import Account
from solders.pubkey import Pubkey

from reev.benchmark.model import InitialStateItem, MintData, TokenAccountData
from reev.benchmark.program_state import MintExtensions
from reev.programs.state import (
    EXT_DEFAULT_ACCOUNT_STATE,
    EXT_IMMUTABLE_OWNER,
    EXT_MEMO_TRANSFER,
    EXT_MINT_CLOSE_AUTHORITY,
    EXT_NON_TRANSFERABLE,
    EXT_NON_TRANSFERABLE_ACCOUNT,
    EXT_PERMANENT_DELEGATE,
    EXT_TRANSFER_FEE_AMOUNT,
    STAKE_ACCOUNT_LEN,
    StakeDelegation,
    initial_nonce_value,
    interest_bearing_config,
    pack_lookup_table,
    pack_multisig,
    pack_nonce_account,
    pack_stake_account,
    pack_vote_account,
    tlv,
    token_metadata,
    transfer_fee_config,
)

Resolve = Callable[[str], Pubkey]
Rent = Callable[[int], int]


class ProgramStateError(ValueError):
    """A program-state item that cannot be built (e.g. a stake larger than its lamports)."""


def program_state_account(
    item: InitialStateItem, address: Pubkey, resolve: Resolve, rent: Rent, epoch: int
) -> Account | None:
    """The account of a vote/stake/nonce/lookup-table/multisig item; None for other kinds."""
    owner = Pubkey.from_string(item.owner)
    data: bytes
    if item.vote is not None:
        node = resolve(item.vote.node)
        withdrawer = resolve(item.vote.authorized_withdrawer or item.vote.node)
        data = pack_vote_account(node, withdrawer, item.vote.commission, epoch)
    elif item.stake is not None:
        reserve = rent(STAKE_ACCOUNT_LEN)
        lamports = item.lamports if item.lamports is not None else reserve
        if lamports < reserve:
            raise ProgramStateError(
                f"{item.pubkey}: {lamports} lamports is below the stake rent reserve {reserve}"
            )
        s = item.stake
        delegation = None
        if s.voter is not None:
            stake = s.stake if s.stake is not None else lamports - reserve
            if stake > lamports - reserve:
                raise ProgramStateError(
                    f"{item.pubkey}: stake {stake} is more than lamports minus reserve "
                    f"({lamports - reserve})"
                )
            delegation = StakeDelegation(
                resolve(s.voter),
                stake,
                s.activation_epoch,
                s.deactivation_epoch if s.deactivation_epoch is not None else 2**64 - 1,
            )
        data = pack_stake_account(
            reserve,
            resolve(s.staker),
            resolve(s.withdrawer),
            delegation,
            s.lockup_epoch,
            resolve(s.custodian) if s.custodian else None,
        )
        return Account(lamports, data, owner, False, 0)
    elif item.nonce is not None:
        data = pack_nonce_account(resolve(item.nonce.authority), initial_nonce_value(address))
    elif item.lookup_table is not None:
        table = item.lookup_table
        authority = resolve(table.authority) if table.authority else None
        data = pack_lookup_table(authority, [resolve(a) for a in table.addresses])
    elif item.multisig is not None:
        data = pack_multisig(item.multisig.m, [resolve(s) for s in item.multisig.signers])
    else:
        return None
    lamports = item.lamports if item.lamports is not None else rent(len(data))
    return Account(lamports, data, owner, False, 0)


def mint_extension_area(
    mint: MintData, address: Pubkey, resolve: Resolve, text: Callable[[str], str] = str
) -> bytes:
    """The TLV entries of a declared Token-2022 mint's extensions ("" when none).

    `text` rewrites the metadata strings (placeholders become addresses, as in prompts)."""
    ext = mint.extensions
    if ext is None:
        return b""
    out = b""
    if ext.transfer_fee is not None:
        fee = ext.transfer_fee
        out += transfer_fee_config(
            fee.basis_points,
            fee.maximum_fee,
            resolve(fee.authority) if fee.authority else None,
            resolve(fee.withdraw_authority) if fee.withdraw_authority else None,
        )
    if ext.close_authority is not None:
        out += tlv(EXT_MINT_CLOSE_AUTHORITY, bytes(resolve(ext.close_authority)))
    if ext.default_state is not None:
        out += tlv(EXT_DEFAULT_ACCOUNT_STATE, bytes([2 if ext.default_state == "frozen" else 1]))
    if ext.non_transferable:
        out += tlv(EXT_NON_TRANSFERABLE, b"")
    if ext.interest_bearing is not None:
        ib = ext.interest_bearing
        out += interest_bearing_config(ib.rate_bps, resolve(ib.authority) if ib.authority else None)
    if ext.permanent_delegate is not None:
        out += tlv(EXT_PERMANENT_DELEGATE, bytes(resolve(ext.permanent_delegate)))
    if ext.metadata is not None:
        md = ext.metadata
        out += token_metadata(
            address,
            text(md.name),
            text(md.symbol),
            text(md.uri),
            resolve(md.update_authority) if md.update_authority else None,
            {text(k): text(v) for k, v in md.additional.items()},
        )
    return out


def account_extension_area(account: TokenAccountData, mint: MintExtensions | None) -> bytes:
    """The TLV entries of a Token-2022 token account: those its mint requires (fee
    amount, non-transferable), immutable owner (as an associated account has), and the
    declared ones (memo required). "" for an account that needs none."""
    required = b""
    if mint is not None and mint.transfer_fee is not None:
        required += tlv(EXT_TRANSFER_FEE_AMOUNT, bytes(8))
    if mint is not None and mint.non_transferable:
        required += tlv(EXT_NON_TRANSFERABLE_ACCOUNT, b"")
    declared = b""
    if account.extensions is not None:  # declared (true or false): the extension exists
        declared += tlv(EXT_MEMO_TRANSFER, b"\x01" if account.extensions.memo_required else b"\x00")
    if not required and not declared and account.extensions is None:
        return b""
    return tlv(EXT_IMMUTABLE_OWNER, b"") + required + declared
