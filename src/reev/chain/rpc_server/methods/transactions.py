"""Transactions: requestAirdrop, sendTransaction, simulateTransaction,
getSignatureStatuses, getTransaction, getSignaturesForAddress."""

from __future__ import annotations

from typing import Any

from solders.message import Message, MessageV0
from solders.transaction import VersionedTransaction

from reev.chain.rpc_server import params as p
from reev.chain.rpc_server.chain_state import ChainState, Simulation, TransactionRejected
from reev.chain.rpc_server.encoding import check_encoding, encode_account
from reev.chain.rpc_server.errors import (
    SEND_TRANSACTION_PREFLIGHT_FAILURE,
    TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
    UNSUPPORTED_TRANSACTION_VERSION,
    RpcError,
    invalid_param,
    invalid_params,
)
from reev.chain.rpc_server.methods.common import Handler, with_context
from reev.chain.rpc_server.records import TxRecord
from reev.chain.rpc_server.txcodec import (
    decode_transaction,
    encode_meta,
    encode_transaction,
    error_display,
)

MAX_SIGNATURE_STATUSES = 256
MAX_SIGNATURES_FOR_ADDRESS = 1000


def _preflight_error(err: Any, logs: list[str], units: int, sim: Simulation | None) -> RpcError:
    return RpcError(
        SEND_TRANSACTION_PREFLIGHT_FAILURE,
        f"Transaction simulation failed: {error_display(err)}",
        {
            "accounts": None,
            "err": err,
            "innerInstructions": None,
            "loadedAccountsDataSize": None,
            "logs": logs,
            "replacementBlockhash": None,
            "returnData": sim.return_data if sim else None,
            "unitsConsumed": units,
        },
    )


def request_airdrop(state: ChainState, params: list[Any]) -> str:
    address, lamports, cfg = p.arity(params, 2, 1)
    key = p.pubkey(address)
    amount = p.u64(lamports, "lamports")
    p.config(cfg)
    try:
        record = state.airdrop(key, amount)
    except TransactionRejected as exc:
        raise _preflight_error(exc.err, exc.logs, exc.units, None) from None
    return record.signature


def send_transaction(state: ChainState, params: list[Any]) -> str:
    encoded, cfg = p.arity(params, 1, 1)
    config = p.config(cfg, state.slot)
    encoding = p.encoding(config, "base58", ("base58", "base64"))
    tx = decode_transaction(encoded, encoding)
    if not all(tx.verify_with_results()):
        raise RpcError(
            TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"
        )
    try:
        state.check_sendable(tx)
        if not config.get("skipPreflight"):
            sim = state.simulate(tx)
            if sim.err is not None:
                raise _preflight_error(sim.err, sim.logs, sim.units, sim)
        record = state.process(tx)
    except TransactionRejected as exc:
        raise _preflight_error(exc.err, exc.logs, exc.units, None) from None
    return record.signature


def _with_blockhash(tx: VersionedTransaction, blockhash: Any) -> VersionedTransaction:
    """The same transaction with another recent blockhash (signatures kept, now invalid)."""
    m = tx.message
    message: Message | MessageV0
    if isinstance(m, MessageV0):
        message = MessageV0(
            m.header,
            list(m.account_keys),
            blockhash,
            list(m.instructions),
            list(m.address_table_lookups),
        )
    else:
        message = Message.new_with_compiled_instructions(
            m.header.num_required_signatures,
            m.header.num_readonly_signed_accounts,
            m.header.num_readonly_unsigned_accounts,
            list(m.account_keys),
            blockhash,
            list(m.instructions),
        )
    return VersionedTransaction.populate(message, list(tx.signatures))


def simulate_transaction(state: ChainState, params: list[Any]) -> dict[str, Any]:
    encoded, cfg = p.arity(params, 1, 1)
    config = p.config(cfg, state.slot)
    encoding = p.encoding(config, "base58", ("base58", "base64"))
    tx = decode_transaction(encoded, encoding)
    sig_verify = bool(config.get("sigVerify", False))
    replace = bool(config.get("replaceRecentBlockhash", False))
    if sig_verify and replace:
        raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
    replacement = None
    if replace:
        blockhash, last_valid = state.latest_blockhash()
        tx = _with_blockhash(tx, state.svm.latest_blockhash())
        replacement = {"blockhash": blockhash, "lastValidBlockHeight": last_valid}
    if sig_verify and not all(tx.verify_with_results()):
        raise RpcError(
            TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"
        )
    if state.is_blockhash_valid(str(tx.message.recent_blockhash)):
        sim = state.simulate(tx, sig_verify=sig_verify)
    else:
        sim = Simulation("BlockhashNotFound", [], 0, [], None, [])
    value: dict[str, Any] = {
        "accounts": _simulated_accounts(state, sim, config.get("accounts")),
        "err": sim.err,
        "innerInstructions": sim.inner_instructions if config.get("innerInstructions") else None,
        "loadedAccountsDataSize": None,
        "logs": sim.logs,
        "replacementBlockhash": replacement,
        "returnData": sim.return_data,
        "unitsConsumed": sim.units,
    }
    return with_context(state, value)


def _simulated_accounts(state: ChainState, sim: Simulation, spec: Any) -> list[Any] | None:
    if spec is None:
        return None
    if not isinstance(spec, dict) or not isinstance(spec.get("addresses"), list):
        raise invalid_params("accounts must be {addresses: [...], encoding}")
    encoding = check_encoding(str(spec.get("encoding") or "base64"))
    if encoding in ("binary", "base58"):
        raise invalid_param("base58 encoding not supported")
    post = dict(sim.post_accounts)
    out: list[Any] = []
    for address in spec["addresses"]:
        key = p.pubkey(address)
        account = post.get(key) if sim.err is None and key in post else state.get_account(key)
        if account is not None and account.lamports == 0 and not account.data:
            account = None
        out.append(
            None if account is None else encode_account(account, encoding, None, state.get_account)
        )
    return out


def _status(record: TxRecord, current_slot: int) -> dict[str, Any]:
    return {
        "confirmationStatus": "finalized",
        "confirmations": None,
        "err": record.err,
        "slot": record.slot,
        "status": {"Ok": None} if record.err is None else {"Err": record.err},
    }


def get_signature_statuses(state: ChainState, params: list[Any]) -> dict[str, Any]:
    signatures, cfg = p.arity(params, 1, 1)
    if not isinstance(signatures, list):
        raise invalid_params("invalid type: expected an array of signatures")
    if len(signatures) > MAX_SIGNATURE_STATUSES:
        raise invalid_param(f"Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")
    p.config(cfg)
    values = []
    for text in signatures:
        p.signature(text)
        record = state.records.get(text)
        values.append(_status(record, state.slot) if record else None)
    return with_context(state, values)


def get_transaction(state: ChainState, params: list[Any]) -> dict[str, Any] | None:
    signature, cfg = p.arity(params, 1, 1)
    p.signature(signature)
    if isinstance(cfg, str):  # the deprecated form: encoding as the second parameter
        cfg = {"encoding": cfg}
    config = p.config(cfg)
    encoding = p.encoding(config, "json", ("json", "jsonParsed", "base58", "base64"))
    if config.get("commitment") == "processed":
        raise invalid_param("processed commitment is not supported")
    record = state.records.get(signature)
    if record is None:
        return None
    max_version = config.get("maxSupportedTransactionVersion")
    is_v0 = isinstance(record.tx.message, MessageV0)
    if is_v0 and (max_version is None or max_version < 0):
        raise RpcError(
            UNSUPPORTED_TRANSACTION_VERSION,
            "Transaction version (0) is not supported by the requesting client. Please try the "
            'request again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
        )
    out: dict[str, Any] = {
        "blockTime": record.block_time,
        "meta": encode_meta(record, encoding),
        "slot": record.slot,
        "transaction": encode_transaction(record, encoding),
    }
    if max_version is not None:
        out["version"] = 0 if is_v0 else "legacy"
    return out


def get_signatures_for_address(state: ChainState, params: list[Any]) -> list[dict[str, Any]]:
    address, cfg = p.arity(params, 1, 1)
    key = p.pubkey(address)
    config = p.config(cfg, state.slot)
    limit = config.get("limit") or MAX_SIGNATURES_FOR_ADDRESS
    if not isinstance(limit, int) or not 1 <= limit <= MAX_SIGNATURES_FOR_ADDRESS:
        raise invalid_param(f"Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}")
    before, until = config.get("before"), config.get("until")
    for text in (before, until):
        if text is not None:
            p.signature(text)
    newest_first = list(reversed(state.by_address.get(str(key), [])))
    if before is not None:
        newest_first = (
            newest_first[newest_first.index(before) + 1 :] if before in newest_first else []
        )
    out: list[dict[str, Any]] = []
    for sig in newest_first:
        if sig == until or len(out) >= limit:
            break
        record = state.records[sig]
        out.append(
            {
                "blockTime": record.block_time,
                "confirmationStatus": "finalized",
                "err": record.err,
                "memo": record.memo,
                "signature": sig,
                "slot": record.slot,
            }
        )
    return out


METHODS: dict[str, Handler] = {
    "requestAirdrop": request_airdrop,
    "sendTransaction": send_transaction,
    "simulateTransaction": simulate_transaction,
    "getSignatureStatuses": get_signature_statuses,
    "getTransaction": get_transaction,
    "getSignaturesForAddress": get_signatures_for_address,
}
