"""Account reads: getBalance, getAccountInfo, getMultipleAccounts, getProgramAccounts."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import base58
from solders.account import Account

from reev.chain.rpc_server import params as p
from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.encoding import (
    check_encoding,
    encode_account,
    parse_data_slice,
    token_account_of,
)
from reev.chain.rpc_server.errors import invalid_param, invalid_params
from reev.chain.rpc_server.methods.common import Handler, with_context

MAX_MULTIPLE_ACCOUNTS = 100
MAX_FILTERS = 4
MAX_MEMCMP_BYTES = 128


def get_balance(state: ChainState, params: list[Any]) -> dict[str, Any]:
    address, cfg = p.arity(params, 1, 1)
    key = p.pubkey(address)
    p.config(cfg, state.slot)
    account = state.get_account(key)
    return with_context(state, account.lamports if account else 0)


def _encoder(state: ChainState, cfg: dict[str, Any], default: str) -> Any:
    encoding = check_encoding(str(cfg.get("encoding") or default))
    data_slice = parse_data_slice(cfg)

    def encode(account: Account | None) -> dict[str, Any] | None:
        if account is None:
            return None
        return encode_account(account, encoding, data_slice, state.get_account)

    return encode


def get_account_info(state: ChainState, params: list[Any]) -> dict[str, Any]:
    address, cfg = p.arity(params, 1, 1)
    key = p.pubkey(address)
    config = p.config(cfg, state.slot)
    encode = _encoder(state, config, "binary")
    return with_context(state, encode(state.get_account(key)))


def get_multiple_accounts(state: ChainState, params: list[Any]) -> dict[str, Any]:
    addresses, cfg = p.arity(params, 1, 1)
    if not isinstance(addresses, list):
        raise invalid_params("invalid type: expected an array of pubkeys")
    if len(addresses) > MAX_MULTIPLE_ACCOUNTS:
        raise invalid_param(f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
    keys = [p.pubkey(a) for a in addresses]
    config = p.config(cfg, state.slot)
    encode = _encoder(state, config, "base64")
    return with_context(state, [encode(state.get_account(k)) for k in keys])


def _memcmp_bytes(spec: dict[str, Any]) -> bytes:
    raw = spec.get("bytes")
    if not isinstance(raw, str):
        raise invalid_param("memcmp bytes must be a string")
    encoding = spec.get("encoding", "base58")
    try:
        if encoding == "base58":
            data = base58.b58decode(raw)
        elif encoding == "base64":
            data = base64.b64decode(raw, validate=True)
        else:
            raise invalid_param(f"unsupported memcmp encoding: {encoding}")
    except (ValueError, binascii.Error):
        raise invalid_param(f"invalid {encoding} memcmp bytes") from None
    if len(data) > MAX_MEMCMP_BYTES:
        raise invalid_param("memcmp bytes too long")
    return data


def build_filter(raw: Any) -> Any:
    """One getProgramAccounts filter → a predicate on account data."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise invalid_params("invalid filter: expected {dataSize}, {memcmp} or {tokenAccountState}")
    if "dataSize" in raw:
        size = p.u64(raw["dataSize"], "dataSize")
        return lambda acct: len(acct.data) == size
    if "memcmp" in raw:
        spec = raw["memcmp"]
        if not isinstance(spec, dict):
            raise invalid_params("invalid memcmp filter")
        offset = p.u64(spec.get("offset"), "memcmp offset")
        want = _memcmp_bytes(spec)
        return lambda acct: bytes(acct.data)[offset : offset + len(want)] == want
    if "tokenAccountState" in raw:
        return lambda acct: token_account_of(acct) is not None
    raise invalid_params(f"unknown filter {next(iter(raw))}")


def get_program_accounts(state: ChainState, params: list[Any]) -> Any:
    program, cfg = p.arity(params, 1, 1)
    key = p.pubkey(program)
    config = p.config(cfg, state.slot)
    raw_filters = config.get("filters") or []
    if not isinstance(raw_filters, list):
        raise invalid_params("invalid type: filters must be an array")
    if len(raw_filters) > MAX_FILTERS:
        raise invalid_param(f"Too many filters provided; max {MAX_FILTERS}")
    filters = [build_filter(f) for f in raw_filters]
    encode = _encoder(state, config, "binary")
    found = [
        {"account": encode(account), "pubkey": str(address)}
        for address, account in sorted(state.program_accounts(key), key=lambda item: str(item[0]))
        if all(f(account) for f in filters)
    ]
    if config.get("withContext"):
        return with_context(state, found)
    return found


METHODS: dict[str, Handler] = {
    "getBalance": get_balance,
    "getAccountInfo": get_account_info,
    "getMultipleAccounts": get_multiple_accounts,
    "getProgramAccounts": get_program_accounts,
}
