"""Account and token encodings in the shapes of Solana's RPC (agave's account-decoder).

`encode_account` serves getAccountInfo, getMultipleAccounts, getProgramAccounts and
getTokenAccountsByOwner: `binary` (legacy base58 string), `base58`, `base64` and
`jsonParsed`. `jsonParsed` decodes SPL Token / Token-2022 accounts and mints without
extensions; anything else falls back to base64, exactly as a real node does when it
cannot parse an account.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import base58
from solders.account import Account
from solders.pubkey import Pubkey
from solders.rpc.responses import RpcSimulateTransactionResult
from solders.token.state import Mint, TokenAccount, TokenAccountState

from reev.chain.layouts import MINT_LEN, TOKEN_ACCOUNT_LEN, unpack_mint, unpack_token_account
from reev.chain.rpc_server.errors import INVALID_REQUEST, RpcError, invalid_param
from reev.programs.ids import NATIVE_MINT, TOKEN_2022_PROGRAM, TOKEN_PROGRAMS

ENCODINGS = ("binary", "base58", "base64", "jsonParsed")
MAX_BASE58_BYTES = 128
NATIVE_DECIMALS = 9

MintLookup = Callable[[Pubkey], Account | None]


def ui_amount_string(amount: int, decimals: int) -> str:
    """The amount as a decimal string without trailing zeros (agave's real_number_string_trimmed)."""
    if decimals == 0:
        return str(amount)
    digits = str(amount).rjust(decimals + 1, "0")
    whole, frac = digits[:-decimals], digits[-decimals:].rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def ui_token_amount(amount: int, decimals: int) -> dict[str, Any]:
    """UiTokenAmount: amount as a string, decimals, float uiAmount, uiAmountString."""
    return {
        "amount": str(amount),
        "decimals": decimals,
        "uiAmount": amount / 10**decimals,
        "uiAmountString": ui_amount_string(amount, decimals),
    }


def token_program_name(owner: Pubkey) -> str:
    """The `program` label jsonParsed uses."""
    return "spl-token-2022" if owner == TOKEN_2022_PROGRAM else "spl-token"


def is_token_account(account: Account) -> bool:
    """A base-layout token account (no extensions) owned by a token program."""
    return account.owner in TOKEN_PROGRAMS and len(account.data) == TOKEN_ACCOUNT_LEN


def is_mint(account: Account) -> bool:
    """A base-layout mint (no extensions) owned by a token program."""
    return account.owner in TOKEN_PROGRAMS and len(account.data) == MINT_LEN


def token_account_of(account: Account | None) -> TokenAccount | None:
    """The decoded token account, or None when `account` is not one."""
    if account is None or not is_token_account(account):
        return None
    ta = unpack_token_account(bytes(account.data))
    if ta is None or ta.state == TokenAccountState.Uninitialized:
        return None
    return ta


def mint_of(account: Account | None) -> Mint | None:
    """The decoded mint, or None when `account` is not an initialized mint."""
    if account is None or not is_mint(account):
        return None
    m = unpack_mint(bytes(account.data))
    if m is None or not m.is_initialized:
        return None
    return m


def mint_decimals(mint: Pubkey, lookup: MintLookup) -> int | None:
    """A mint's decimals (the native mint is known without its account, as in agave)."""
    if mint == NATIVE_MINT:
        return NATIVE_DECIMALS
    m = mint_of(lookup(mint))
    return m.decimals if m is not None else None


def _state_name(state: TokenAccountState) -> str:
    if state == TokenAccountState.Frozen:
        return "frozen"
    if state == TokenAccountState.Initialized:
        return "initialized"
    return "uninitialized"


def parse_token_account(ta: TokenAccount, decimals: int) -> dict[str, Any]:
    """The `info` of a jsonParsed token account."""
    info: dict[str, Any] = {
        "isNative": ta.is_native is not None,
        "mint": str(ta.mint),
        "owner": str(ta.owner),
        "state": _state_name(ta.state),
        "tokenAmount": ui_token_amount(ta.amount, decimals),
    }
    if ta.delegate is not None:
        info["delegate"] = str(ta.delegate)
        info["delegatedAmount"] = ui_token_amount(ta.delegated_amount, decimals)
    if ta.is_native is not None:
        info["rentExemptReserve"] = ui_token_amount(ta.is_native, decimals)
    if ta.close_authority is not None:
        info["closeAuthority"] = str(ta.close_authority)
    return info


def parse_mint(m: Mint) -> dict[str, Any]:
    """The `info` of a jsonParsed mint."""
    return {
        "decimals": m.decimals,
        "freezeAuthority": str(m.freeze_authority) if m.freeze_authority else None,
        "isInitialized": m.is_initialized,
        "mintAuthority": str(m.mint_authority) if m.mint_authority else None,
        "supply": str(m.supply),
    }


def parsed_data(account: Account, lookup: MintLookup) -> dict[str, Any] | None:
    """jsonParsed `data` for token accounts and mints; None when it cannot be parsed."""
    program = token_program_name(account.owner)
    ta = token_account_of(account)
    if ta is not None:
        decimals = mint_decimals(ta.mint, lookup)
        if decimals is None:
            return None  # agave cannot parse a token account whose mint it cannot read
        parsed = {"info": parse_token_account(ta, decimals), "type": "account"}
        return {"parsed": parsed, "program": program, "space": len(account.data)}
    m = mint_of(account)
    if m is not None:
        return {
            "parsed": {"info": parse_mint(m), "type": "mint"},
            "program": program,
            "space": len(account.data),
        }
    return None


def parse_data_slice(config: dict[str, Any]) -> tuple[int, int] | None:
    """`dataSlice: {offset, length}` from a config object."""
    raw = config.get("dataSlice")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid_param("dataSlice must be an object with offset and length")
    offset, length = raw.get("offset"), raw.get("length")
    if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 0:
        raise invalid_param("dataSlice offset and length must be non-negative integers")
    return offset, length


def check_encoding(encoding: str) -> str:
    """Reject encodings this server does not produce (base64+zstd needs zstd)."""
    if encoding not in ENCODINGS:
        raise invalid_param(f"unsupported account encoding: {encoding}")
    return encoding


def encode_data(
    account: Account, encoding: str, data_slice: tuple[int, int] | None, lookup: MintLookup
) -> Any:
    """The `data` member of an account in the requested encoding."""
    if encoding == "jsonParsed":
        parsed = parsed_data(account, lookup)
        if parsed is not None:
            return parsed
        encoding = "base64"
    data = bytes(account.data)
    if data_slice is not None:
        offset, length = data_slice
        data = data[offset : offset + length]
    if encoding in ("binary", "base58"):
        if len(data) > MAX_BASE58_BYTES:
            raise RpcError(
                INVALID_REQUEST,
                "Encoded binary (base 58) data should be less than 128 bytes, "
                "please use Base64 encoding.",
            )
        text = base58.b58encode(data).decode()
        return text if encoding == "binary" else [text, "base58"]
    return [base64.b64encode(data).decode(), "base64"]


def encode_account(
    account: Account,
    encoding: str,
    data_slice: tuple[int, int] | None,
    lookup: MintLookup,
) -> dict[str, Any]:
    """UiAccount: data, executable, lamports, owner, rentEpoch, space."""
    return {
        "data": encode_data(account, encoding, data_slice, lookup),
        "executable": account.executable,
        "lamports": account.lamports,
        "owner": str(account.owner),
        "rentEpoch": account.rent_epoch,
        "space": len(account.data),
    }


def error_json(err: object | None) -> Any:
    """A TransactionError in Solana's JSON form, e.g. {"InstructionError": [0, {"Custom": 1}]}.

    solders exposes errors as Python objects; its RPC result types serialize them with
    the same serde code the validator uses, so one is borrowed to get the exact shape.
    """
    if err is None:
        return None
    holder = RpcSimulateTransactionResult(
        err=err,  # type: ignore[arg-type]
        logs=None,
        accounts=None,
        units_consumed=None,
        return_data=None,
    )
    return json.loads(holder.to_json())["err"]


def pubkey_bytes_b58(data: bytes) -> str:
    """Base58 text of raw bytes (instruction data in the `json` transaction encoding)."""
    return base58.b58encode(data).decode()
