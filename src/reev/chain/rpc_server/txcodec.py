"""Transactions in and out: wire decoding, and the `json` / `jsonParsed` / binary
encodings getTransaction returns."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

import base58
from solders.message import Message, MessageV0, MessageV1
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from reev.chain.rpc_server.errors import invalid_param, invalid_params
from reev.chain.rpc_server.records import TxRecord
from reev.programs.ids import SYSTEM_PROGRAM

MAX_BASE58_TX = 1683
MAX_BASE64_TX = 1644


def decode_transaction(encoded: Any, encoding: str) -> VersionedTransaction:
    """A wire transaction (base58 or base64), deserialized and sanitized."""
    if not isinstance(encoded, str):
        raise invalid_params("invalid type: expected an encoded transaction string")
    try:
        if encoding == "base58":
            if len(encoded) > MAX_BASE58_TX:
                raise invalid_param(f"base58 encoded transaction too large: {len(encoded)} bytes")
            raw = base58.b58decode(encoded)
        else:
            if len(encoded) > MAX_BASE64_TX:
                raise invalid_param(f"base64 encoded transaction too large: {len(encoded)} bytes")
            raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise invalid_param(f"invalid {encoding} encoding: {exc}") from None
    try:
        tx = VersionedTransaction.from_bytes(raw)
    except ValueError as exc:
        raise invalid_param(
            f"failed to deserialize solana_transaction::versioned::VersionedTransaction: {exc}"
        ) from None
    try:
        tx.sanitize()
    except Exception:  # solders raises its own SanitizeError type
        raise invalid_param(
            "invalid transaction: Transaction failed to sanitize accounts offsets correctly"
        ) from None
    if isinstance(tx.message, MessageV1):
        raise invalid_param("unsupported transaction version")
    return tx


def error_display(err: Any) -> str:
    """Rust's Display text of a TransactionError, for "Transaction simulation failed: …"."""
    simple = {
        "BlockhashNotFound": "Blockhash not found",
        "AlreadyProcessed": "This transaction has already been processed",
        "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
        "InsufficientFundsForFee": "Insufficient funds for fee",
        "SignatureFailure": "Transaction did not pass signature verification",
    }
    if isinstance(err, str):
        return simple.get(err, _words(err))
    if isinstance(err, dict) and "InstructionError" in err:
        index, inner = err["InstructionError"]
        if isinstance(inner, dict) and "Custom" in inner:
            text = f"custom program error: 0x{inner['Custom']:x}"
        else:
            text = _words(str(inner)).lower()
        return f"Error processing Instruction {index}: {text}"
    if isinstance(err, dict) and "InsufficientFundsForRent" in err:
        index = err["InsufficientFundsForRent"].get("account_index")
        return f"Transaction results in an account ({index}) with insufficient funds for rent"
    return json.dumps(err)


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize()


def is_signer(message: Message | MessageV0, index: int) -> bool:
    """Whether account `index` signs."""
    return index < message.header.num_required_signatures


def is_writable(message: Message | MessageV0, index: int, n_loaded_writable: int) -> bool:
    """Whether account `index` (static keys, then loaded writable, then loaded readonly)
    is writable according to the header."""
    header = message.header
    n_static = len(message.account_keys)
    if index >= n_static:
        return index - n_static < n_loaded_writable
    if index < header.num_required_signatures:
        return index < header.num_required_signatures - header.num_readonly_signed_accounts
    return index < n_static - header.num_readonly_unsigned_accounts


def _raw_instruction(ix: Any) -> dict[str, Any]:
    return {
        "accounts": list(bytes(ix.accounts)),
        "data": base58.b58encode(bytes(ix.data)).decode(),
        "programIdIndex": ix.program_id_index,
        "stackHeight": None,
    }


def _lookups(message: Message | MessageV0) -> list[dict[str, Any]] | None:
    if not isinstance(message, MessageV0):
        return None
    return [
        {
            "accountKey": str(lookup.account_key),
            "readonlyIndexes": list(bytes(lookup.readonly_indexes)),
            "writableIndexes": list(bytes(lookup.writable_indexes)),
        }
        for lookup in message.address_table_lookups
    ]


def _parsed_instruction(
    keys: list[Pubkey], program_index: int, accounts: list[int], data: bytes
) -> dict[str, Any]:
    """jsonParsed form: System transfers are parsed; others are "partially decoded"."""
    program = keys[program_index]
    if program == SYSTEM_PROGRAM and len(data) == 12 and data[:4] == b"\x02\x00\x00\x00":
        return {
            "parsed": {
                "info": {
                    "destination": str(keys[accounts[1]]),
                    "lamports": int.from_bytes(data[4:12], "little"),
                    "source": str(keys[accounts[0]]),
                },
                "type": "transfer",
            },
            "program": "system",
            "programId": str(program),
            "stackHeight": None,
        }
    return {
        "accounts": [str(keys[i]) for i in accounts],
        "data": base58.b58encode(data).decode(),
        "programId": str(program),
        "stackHeight": None,
    }


def encode_transaction(record: TxRecord, encoding: str) -> Any:
    """The `transaction` member of getTransaction in `encoding`."""
    tx = record.tx
    if encoding in ("base64", "base58"):
        raw = bytes(tx)
        text = (
            base64.b64encode(raw).decode()
            if encoding == "base64"
            else base58.b58encode(raw).decode()
        )
        return [text, encoding]
    message = tx.message
    if isinstance(message, MessageV1):  # pragma: no cover - refused by decode_transaction
        raise TypeError("unsupported transaction version")
    message_json: dict[str, Any]
    if encoding == "jsonParsed":
        keys = record.account_keys
        n_static = len(message.account_keys)
        message_json = {
            "accountKeys": [
                {
                    "pubkey": str(key),
                    "signer": is_signer(message, i),
                    "source": "transaction" if i < n_static else "lookupTable",
                    "writable": is_writable(message, i, len(record.loaded_writable)),
                }
                for i, key in enumerate(keys)
            ],
            "instructions": [
                _parsed_instruction(
                    keys, ix.program_id_index, list(bytes(ix.accounts)), bytes(ix.data)
                )
                for ix in message.instructions
            ],
            "recentBlockhash": str(message.recent_blockhash),
        }
    else:
        header = message.header
        message_json = {
            "accountKeys": [str(k) for k in message.account_keys],
            "header": {
                "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
                "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
                "numRequiredSignatures": header.num_required_signatures,
            },
            "instructions": [_raw_instruction(ix) for ix in message.instructions],
            "recentBlockhash": str(message.recent_blockhash),
        }
    lookups = _lookups(message)
    if lookups is not None:
        message_json["addressTableLookups"] = lookups
    return {"message": message_json, "signatures": [str(s) for s in tx.signatures]}


def encode_meta(record: TxRecord, encoding: str) -> dict[str, Any]:
    """UiTransactionStatusMeta."""
    inner = record.inner_instructions
    if encoding == "jsonParsed":
        inner = [
            {
                "index": group["index"],
                "instructions": [
                    {
                        **_parsed_instruction(
                            record.account_keys,
                            ix["programIdIndex"],
                            ix["accounts"],
                            base58.b58decode(ix["data"]),
                        ),
                        "stackHeight": ix["stackHeight"],
                    }
                    for ix in group["instructions"]
                ],
            }
            for group in inner
        ]
    meta: dict[str, Any] = {
        "computeUnitsConsumed": record.compute_units,
        "err": record.err,
        "fee": record.fee,
        "innerInstructions": inner,
        "loadedAddresses": {
            "readonly": [str(k) for k in record.loaded_readonly],
            "writable": [str(k) for k in record.loaded_writable],
        },
        "logMessages": record.logs,
        "postBalances": record.post_balances,
        "postTokenBalances": record.post_token_balances,
        "preBalances": record.pre_balances,
        "preTokenBalances": record.pre_token_balances,
        "rewards": [],
        "status": {"Ok": None} if record.err is None else {"Err": record.err},
    }
    if record.return_data is not None:
        meta["returnData"] = record.return_data
    return meta
