"""The RPC backend: a ChainBackend over any Solana JSON-RPC endpoint with surfpool cheat codes.

Works with surfpool and `reev validator` (both implement `surfnet_setAccount`). The initial
state is written with `surfnet_setAccount` — exact bytes, lamports and owner, so the chain
holds what the embedded backend would hold (`surfnet_setTokenAccount` only derives ATAs and
chooses its own lamports, so it is offered as `set_token_account` for callers that want
surfpool's behaviour, but the env does not rely on it). A transaction is simulated first
(like reev and like the embedded backend: a failing transaction is not sent and costs
nothing), then sent and confirmed; logs, fee and compute units come from `getTransaction`.

One endpoint is shared by every episode that uses it; each episode uses fresh seed-derived
keys, so the state it reads is its own. Use `concurrency 1` against a single validator when
benchmarks share a recipient address across runs.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from solders.account import Account
from solders.hash import Hash
from solders.pubkey import Pubkey
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_status import (
    InstructionErrorCustom,
    InstructionErrorFieldless,
    TransactionErrorFieldless,
    TransactionErrorInstructionError,
    TransactionErrorInsufficientFundsForRent,
)

from reev.chain.backend import ExecutionOutcome
from reev.chain.jsonrpc import JsonRpcClient, RpcCallError, UpstreamError, decode_account

COMMITMENT = {"commitment": "confirmed"}


class RpcBackend:
    """ChainBackend over JSON-RPC; every upstream failure raises UpstreamError."""

    def __init__(
        self,
        url: str,
        *,
        confirm_timeout: float = 30.0,
        poll_interval: float = 0.05,
        client: JsonRpcClient | None = None,
    ) -> None:
        self.client = client or JsonRpcClient(url)
        self.confirm_timeout = confirm_timeout
        self.poll_interval = poll_interval
        self._last_blockhash: Hash | None = None

    # --- reads -------------------------------------------------------------------

    def health(self) -> str:
        """`getHealth` (\"ok\" from a healthy node)."""
        return str(self.client.call("getHealth"))

    def get_account(self, pubkey: Pubkey) -> Account | None:
        return self.client.get_account(pubkey)

    def latest_blockhash(self) -> Hash:
        """A blockhash not yet used by this backend.

        Identical transactions under one blockhash have one signature and the second would
        be refused as already processed; the embedded backend expires its blockhash after
        each transaction, and this waits (bounded) for the node to produce a new one.
        """
        deadline = time.monotonic() + self.confirm_timeout
        while True:
            result = self.client.call("getLatestBlockhash", [COMMITMENT])
            try:
                blockhash = Hash.from_string(result["value"]["blockhash"])
            except (KeyError, TypeError, ValueError) as exc:
                raise UpstreamError(f"RPC {self.client.origin} getLatestBlockhash: {exc}") from exc
            if blockhash != self._last_blockhash or time.monotonic() > deadline:
                return blockhash
            time.sleep(self.poll_interval)

    def minimum_balance_for_rent_exemption(self, data_len: int) -> int:
        return int(self.client.call("getMinimumBalanceForRentExemption", [data_len]))

    def program_accounts(self, program: Pubkey) -> list[tuple[Pubkey, Account]]:
        result = self.client.call(
            "getProgramAccounts", [str(program), {"encoding": "base64", **COMMITMENT}]
        )
        items = result["value"] if isinstance(result, dict) else result
        found: list[tuple[Pubkey, Account]] = []
        for item in items:
            account = decode_account(item["account"], self.client.origin)
            if account is not None:
                found.append((Pubkey.from_string(item["pubkey"]), account))
        return found

    # --- writes (cheat codes) --------------------------------------------------------

    def set_account(self, pubkey: Pubkey, account: Account) -> None:
        """`surfnet_setAccount` with the exact bytes (hex, as surfpool expects)."""
        self.client.call(
            "surfnet_setAccount",
            [
                str(pubkey),
                {
                    "lamports": account.lamports,
                    "owner": str(account.owner),
                    "executable": account.executable,
                    "rent_epoch": account.rent_epoch,
                    "data": bytes(account.data).hex(),
                },
            ],
        )

    def set_token_account(
        self, owner: Pubkey, mint: Pubkey, amount: int, token_program: Pubkey
    ) -> None:
        """`surfnet_setTokenAccount`: create or update owner's ATA for mint (surfpool's way)."""
        self.client.call(
            "surfnet_setTokenAccount",
            [str(owner), str(mint), {"amount": amount}, str(token_program)],
        )

    # --- transactions ----------------------------------------------------------------

    def execute(self, tx: Transaction | VersionedTransaction) -> ExecutionOutcome:
        """Simulate; when the simulation succeeds, send and wait for confirmation."""
        wire = base64.b64encode(bytes(tx)).decode()
        try:
            sim = self.client.call(
                "simulateTransaction",
                [wire, {"encoding": "base64", "sigVerify": True, **COMMITMENT}],
            )["value"]
        except RpcCallError as exc:
            return ExecutionOutcome(ok=False, err=str(exc))
        if sim.get("err") is not None:
            return ExecutionOutcome(
                ok=False,
                err=parse_transaction_error(sim["err"]),
                logs=list(sim.get("logs") or []),
                compute_units=int(sim.get("unitsConsumed") or 0),
            )
        self._last_blockhash = _blockhash_of(tx)
        try:
            signature = self.client.call(
                "sendTransaction",
                [
                    wire,
                    {
                        "encoding": "base64",
                        "skipPreflight": True,
                        "preflightCommitment": "confirmed",
                    },
                ],
            )
        except RpcCallError as exc:
            return ExecutionOutcome(ok=False, err=str(exc), logs=list(sim.get("logs") or []))
        status = self._confirm(str(signature))
        meta = self._transaction_meta(str(signature))
        logs = list((meta or {}).get("logMessages") or sim.get("logs") or [])
        units = int((meta or {}).get("computeUnitsConsumed") or sim.get("unitsConsumed") or 0)
        fee = int((meta or {}).get("fee") or 0)
        err = parse_transaction_error(status.get("err"))
        return ExecutionOutcome(
            ok=err is None, err=err, logs=logs, compute_units=units, fee=fee, sent=True
        )

    def _confirm(self, signature: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.confirm_timeout
        while True:
            result = self.client.call(
                "getSignatureStatuses", [[signature], {"searchTransactionHistory": True}]
            )
            status = (result.get("value") or [None])[0]
            if status is not None and status.get("confirmationStatus") in (
                "confirmed",
                "finalized",
            ):
                return dict(status)
            if time.monotonic() > deadline:
                raise UpstreamError(
                    f"RPC {self.client.origin}: transaction {signature} not confirmed after "
                    f"{self.confirm_timeout:g}s"
                )
            time.sleep(self.poll_interval)

    def _transaction_meta(self, signature: str) -> dict[str, Any] | None:
        try:
            tx = self.client.call(
                "getTransaction",
                [
                    signature,
                    {"encoding": "json", "maxSupportedTransactionVersion": 0, **COMMITMENT},
                ],
            )
        except RpcCallError:
            return None  # some nodes keep no history; the simulation logs stand in
        if not isinstance(tx, dict):
            return None
        meta = tx.get("meta")
        return dict(meta) if isinstance(meta, dict) else None


def parse_transaction_error(err: object) -> object:
    """An RPC's JSON TransactionError as the solders value LiteSVM reports (same messages).

    Forms the conversion does not know are kept as they are.
    """
    if isinstance(err, str):
        return getattr(TransactionErrorFieldless, err, err)
    if isinstance(err, dict) and len(err) == 1:
        ((kind, value),) = err.items()
        if kind == "InstructionError" and isinstance(value, list) and len(value) == 2:
            index, inner = value
            parsed: object = inner
            if isinstance(inner, dict) and "Custom" in inner:
                parsed = InstructionErrorCustom(int(inner["Custom"]))
            elif isinstance(inner, str) and hasattr(InstructionErrorFieldless, inner):
                parsed = getattr(InstructionErrorFieldless, inner)
            else:
                return err
            return TransactionErrorInstructionError(int(index), parsed)  # type: ignore[arg-type]
        if kind == "InsufficientFundsForRent" and isinstance(value, dict):
            return TransactionErrorInsufficientFundsForRent(int(value["account_index"]))
    return err


def _blockhash_of(tx: Transaction | VersionedTransaction) -> Hash:
    return tx.message.recent_blockhash


__all__ = ["RpcBackend", "parse_transaction_error"]
