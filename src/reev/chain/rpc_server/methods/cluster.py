"""Cluster and fee methods: health, version, slots, epochs, blockhashes, fees, rent."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from solders.message import Message, MessageV0, MessageV1, from_bytes_versioned

from reev import __version__
from reev.chain.rpc_server import params as p
from reev.chain.rpc_server.chain_state import LAMPORTS_PER_SIGNATURE, ChainState
from reev.chain.rpc_server.errors import invalid_param, invalid_params
from reev.chain.rpc_server.methods.common import API_VERSION, Handler, with_context
from reev.programs.ids import COMPUTE_BUDGET_PROGRAM


def get_health(state: ChainState, params: list[Any]) -> str:
    p.arity(params, 0)
    return "ok"


def get_version(state: ChainState, params: list[Any]) -> dict[str, Any]:
    p.arity(params, 0)
    return {"solana-core": API_VERSION, "feature-set": 0, "reev": __version__}


def get_slot(state: ChainState, params: list[Any]) -> int:
    (cfg,) = p.arity(params, 0, 1)
    p.config(cfg, state.slot)
    return state.slot


def get_block_height(state: ChainState, params: list[Any]) -> int:
    (cfg,) = p.arity(params, 0, 1)
    p.config(cfg, state.slot)
    return state.slot


def get_epoch_info(state: ChainState, params: list[Any]) -> dict[str, int]:
    (cfg,) = p.arity(params, 0, 1)
    p.config(cfg, state.slot)
    return state.epoch_info()


def get_latest_blockhash(state: ChainState, params: list[Any]) -> dict[str, Any]:
    (cfg,) = p.arity(params, 0, 1)
    p.config(cfg, state.slot)
    blockhash, last_valid = state.latest_blockhash()
    return with_context(state, {"blockhash": blockhash, "lastValidBlockHeight": last_valid})


def is_blockhash_valid(state: ChainState, params: list[Any]) -> dict[str, Any]:
    blockhash, cfg = p.arity(params, 1, 1)
    p.config(cfg, state.slot)
    if not isinstance(blockhash, str):
        raise invalid_params("invalid type: expected a base58 blockhash string")
    return with_context(state, state.is_blockhash_valid(blockhash))


def get_fee_for_message(state: ChainState, params: list[Any]) -> dict[str, Any]:
    """Base fee per signature plus the priority fee its compute-budget instructions ask;
    null when the message's blockhash is no longer valid (as on Solana)."""
    encoded, cfg = p.arity(params, 1, 1)
    p.config(cfg, state.slot)
    if not isinstance(encoded, str):
        raise invalid_params("invalid type: expected a base64 message string")
    try:
        message = from_bytes_versioned(base64.b64decode(encoded, validate=True))
    except (ValueError, binascii.Error) as exc:
        raise invalid_param(f"invalid message: {exc}") from None
    if isinstance(message, MessageV1):
        raise invalid_param("unsupported message version")
    if not state.is_blockhash_valid(str(message.recent_blockhash)):
        return with_context(state, None)
    return with_context(state, message_fee(message))


def message_fee(message: Message | MessageV0) -> int:
    """Signatures × 5000 + ceil(compute unit price × limit / 1e6)."""
    fee = message.header.num_required_signatures * LAMPORTS_PER_SIGNATURE
    keys = list(message.account_keys)
    price = 0
    limit: int | None = None
    count = 0
    for ix in message.instructions:
        data = bytes(ix.data)
        if keys[ix.program_id_index] != COMPUTE_BUDGET_PROGRAM:
            count += 1
            continue
        if data[:1] == b"\x02" and len(data) >= 5:
            limit = int.from_bytes(data[1:5], "little")
        elif data[:1] == b"\x03" and len(data) >= 9:
            price = int.from_bytes(data[1:9], "little")
    if limit is None:
        limit = min(200_000 * count, 1_400_000)
    return fee + (price * limit + 999_999) // 1_000_000


def get_minimum_balance_for_rent_exemption(state: ChainState, params: list[Any]) -> int:
    size, cfg = p.arity(params, 1, 1)
    p.config(cfg)
    return state.svm.minimum_balance_for_rent_exemption(p.u64(size, "data length"))


METHODS: dict[str, Handler] = {
    "getHealth": get_health,
    "getVersion": get_version,
    "getSlot": get_slot,
    "getBlockHeight": get_block_height,
    "getEpochInfo": get_epoch_info,
    "getLatestBlockhash": get_latest_blockhash,
    "isBlockhashValid": is_blockhash_valid,
    "getFeeForMessage": get_fee_for_message,
    "getMinimumBalanceForRentExemption": get_minimum_balance_for_rent_exemption,
}
