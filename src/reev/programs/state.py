"""Binary layouts of Stake, Vote, nonce, lookup-table and multisig accounts, and of
Token-2022 extensions: packing (for initial states) and decoding (for tools and scores).

The layouts are the programs' own (bincode for Stake/Vote/nonce/lookup tables, the
SPL `Pack` layout for multisigs, Token-2022's TLV extension area). Every packer here is
checked in `tests/programs/test_state.py` by having the real program on LiteSVM act on
what it packed (delegate, withdraw, advance, a v0 transaction, a fee-charging transfer).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey

from reev.programs.ids import (
    LOOKUP_TABLE_PROGRAM,
    STAKE_PROGRAM,
    SYSTEM_PROGRAM,
    TOKEN_2022_PROGRAM,
    TOKEN_PROGRAMS,
    VOTE_PROGRAM,
)

U64_MAX = 2**64 - 1
STAKE_ACCOUNT_LEN = 200
VOTE_ACCOUNT_LEN = 3762
NONCE_ACCOUNT_LEN = 80
LOOKUP_TABLE_META_LEN = 56
MULTISIG_LEN = 355
TOKEN_ACCOUNT_LEN = 165
MINT_LEN = 82
LAMPORTS_PER_SIGNATURE = 5000
WARMUP_COOLDOWN_RATE = 0.25

# Token-2022 extension types (spl-token-2022 `ExtensionType`).
EXT_TRANSFER_FEE_CONFIG = 1
EXT_TRANSFER_FEE_AMOUNT = 2
EXT_MINT_CLOSE_AUTHORITY = 3
EXT_DEFAULT_ACCOUNT_STATE = 6
EXT_IMMUTABLE_OWNER = 7
EXT_MEMO_TRANSFER = 8
EXT_NON_TRANSFERABLE = 9
EXT_INTEREST_BEARING = 10
EXT_CPI_GUARD = 11
EXT_PERMANENT_DELEGATE = 12
EXT_NON_TRANSFERABLE_ACCOUNT = 13
EXT_METADATA_POINTER = 18
EXT_TOKEN_METADATA = 19
ACCOUNT_TYPE_MINT = 1
ACCOUNT_TYPE_ACCOUNT = 2


def _opt_key(key: Pubkey | None) -> bytes:
    """Token-2022's OptionalNonZeroPubkey: 32 zero bytes mean none."""
    return bytes(key) if key is not None else bytes(32)


def _read_opt_key(data: bytes) -> str | None:
    return None if data == bytes(32) else str(Pubkey.from_bytes(data))


# --- Vote ---------------------------------------------------------------------------


def pack_vote_account(node: Pubkey, withdrawer: Pubkey, commission: int, epoch: int = 0) -> bytes:
    """A VoteState (Current version) with no votes; the node is the authorized voter."""
    data = struct.pack("<I", 2) + bytes(node) + bytes(withdrawer) + bytes([commission])
    data += struct.pack("<Q", 0)  # votes
    data += b"\x00"  # root slot: none
    data += struct.pack("<QQ", 1, epoch) + bytes(node)  # authorized voters {epoch: node}
    data += bytes(32 * (32 + 8 + 8)) + struct.pack("<Q", 31) + b"\x01"  # prior voters (empty)
    data += struct.pack("<Q", 0)  # epoch credits
    data += struct.pack("<Qq", 0, 0)  # last timestamp
    return data + bytes(VOTE_ACCOUNT_LEN - len(data))


def decode_vote_account(data: bytes) -> dict[str, Any] | None:
    if len(data) < 69 or struct.unpack_from("<I", data)[0] not in (1, 2):
        return None
    return {
        "node": str(Pubkey.from_bytes(data[4:36])),
        "authorized_withdrawer": str(Pubkey.from_bytes(data[36:68])),
        "commission": data[68],
    }


# --- Stake --------------------------------------------------------------------------


@dataclass(frozen=True)
class StakeDelegation:
    voter: Pubkey
    stake: int
    activation_epoch: int
    deactivation_epoch: int = U64_MAX


def pack_stake_account(
    rent_exempt_reserve: int,
    staker: Pubkey,
    withdrawer: Pubkey,
    delegation: StakeDelegation | None = None,
    lockup_epoch: int = 0,
    custodian: Pubkey | None = None,
) -> bytes:
    """StakeStateV2: Initialized (no delegation) or Stake (delegated)."""
    meta = struct.pack("<Q", rent_exempt_reserve) + bytes(staker) + bytes(withdrawer)
    meta += struct.pack("<qQ", 0, lockup_epoch) + bytes(custodian or Pubkey.default())
    if delegation is None:
        data = struct.pack("<I", 1) + meta
    else:
        data = struct.pack("<I", 2) + meta + bytes(delegation.voter)
        data += struct.pack(
            "<QQQd",
            delegation.stake,
            delegation.activation_epoch,
            delegation.deactivation_epoch,
            WARMUP_COOLDOWN_RATE,
        )
        data += struct.pack("<Q", 0)  # credits observed
        data += b"\x00"  # stake flags
    return data + bytes(STAKE_ACCOUNT_LEN - len(data))


def decode_stake_account(data: bytes, epoch: int | None = None) -> dict[str, Any] | None:
    """The stake account's authorities and delegation; `status` against `epoch` when given.

    Without stake history (the embedded VM has none) a delegation is fully effective one
    epoch after activation and fully inactive one epoch after deactivation.
    """
    if len(data) < 124:
        return None
    tag = struct.unpack_from("<I", data)[0]
    if tag not in (1, 2):
        return {"state": "uninitialized"} if tag == 0 else None
    reserve = struct.unpack_from("<Q", data, 4)[0]
    out: dict[str, Any] = {
        "state": "initialized",
        "rent_exempt_reserve": reserve,
        "staker": str(Pubkey.from_bytes(data[12:44])),
        "withdrawer": str(Pubkey.from_bytes(data[44:76])),
        "lockup_epoch": struct.unpack_from("<Q", data, 84)[0],
        "voter": None,
        "stake": 0,
        "activation_epoch": None,
        "deactivation_epoch": None,
    }
    if tag == 2 and len(data) >= 196:
        stake, activation, deactivation = struct.unpack_from("<QQQ", data, 156)
        out.update(
            state="delegated",
            voter=str(Pubkey.from_bytes(data[124:156])),
            stake=stake,
            activation_epoch=activation,
            deactivation_epoch=None if deactivation == U64_MAX else deactivation,
        )
    if epoch is not None:
        out["status"] = stake_status(out, epoch)
    return out


def stake_status(stake: dict[str, Any], epoch: int) -> str:
    """initialized / activating / active / deactivating / inactive at `epoch`."""
    if stake["state"] != "delegated":
        return str(stake["state"])
    activation, deactivation = stake["activation_epoch"], stake["deactivation_epoch"]
    if deactivation is not None:
        if deactivation == activation or epoch > deactivation:
            return "inactive"
        return "deactivating"
    if activation == U64_MAX or epoch > activation:
        return "active"
    return "activating"


# --- Durable nonce ------------------------------------------------------------------


def initial_nonce_value(address: Pubkey) -> bytes:
    """The durable nonce a declared nonce account starts with: fixed per address."""
    return hashlib.sha256(b"reev-nonce-v1" + bytes(address)).digest()


def pack_nonce_account(authority: Pubkey, nonce: bytes) -> bytes:
    """nonce::state::Versions::Current(State::Initialized(Data))."""
    return (
        struct.pack("<II", 1, 1)
        + bytes(authority)
        + nonce
        + struct.pack("<Q", LAMPORTS_PER_SIGNATURE)
    )


def decode_nonce_account(data: bytes) -> dict[str, Any] | None:
    if len(data) != NONCE_ACCOUNT_LEN:
        return None
    version, state = struct.unpack_from("<II", data)
    if version not in (0, 1) or state != 1:
        return {"state": "uninitialized"} if state == 0 else None
    from solders.hash import Hash

    return {
        "state": "initialized",
        "authority": str(Pubkey.from_bytes(data[8:40])),
        "nonce": str(Hash(data[40:72])),
        "lamports_per_signature": struct.unpack_from("<Q", data, 72)[0],
    }


# --- Address lookup tables ----------------------------------------------------------


def pack_lookup_table(authority: Pubkey | None, addresses: list[Pubkey]) -> bytes:
    """LookupTableMeta (never deactivated, extended at slot 0: every entry is usable)."""
    meta = struct.pack("<IQQB", 1, U64_MAX, 0, 0)
    meta += (b"\x01" + bytes(authority)) if authority is not None else b"\x00" + bytes(32)
    meta += b"\x00\x00"
    return meta + b"".join(bytes(a) for a in addresses)


def decode_lookup_table(data: bytes) -> dict[str, Any] | None:
    if len(data) < LOOKUP_TABLE_META_LEN or struct.unpack_from("<I", data)[0] != 1:
        return None
    deactivation, last_slot = struct.unpack_from("<QQ", data, 4)
    authority = str(Pubkey.from_bytes(data[22:54])) if data[21] == 1 else None
    body = data[LOOKUP_TABLE_META_LEN:]
    addresses = [str(Pubkey.from_bytes(body[i : i + 32])) for i in range(0, len(body) - 31, 32)]
    return {
        "authority": authority,
        "addresses": addresses,
        "count": len(addresses),
        "deactivated": deactivation != U64_MAX,
        "last_extended_slot": last_slot,
    }


# --- SPL Token multisig -------------------------------------------------------------


def pack_multisig(m: int, signers: list[Pubkey]) -> bytes:
    keys = b"".join(bytes(s) for s in signers) + bytes(32 * (11 - len(signers)))
    return bytes([m, len(signers), 1]) + keys


def decode_multisig(data: bytes) -> dict[str, Any] | None:
    if len(data) != MULTISIG_LEN or data[2] != 1:
        return None
    n = data[1]
    return {
        "m": data[0],
        "n": n,
        "signers": [str(Pubkey.from_bytes(data[3 + 32 * i : 35 + 32 * i])) for i in range(n)],
    }


# --- Token-2022 extensions ----------------------------------------------------------


def tlv(ext_type: int, value: bytes) -> bytes:
    return struct.pack("<HH", ext_type, len(value)) + value


def _borsh_str(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<I", len(raw)) + raw


def transfer_fee_config(
    basis_points: int,
    maximum_fee: int,
    authority: Pubkey | None = None,
    withdraw_authority: Pubkey | None = None,
) -> bytes:
    fee = struct.pack("<QQH", 0, maximum_fee, basis_points)
    return tlv(
        EXT_TRANSFER_FEE_CONFIG,
        _opt_key(authority) + _opt_key(withdraw_authority) + struct.pack("<Q", 0) + fee + fee,
    )


def interest_bearing_config(rate_bps: int, authority: Pubkey | None = None) -> bytes:
    return tlv(
        EXT_INTEREST_BEARING,
        _opt_key(authority) + struct.pack("<qhqh", 0, rate_bps, 0, rate_bps),
    )


def token_metadata(
    mint: Pubkey,
    name: str,
    symbol: str,
    uri: str,
    update_authority: Pubkey | None,
    additional: dict[str, str],
) -> bytes:
    """MetadataPointer (to the mint itself) and the TokenMetadata it points to."""
    body = _opt_key(update_authority) + bytes(mint)
    body += _borsh_str(name) + _borsh_str(symbol) + _borsh_str(uri)
    body += struct.pack("<I", len(additional))
    for key, value in additional.items():
        body += _borsh_str(key) + _borsh_str(value)
    pointer = tlv(EXT_METADATA_POINTER, _opt_key(update_authority) + bytes(mint))
    return pointer + tlv(EXT_TOKEN_METADATA, body)


def with_mint_extensions(base_mint: bytes, extensions: bytes) -> bytes:
    """A Token-2022 mint: the 82-byte base, padding to 165, the account type, the TLVs."""
    return base_mint + bytes(TOKEN_ACCOUNT_LEN - MINT_LEN) + bytes([ACCOUNT_TYPE_MINT]) + extensions


def with_account_extensions(base_account: bytes, extensions: bytes) -> bytes:
    """A Token-2022 token account: the 165-byte base, the account type, the TLVs."""
    return base_account + bytes([ACCOUNT_TYPE_ACCOUNT]) + extensions


def iter_tlv(data: bytes) -> list[tuple[int, bytes]]:
    """The (type, value) entries of a Token-2022 account's extension area."""
    out: list[tuple[int, bytes]] = []
    pos = TOKEN_ACCOUNT_LEN + 1
    while pos + 4 <= len(data):
        ext_type, length = struct.unpack_from("<HH", data, pos)
        if ext_type == 0:
            break
        out.append((ext_type, data[pos + 4 : pos + 4 + length]))
        pos += 4 + length
    return out


# Bytes of an extension that the cluster clock writes, not the transaction: an
# InterestBearingConfig stores the time of its creation and of its last rate change and
# the average rate up to then (rate_authority 0..32, initialization_timestamp 32..40,
# pre_update_average_rate 40..42, last_update_timestamp 42..50, current_rate 50..52).
_CLOCK_WRITTEN: dict[int, tuple[tuple[int, int], ...]] = {
    EXT_INTEREST_BEARING: ((32, 50),),
}


def clock_independent_extensions(data: bytes) -> bytes:
    """A Token-2022 account's extension area with the clock-written bytes zeroed.

    The side-effect rule compares extension bytes between the agent's run and the
    reference's; on a validator whose clock runs in real time the two runs happen seconds
    apart, and the same rate change stamps different timestamps. What the transaction chose
    (the rate, the authority) stays compared; only when it happened does not."""
    out = bytearray(data)
    pos = TOKEN_ACCOUNT_LEN + 1
    while pos + 4 <= len(out):
        ext_type, length = struct.unpack_from("<HH", out, pos)
        if ext_type == 0:
            break
        for start, end in _CLOCK_WRITTEN.get(ext_type, ()):
            lo, hi = pos + 4 + start, min(pos + 4 + end, pos + 4 + length)
            if lo < hi:
                out[lo:hi] = bytes(hi - lo)
        pos += 4 + length
    return bytes(out[TOKEN_ACCOUNT_LEN:])


def _read_borsh_str(data: bytes, pos: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<I", data, pos)
    start = pos + 4
    return data[start : start + length].decode(errors="replace"), start + length


def decode_mint_extensions(data: bytes) -> dict[str, Any]:
    """Token-2022 mint extensions as plain data (names as in the benchmark format)."""
    out: dict[str, Any] = {}
    if len(data) <= TOKEN_ACCOUNT_LEN or data[TOKEN_ACCOUNT_LEN] != ACCOUNT_TYPE_MINT:
        return out
    for ext_type, value in iter_tlv(data):
        if ext_type == EXT_TRANSFER_FEE_CONFIG and len(value) >= 108:
            withheld = struct.unpack_from("<Q", value, 64)[0]
            _, older_max, older_bps = struct.unpack_from("<QQH", value, 72)
            epoch, newer_max, newer_bps = struct.unpack_from("<QQH", value, 90)
            out["transfer_fee"] = {
                "basis_points": newer_bps,
                "maximum_fee": newer_max,
                "newer_from_epoch": epoch,
                "older_basis_points": older_bps,
                "older_maximum_fee": older_max,
                "authority": _read_opt_key(value[0:32]),
                "withdraw_authority": _read_opt_key(value[32:64]),
                "withheld_amount": withheld,
            }
        elif ext_type == EXT_MINT_CLOSE_AUTHORITY:
            out["close_authority"] = _read_opt_key(value[:32])
        elif ext_type == EXT_DEFAULT_ACCOUNT_STATE and value:
            out["default_state"] = {1: "initialized", 2: "frozen"}.get(value[0], "uninitialized")
        elif ext_type == EXT_NON_TRANSFERABLE:
            out["non_transferable"] = True
        elif ext_type == EXT_INTEREST_BEARING and len(value) >= 52:
            _, _, _, current = struct.unpack_from("<qhqh", value, 32)
            out["interest_bearing"] = {"rate_bps": current, "authority": _read_opt_key(value[:32])}
        elif ext_type == EXT_PERMANENT_DELEGATE:
            out["permanent_delegate"] = _read_opt_key(value[:32])
        elif ext_type == EXT_METADATA_POINTER and len(value) >= 64:
            out["metadata_pointer"] = _read_opt_key(value[32:64])
        elif ext_type == EXT_TOKEN_METADATA and len(value) >= 64:
            name, pos = _read_borsh_str(value, 64)
            symbol, pos = _read_borsh_str(value, pos)
            uri, pos = _read_borsh_str(value, pos)
            (count,) = struct.unpack_from("<I", value, pos)
            pos += 4
            extra: dict[str, str] = {}
            for _ in range(min(count, 64)):
                key, pos = _read_borsh_str(value, pos)
                extra[key], pos = _read_borsh_str(value, pos)
            out["metadata"] = {
                "name": name,
                "symbol": symbol,
                "uri": uri,
                "update_authority": _read_opt_key(value[:32]),
                "additional": extra,
            }
    return out


def decode_account_extensions(data: bytes) -> dict[str, Any]:
    """Token-2022 token-account extensions as plain data."""
    out: dict[str, Any] = {}
    if len(data) <= TOKEN_ACCOUNT_LEN or data[TOKEN_ACCOUNT_LEN] != ACCOUNT_TYPE_ACCOUNT:
        return out
    for ext_type, value in iter_tlv(data):
        if ext_type == EXT_TRANSFER_FEE_AMOUNT and len(value) >= 8:
            out["withheld_amount"] = struct.unpack_from("<Q", value)[0]
        elif ext_type == EXT_MEMO_TRANSFER and value:
            out["memo_required"] = bool(value[0])
        elif ext_type == EXT_IMMUTABLE_OWNER:
            out["immutable_owner"] = True
        elif ext_type == EXT_NON_TRANSFERABLE_ACCOUNT:
            out["non_transferable"] = True
        elif ext_type == EXT_CPI_GUARD and value:
            out["cpi_guard"] = bool(value[0])
    return out


def transfer_fee(amount: int, basis_points: int, maximum_fee: int) -> int:
    """Token-2022's fee on a transfer of `amount`: ceil(amount × bps / 10 000), capped."""
    if basis_points == 0 or amount == 0:
        return 0
    fee = -(-amount * basis_points // 10_000)
    return min(fee, maximum_fee)


def gross_for_net(net: int, basis_points: int, maximum_fee: int) -> int:
    """The smallest amount to send so that the recipient receives exactly `net` (or
    the smallest whose net is at least `net`, when no amount nets it exactly)."""
    if basis_points == 0 or net == 0:
        return net
    if basis_points >= 10_000:
        return net + maximum_fee
    guess = max(net, net * 10_000 // (10_000 - basis_points) - 2)
    while guess - transfer_fee(guess, basis_points, maximum_fee) < net:
        guess += 1
    return guess


# --- One decoder for every account kind ---------------------------------------------


CLOCK_SYSVAR_ADDRESS = "SysvarC1ock11111111111111111111111111111111"
SYSVAR_OWNER = "Sysvar1111111111111111111111111111111111111"


def rent_exempt_minimum(data_len: int) -> int:
    """Solana's rent-exempt minimum (3480 lamports per byte-year, 2 years, 128-byte header)."""
    return (128 + data_len) * 3480 * 2


def decode_clock(data: bytes) -> dict[str, Any] | None:
    """The Clock sysvar: slot, epoch and unix timestamp."""
    if len(data) != 40:
        return None
    slot, _, epoch, _, unix_timestamp = struct.unpack("<QqQQq", data)
    return {"slot": slot, "epoch": epoch, "unix_timestamp": unix_timestamp}


def decode_program_account(
    owner: Pubkey, data: bytes, epoch: int | None = None
) -> dict[str, Any] | None:
    """Decoded state of a Stake, Vote, nonce, lookup-table, multisig or token account
    (token accounts and mints: the state the base layout leaves out — frozen, close
    authority, Token-2022 extensions), keyed by kind; None when there is nothing to add."""
    if str(owner) == SYSVAR_OWNER:
        clock = decode_clock(data)
        return {"clock": clock} if clock else None
    if owner == STAKE_PROGRAM:
        stake = decode_stake_account(data, epoch)
        return {"stake": stake} if stake else None
    if owner == VOTE_PROGRAM:
        vote = decode_vote_account(data)
        return {"vote": vote} if vote else None
    if owner == SYSTEM_PROGRAM and len(data) == NONCE_ACCOUNT_LEN:
        nonce = decode_nonce_account(data)
        return {"nonce": nonce} if nonce else None
    if owner == LOOKUP_TABLE_PROGRAM:
        table = decode_lookup_table(data)
        return {"lookup_table": table} if table else None
    if owner in TOKEN_PROGRAMS:
        if len(data) == MULTISIG_LEN:
            multisig = decode_multisig(data)
            return {"multisig": multisig} if multisig else None
        is_account = len(data) == TOKEN_ACCOUNT_LEN or (
            len(data) > TOKEN_ACCOUNT_LEN and data[TOKEN_ACCOUNT_LEN] == ACCOUNT_TYPE_ACCOUNT
        )
        if is_account:
            # state byte 108: 1 initialized, 2 frozen; close authority COption at 129
            state = {1: "initialized", 2: "frozen"}.get(data[108], "uninitialized")
            close = (
                str(Pubkey.from_bytes(data[133:165]))
                if struct.unpack_from("<I", data, 129)[0] == 1
                else None
            )
            token: dict[str, Any] = {"state": state, "close_authority": close}
            if owner == TOKEN_2022_PROGRAM:
                token["extensions"] = decode_account_extensions(data)
            return {"token": token}
        if len(data) >= MINT_LEN and owner == TOKEN_2022_PROGRAM:
            return {"mint": {"extensions": decode_mint_extensions(data)}}
    return None
