"""surfpool's cheat codes that reev used: surfnet_setAccount, surfnet_setTokenAccount,
surfnet_timeTravel (same names, parameters and result shapes as surfpool)."""

from __future__ import annotations

from typing import Any

from solders.account import Account
from solders.pubkey import Pubkey
from solders.token.state import TokenAccount, TokenAccountState

from reev.benchmark.mints import known_mint
from reev.chain.layouts import MINT_LEN, TOKEN_ACCOUNT_LEN, pack_mint, unpack_token_account
from reev.chain.rpc_server import params as p
from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.errors import invalid_param, invalid_params
from reev.chain.rpc_server.methods.common import Handler, with_context
from reev.programs.ata import associated_token_address
from reev.programs.ids import NATIVE_MINT, SYSTEM_PROGRAM, TOKEN_PROGRAM, TOKEN_PROGRAMS

STATES = {
    "initialized": TokenAccountState.Initialized,
    "frozen": TokenAccountState.Frozen,
    "uninitialized": TokenAccountState.Uninitialized,
}


MAX_ACCOUNT_DATA = 10 * 1024 * 1024  # Solana's MAX_PERMITTED_DATA_LENGTH


def set_account(state: ChainState, params: list[Any]) -> dict[str, Any]:
    """Create or overwrite an account; fields left out keep their current value."""
    address, update = p.arity(params, 2)
    key = p.pubkey(address)
    if not isinstance(update, dict):
        raise invalid_params("expected an account update object")
    current = state.get_account(key) or Account(0, b"", SYSTEM_PROGRAM, False, 0)
    lamports = current.lamports
    if update.get("lamports") is not None:
        lamports = p.u64(update["lamports"], "lamports")
    data = bytes(current.data)
    if update.get("data") is not None:
        text = update["data"]
        if not isinstance(text, str):
            raise invalid_params("data must be a hex string")
        if len(text.removeprefix("0x")) > 2 * MAX_ACCOUNT_DATA:  # checked before decoding
            raise invalid_param(f"data is longer than Solana's {MAX_ACCOUNT_DATA} bytes")
        try:
            data = bytes.fromhex(text.removeprefix("0x"))
        except ValueError:
            raise invalid_param("data is not valid hex") from None
    owner = current.owner
    if update.get("owner") is not None:
        owner = p.pubkey(update["owner"])
    executable = current.executable
    if update.get("executable") is not None:
        if not isinstance(update["executable"], bool):
            raise invalid_params("executable must be a boolean")
        executable = update["executable"]
    rent_epoch = update.get("rentEpoch", update.get("rent_epoch"))
    rent_epoch = current.rent_epoch if rent_epoch is None else p.u64(rent_epoch, "rentEpoch")
    state.set_account(key, Account(lamports, data, owner, executable, rent_epoch))
    return with_context(state, None)


def _optional_pubkey(update: dict[str, Any], name: str, current: Pubkey | None) -> Pubkey | None:
    if name not in update:
        return current
    value = update[name]
    return None if value is None else p.pubkey(value)


def _ensure_mint(state: ChainState, mint: Pubkey, program: Pubkey) -> None:
    """A missing well-known mainnet mint is created (surfpool would fetch it from mainnet)."""
    account = state.get_account(mint)
    if account is not None:
        if account.owner not in TOKEN_PROGRAMS or len(account.data) < MINT_LEN:
            raise invalid_param(f"{mint} is not a token mint")
        return
    known = known_mint(str(mint))
    if known is None:
        raise invalid_param(f"mint {mint} not found")
    rent = state.svm.minimum_balance_for_rent_exemption(MINT_LEN)
    state.set_account(mint, Account(rent, pack_mint(known.decimals, 0), program, False, 0))


def set_token_account(state: ChainState, params: list[Any]) -> dict[str, Any]:
    """Create or update the owner's associated token account for `mint`."""
    owner_text, mint_text, update, program_text = p.arity(params, 3, 1)
    owner = p.pubkey(owner_text)
    mint = p.pubkey(mint_text)
    program = TOKEN_PROGRAM if program_text is None else p.pubkey(program_text)
    if program not in TOKEN_PROGRAMS:
        raise invalid_param("unrecognized Token program id")
    if not isinstance(update, dict):
        raise invalid_params("expected a token account update object")
    _ensure_mint(state, mint, program)
    address = associated_token_address(owner, mint, program)
    rent = state.svm.minimum_balance_for_rent_exemption(TOKEN_ACCOUNT_LEN)
    existing = state.get_account(address)
    current = unpack_token_account(bytes(existing.data)) if existing is not None else None
    amount = current.amount if current else 0
    if update.get("amount") is not None:
        amount = p.u64(update["amount"], "amount")
    delegated = current.delegated_amount if current else 0
    if update.get("delegatedAmount") is not None:
        delegated = p.u64(update["delegatedAmount"], "delegatedAmount")
    token_state = current.state if current else TokenAccountState.Initialized
    if update.get("state") is not None:
        if update["state"] not in STATES:
            raise invalid_param(f"state must be one of {sorted(STATES)}")
        token_state = STATES[update["state"]]
    is_native = rent if mint == NATIVE_MINT else None
    account = TokenAccount(
        mint=mint,
        owner=owner,
        amount=amount,
        delegate=_optional_pubkey(update, "delegate", current.delegate if current else None),
        state=token_state,
        is_native=is_native,
        delegated_amount=delegated,
        close_authority=_optional_pubkey(
            update, "closeAuthority", current.close_authority if current else None
        ),
    )
    lamports = (
        rent + amount if is_native is not None else max(rent, existing.lamports if existing else 0)
    )
    state.set_account(address, Account(lamports, bytes(account), program, False, 0))
    return with_context(state, None)


MAX_TRAVEL_SLOT = 2**53 - 1
"""The furthest slot surfnet_timeTravel reaches (~114 million years at 400 ms a slot).

Beyond it the clock stops being usable: slot + 1 and slot + 150 (a blockhash's validity)
must fit u64, and the timestamp derived from a slot must fit the Clock's i64; epoch 10^18
once pinned the slot at u64::MAX and every later transaction failed until a restart. 2^53
is also the largest integer a JavaScript client reads exactly."""
MAX_TRAVEL_TIMESTAMP_MS = 2**53 - 1


def _travel_slot(slot: int, name: str) -> int:
    if slot > MAX_TRAVEL_SLOT:
        raise invalid_param(
            f"{name} leads to slot {slot}, beyond the largest supported slot {MAX_TRAVEL_SLOT}"
        )
    return slot


def time_travel(state: ChainState, params: list[Any]) -> dict[str, int]:
    """Move the clock forward to an absolute slot, epoch or timestamp (milliseconds),
    each range-checked (`MAX_TRAVEL_SLOT`) before the VM's clock is touched."""
    (cfg,) = p.arity(params, 0, 1)
    cfg = cfg or {}
    if not isinstance(cfg, dict):
        raise invalid_params("expected {absoluteSlot} | {absoluteEpoch} | {absoluteTimestamp}")
    schedule = state.svm.get_epoch_schedule()
    if cfg.get("absoluteSlot") is not None:
        slot = _travel_slot(p.u64(cfg["absoluteSlot"], "absoluteSlot"), "absoluteSlot")
        timestamp = state.timestamp_for_slot(slot)
    elif cfg.get("absoluteEpoch") is not None:
        epoch = p.u64(cfg["absoluteEpoch"], "absoluteEpoch")
        if epoch > MAX_TRAVEL_SLOT // max(1, schedule.slots_per_epoch):
            raise invalid_param(
                f"absoluteEpoch {epoch} starts beyond the largest supported slot {MAX_TRAVEL_SLOT}"
            )
        slot = _travel_slot(schedule.get_first_slot_in_epoch(epoch), "absoluteEpoch")
        timestamp = state.timestamp_for_slot(slot)
    elif cfg.get("absoluteTimestamp") is not None or cfg.get("unix_timestamp") is not None:
        if cfg.get("absoluteTimestamp") is not None:
            millis = p.u64(cfg["absoluteTimestamp"], "absoluteTimestamp")
        else:
            millis = p.u64(cfg["unix_timestamp"], "unix_timestamp") * 1000
        if millis > MAX_TRAVEL_TIMESTAMP_MS:
            raise invalid_param(
                f"timestamp {millis} ms is beyond the largest supported {MAX_TRAVEL_TIMESTAMP_MS} ms"
            )
        now_ms = state.unix_timestamp * 1000
        slot = _travel_slot(state.slot + max(0, (millis - now_ms) // 400), "absoluteTimestamp")
        timestamp = millis // 1000
    else:
        raise invalid_params("expected {absoluteSlot} | {absoluteEpoch} | {absoluteTimestamp}")
    try:
        state.travel_to(slot, max(timestamp, state.unix_timestamp))
    except ValueError as exc:
        raise invalid_param(str(exc)) from None
    return state.epoch_info()


METHODS: dict[str, Handler] = {
    "surfnet_setAccount": set_account,
    "surfnet_setTokenAccount": set_token_account,
    "surfnet_timeTravel": time_travel,
}
