"""SPL token reads: getTokenAccountBalance, getTokenAccountsByOwner, getTokenSupply."""

from __future__ import annotations

from typing import Any

from reev.chain.rpc_server import params as p
from reev.chain.rpc_server.chain_state import ChainState
from reev.chain.rpc_server.encoding import (
    check_encoding,
    encode_account,
    mint_decimals,
    mint_of,
    parse_data_slice,
    token_account_of,
    ui_token_amount,
)
from reev.chain.rpc_server.errors import invalid_param, invalid_params
from reev.chain.rpc_server.methods.common import Handler, with_context
from reev.programs.ids import TOKEN_PROGRAMS


def get_token_account_balance(state: ChainState, params: list[Any]) -> dict[str, Any]:
    address, cfg = p.arity(params, 1, 1)
    key = p.pubkey(address)
    p.config(cfg, state.slot)
    ta = token_account_of(state.get_account(key))
    if ta is None:
        raise invalid_param("not a Token account")
    decimals = mint_decimals(ta.mint, state.get_account)
    if decimals is None:
        raise invalid_param("Token mint could not be unpacked")
    return with_context(state, ui_token_amount(ta.amount, decimals))


def get_token_supply(state: ChainState, params: list[Any]) -> dict[str, Any]:
    address, cfg = p.arity(params, 1, 1)
    key = p.pubkey(address)
    p.config(cfg, state.slot)
    mint = mint_of(state.get_account(key))
    if mint is None:
        raise invalid_param("not a Token mint")
    return with_context(state, ui_token_amount(mint.supply, mint.decimals))


def get_token_accounts_by_owner(state: ChainState, params: list[Any]) -> dict[str, Any]:
    owner_text, selector, cfg = p.arity(params, 2, 1)
    owner = p.pubkey(owner_text)
    if not isinstance(selector, dict) or len(selector) != 1:
        raise invalid_params("expected a filter object {mint} or {programId}")
    config = p.config(cfg, state.slot)
    encoding = check_encoding(str(config.get("encoding") or "binary"))
    data_slice = parse_data_slice(config)
    mint = None
    if "mint" in selector:
        mint = p.pubkey(selector["mint"])
        mint_account = state.get_account(mint)
        if mint_account is None or mint_account.owner not in TOKEN_PROGRAMS:
            raise invalid_param("could not find mint")
        programs = [mint_account.owner]
    elif "programId" in selector:
        program = p.pubkey(selector["programId"])
        if program not in TOKEN_PROGRAMS:
            raise invalid_param("unrecognized Token program id")
        programs = [program]
    else:
        raise invalid_params("expected a filter object {mint} or {programId}")
    found = []
    for program in programs:
        for address, account in sorted(
            state.program_accounts(program), key=lambda item: str(item[0])
        ):
            ta = token_account_of(account)
            if ta is None or ta.owner != owner or (mint is not None and ta.mint != mint):
                continue
            found.append(
                {
                    "account": encode_account(account, encoding, data_slice, state.get_account),
                    "pubkey": str(address),
                }
            )
    return with_context(state, found)


METHODS: dict[str, Handler] = {
    "getTokenAccountBalance": get_token_account_balance,
    "getTokenSupply": get_token_supply,
    "getTokenAccountsByOwner": get_token_accounts_by_owner,
}
