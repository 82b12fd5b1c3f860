"""SolanaEnv: build a benchmark's initial state on a backend, execute, observe.

Gymnasium-like: `reset` → Observation, `execute` (one transaction) → TransactionRecord,
`observe` → Observation. The harness signs with the benchmark's keys; agents never see them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from solders.account import Account
from solders.address_lookup_table_account import (
    AddressLookupTable,
    AddressLookupTableAccount,
)
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.token.state import TokenAccountState
from solders.transaction import Transaction, VersionedTransaction

from reev.benchmark.keys import substitute_placeholders
from reev.benchmark.mints import known_mint
from reev.benchmark.model import Benchmark, InitialStateItem
from reev.benchmark.resolve import KeyRing, resolve_keys
from reev.chain.backend import ChainBackend, ClockControl, LiteSVMBackend
from reev.chain.errors import describe_error
from reev.chain.layouts import (
    MINT_LEN,
    TOKEN_ACCOUNT_LEN,
    pack_mint,
    pack_token_account,
    unpack_mint,
    unpack_token_account,
)
from reev.chain.program_state import (
    ProgramStateError,
    account_extension_area,
    mint_extension_area,
    program_state_account,
)
from reev.programs.ids import (
    NATIVE_MINT,
    SYSTEM_PROGRAM,
    TOKEN_2022_PROGRAM,
    TOKEN_PROGRAM,
    TOKEN_PROGRAMS,
)
from reev.programs.state import (
    MULTISIG_LEN,
    clock_independent_extensions,
    decode_nonce_account,
    decode_program_account,
    with_account_extensions,
    with_mint_extensions,
)
from reev.results.chain import AccountState, MintState, Observation, TokenState
from reev.results.construct import trusted
from reev.results.instruction import InstructionError, RawInstruction
from reev.results.transaction import TransactionRecord

_ACCOUNT_STATE = trusted(AccountState)
_TOKEN_STATE = trusted(TokenState)
_MINT_STATE = trusted(MintState)

FEE_PAYER = "USER_WALLET_PUBKEY"
SLOTS_PER_EPOCH = 432_000
MAX_TRANSACTION_SIZE = 1232


class ChainSetupError(Exception):
    """The initial state cannot be built (e.g. an undeclared unknown mint)."""


class SolanaEnv:
    """One episode's chain: fresh backend per reset, keys from (benchmark, seed)."""

    def __init__(self, backend_factory: Callable[[], ChainBackend] | None = None) -> None:
        # None: a fresh LiteSVM; a `LiteSVMPool.lease()` factory lends reusable ones.
        self._backend_factory = backend_factory or LiteSVMBackend
        self.backend: ChainBackend | None = None
        self.keys = KeyRing()
        self._watch: list[str] = []
        self._mint_items: dict[str, InitialStateItem] = {}
        # Every account a transaction could write, with its state before the first such
        # transaction: what the side-effect rule compares beyond the declared accounts.
        self.touched_before: dict[str, AccountState] = {}
        self._touched_raw: dict[Pubkey, Account | None] = {}
        # Decoded account states since the chain last changed (see `_changed`); None on a
        # backend whose chain may change by itself (an RPC node's clock and other users).
        self._states: dict[str, AccountState] | None = None
        self._epoch: int | None = None
        self._epoch_known = False

    @property
    def key_map(self) -> dict[str, str]:
        """Placeholder → base58 pubkey (public)."""
        return self.keys.key_map

    def reset(
        self,
        benchmark: Benchmark,
        seed: int = 0,
        random_keys: bool = False,
        keys: KeyRing | None = None,
    ) -> Observation:
        """A fresh chain holding the benchmark's initial state.

        `keys` reuses another episode's KeyRing (the reference replay of the side-effect
        rule must see the very same addresses, random keys included).
        """
        self.backend = self._backend_factory()
        self.keys = keys if keys is not None else resolve_keys(benchmark, seed, random_keys)
        self.touched_before = {}
        self._touched_raw = {}
        # Only this process writes an embedded VM (through this class), so what was
        # decoded stays exact until the next write; anything else is read every time.
        self._states = {} if isinstance(self.backend, LiteSVMBackend) else None
        self._changed()
        if benchmark.epoch is not None:
            self.set_epoch(benchmark.epoch)
        try:
            self._write_initial_state(benchmark)
        except ProgramStateError as exc:
            raise ChainSetupError(str(exc)) from exc
        finally:
            self._changed()
        self._watch = list(dict.fromkeys(self.keys.key_map.values()))
        return self.observe()

    def set_epoch(self, epoch: int, advance_slots: int = 0) -> None:
        """Set the chain's epoch (a benchmark's `epoch:` / a flow step's `warp_epochs`)."""
        backend = self._require_backend()
        if not isinstance(backend, ClockControl):
            raise ChainSetupError(
                f"{type(backend).__name__} cannot set the clock; this benchmark declares an "
                "epoch (run it on the embedded VM)"
            )
        backend.set_epoch(epoch, advance_slots)
        self._changed()

    def _changed(self, accounts: Iterable[Pubkey] | None = None) -> None:
        """The chain was written: forget decoded states and the epoch, or (a transaction,
        which can neither move the clock nor write an account it does not name) only the
        states of `accounts`."""
        if accounts is not None:
            if self._states:
                for key in accounts:
                    self._states.pop(str(key), None)
            return
        if self._states:
            self._states.clear()
        self._epoch_known = False

    def warp_epochs(self, epochs: int) -> None:
        """Advance the chain's clock by `epochs` epochs (and their slots: lookup-table
        entries added before the warp become usable)."""
        if epochs:
            self.set_epoch((self.current_epoch() or 0) + epochs, epochs * SLOTS_PER_EPOCH)

    def current_epoch(self) -> int | None:
        """The chain's epoch, when the backend reports it."""
        backend = self._require_backend()
        if not _has_clock(type(backend)):
            return None
        if self._states is not None and self._epoch_known:
            return self._epoch
        epoch = cast(ClockControl, backend).current_epoch()  # checked just above, per class
        if self._states is not None:
            self._epoch, self._epoch_known = epoch, True
        return epoch

    def watch(self, pubkeys: Iterable[str]) -> None:
        """Add accounts to every later observation (e.g. addresses assertions derive)."""
        for pk in pubkeys:
            if pk not in self._watch:
                self._watch.append(pk)

    # --- initial state -------------------------------------------------------------

    def _write_initial_state(self, benchmark: Benchmark) -> None:
        backend = self._require_backend()
        supplies: dict[tuple[str, str], int] = {}
        for item in benchmark.initial_state:
            if item.data is not None:
                mint = str(self.keys.pubkey(item.data.mint))
                key = (mint, item.owner)
                supplies[key] = supplies.get(key, 0) + item.data.amount
        declared_mints = {
            str(self.keys.pubkey(i.pubkey)) for i in benchmark.initial_state if i.is_mint
        }
        for (mint, token_program), supply in supplies.items():
            if mint in declared_mints or self._backend_has(mint):
                continue
            known = known_mint(mint)
            if known is None:
                raise ChainSetupError(f"unknown mint {mint} is referenced but not declared")
            data = pack_mint(known.decimals, supply)
            backend.set_account(Pubkey.from_string(mint), self._account(data, token_program))
        self._mint_items = {
            str(self.keys.pubkey(i.pubkey)): i for i in benchmark.initial_state if i.is_mint
        }
        for item in benchmark.initial_state:
            self._write_item(item, supplies)
        if not self._backend_has(str(NATIVE_MINT)):
            # The native mint exists on every Solana cluster: `wrap_sol` (create the wSOL
            # account, sync_native) fails with "incorrect program id" without it.
            data = pack_mint(9, 0)  # wSOL: 9 decimals, like SOL
            backend.set_account(NATIVE_MINT, self._account(data, str(TOKEN_PROGRAM)))

    def _write_item(self, item: InitialStateItem, supplies: dict[tuple[str, str], int]) -> None:
        backend = self._require_backend()
        address = self.keys.pubkey(item.pubkey)
        owner = Pubkey.from_string(item.owner)
        program_account = program_state_account(
            item,
            address,
            self.keys.pubkey,
            backend.minimum_balance_for_rent_exemption,
            self.current_epoch() or 0,
        )
        if program_account is not None:
            backend.set_account(address, program_account)
            return
        if item.data is not None:
            mint = self.keys.pubkey(item.data.mint)
            rent = backend.minimum_balance_for_rent_exemption(TOKEN_ACCOUNT_LEN)
            lamports = item.lamports if item.lamports else rent
            is_native = None
            if mint == NATIVE_MINT:
                is_native = rent
                lamports = rent + item.data.amount
            data = pack_token_account(
                mint,
                self.keys.pubkey(item.data.owner),
                item.data.amount,
                delegate=self.keys.pubkey(item.data.delegate) if item.data.delegate else None,
                delegated_amount=item.data.delegated_amount,
                is_native=is_native,
                frozen=item.data.state == "frozen",
                close_authority=self.keys.pubkey(item.data.close_authority)
                if item.data.close_authority
                else None,
            )
            mint_item = self._mint_items.get(str(mint))
            mint_ext = mint_item.mint.extensions if mint_item and mint_item.mint else None
            area = (
                account_extension_area(item.data, mint_ext) if owner == TOKEN_2022_PROGRAM else b""
            )
            if area:
                data = with_account_extensions(data, area)
                if not item.lamports:
                    lamports = backend.minimum_balance_for_rent_exemption(len(data))
            backend.set_account(address, Account(lamports, data, owner, False, 0))
            return
        if item.mint is not None:
            supply = item.mint.supply
            if supply is None:
                supply = supplies.get((str(address), item.owner), 0)
            data = pack_mint(
                item.mint.decimals,
                supply,
                self.keys.pubkey(item.mint.mint_authority) if item.mint.mint_authority else None,
                self.keys.pubkey(item.mint.freeze_authority)
                if item.mint.freeze_authority
                else None,
            )
            area = mint_extension_area(
                item.mint,
                address,
                self.keys.pubkey,
                lambda text: substitute_placeholders(text, self.keys.key_map),
            )
            if area:
                data = with_mint_extensions(data, area)
            lamports = item.lamports or backend.minimum_balance_for_rent_exemption(len(data))
            backend.set_account(address, Account(lamports, data, owner, False, 0))
            return
        raw = base64.b64decode(item.data_base64) if item.data_base64 else b""
        lamports = item.lamports or 0
        if raw and not lamports:
            lamports = backend.minimum_balance_for_rent_exemption(len(raw))
        if lamports == 0 and not raw:
            # An account with no lamports and no data does not exist on Solana; on a
            # long-lived chain (an RPC validator) a previous episode may have created it.
            if backend.get_account(address) is not None:
                backend.set_account(address, Account(0, b"", owner, False, 0))
            return
        backend.set_account(address, Account(lamports, raw, owner, item.executable, 0))

    def _account(self, data: bytes, owner: str) -> Account:
        rent = self._require_backend().minimum_balance_for_rent_exemption(len(data))
        return Account(rent, data, Pubkey.from_string(owner), False, 0)

    def _backend_has(self, pubkey: str) -> bool:
        return self._require_backend().get_account(Pubkey.from_string(pubkey)) is not None

    def _require_backend(self) -> ChainBackend:
        if self.backend is None:
            raise RuntimeError("SolanaEnv.reset() must be called first")
        return self.backend

    # --- execution -----------------------------------------------------------------

    def execute(
        self, instructions: Sequence[RawInstruction], lookup_tables: Sequence[str] = ()
    ) -> TransactionRecord:
        """Sign and run one transaction (fee payer USER_WALLET_PUBKEY); never raises for bad input.

        With `lookup_tables` (address lookup table addresses, e.g. from Jupiter's swap API)
        the transaction is a v0 message that loads accounts through those tables: Jupiter
        routes name more accounts than a legacy transaction's 1232 bytes can hold.
        """
        backend = self._require_backend()
        if not instructions:
            return TransactionRecord(status="rejected", error="no instructions to execute")
        try:
            ixs = [ix.to_instruction(self.key_map) for ix in instructions]
        except InstructionError as exc:
            return TransactionRecord(
                status="rejected",
                error=f"invalid instruction: {exc}",
                instructions=list(instructions),
            )
        resolved = [RawInstruction.from_instruction(ix) for ix in ixs]
        payer = self.keys.pubkey(FEE_PAYER)
        signers, missing = self._signers(payer, ixs)
        if missing:
            names = {pk: name for name, pk in self.key_map.items()}
            who = ", ".join(f"{names[m]} ({m})" if m in names else m for m in missing)
            return TransactionRecord(
                status="rejected",
                error=f"missing signature for {who}: the agent holds no key for it "
                "(a validator refuses a transaction without every required signature)",
                instructions=resolved,
            )
        tables, table_error = self._lookup_tables(lookup_tables)
        if table_error is not None:
            return TransactionRecord(status="rejected", error=table_error, instructions=resolved)
        blockhash = self._durable_nonce(ixs) or backend.latest_blockhash()
        tx: Transaction | VersionedTransaction
        try:
            if tables:
                v0 = MessageV0.try_compile(payer, ixs, tables, blockhash)
                tx = VersionedTransaction(v0, signers)
            else:
                message = Message.new_with_blockhash(ixs, payer, blockhash)
                tx = Transaction(signers, message, blockhash)
        except Exception as exc:  # solders raises its own error types for unsignable messages
            return TransactionRecord(
                status="rejected", error=f"cannot build transaction: {exc}", instructions=resolved
            )
        size = len(bytes(tx))
        if size > MAX_TRANSACTION_SIZE:
            return TransactionRecord(
                status="rejected",
                error=f"transaction too large: {size} bytes (limit {MAX_TRANSACTION_SIZE})",
                instructions=resolved,
            )
        self._record_touched(payer, ixs)
        try:
            outcome = backend.execute(tx)
        finally:  # a transaction writes only accounts it names (lookup tables included)
            named = [*tx.message.account_keys, *(a for t in tables for a in t.addresses)]
            self._changed(named)
        error = None
        if not outcome.ok:
            keys = [str(k) for k in tx.message.account_keys]
            error = describe_error(outcome.err, [ix.program_id for ix in resolved], keys)
        return TransactionRecord(
            status="success" if outcome.ok else "failure",
            error=error,
            signature=str(tx.signatures[0]),
            logs=outcome.logs,
            compute_units=outcome.compute_units,
            fee=outcome.fee,
            instructions=resolved,
        )

    def _durable_nonce(self, ixs: list[Instruction]) -> Hash | None:
        """The stored nonce when the transaction opens with System `AdvanceNonceAccount`:
        a durable-nonce transaction is signed over that nonce, not a recent blockhash."""
        first = ixs[0]
        if first.program_id != SYSTEM_PROGRAM or bytes(first.data)[:4] != b"\x04\x00\x00\x00":
            return None
        if not first.accounts:
            return None
        account = self._require_backend().get_account(first.accounts[0].pubkey)
        if account is None:
            return None
        nonce = decode_nonce_account(bytes(account.data))
        if nonce is None or nonce.get("state") != "initialized":
            return None
        return Hash.from_string(nonce["nonce"])

    def _record_touched(self, payer: Pubkey, ixs: list[Instruction]) -> None:
        """Remember the state of each writable account before its first transaction."""
        writable = [payer] + [m.pubkey for ix in ixs for m in ix.accounts if m.is_writable]
        for key in writable:
            text = str(key)
            if text not in self.touched_before:
                self.touched_before[text] = self.account_state(text)
                self._touched_raw[key] = self._require_backend().get_account(key)

    def undo_transactions(self) -> None:
        """Put every account a transaction wrote back as it was (deleting created ones).

        For chains that outlive an episode (an RPC validator): the side-effect rule's
        reference replay must leave nothing behind for the agent's run on the same chain.
        """
        backend = self._require_backend()
        for key, account in self._touched_raw.items():
            backend.set_account(key, account or Account(0, b"", Pubkey.default(), False, 0))
        self._touched_raw = {}
        self._changed()

    def _lookup_tables(
        self, addresses: Sequence[str]
    ) -> tuple[list[AddressLookupTableAccount], str | None]:
        """The named address lookup tables as read from the chain, or a rejection reason."""
        tables: list[AddressLookupTableAccount] = []
        for text in dict.fromkeys(addresses):
            try:
                key = Pubkey.from_string(text)
            except ValueError:
                return [], f"invalid address lookup table address {text!r}"
            account = self._require_backend().get_account(key)
            if account is None:
                return [], f"address lookup table {text} does not exist on this chain"
            try:
                table = AddressLookupTable.deserialize(bytes(account.data))
            except Exception as exc:  # solders raises its own error types for bad data
                return [], f"account {text} is not an address lookup table: {exc}"
            tables.append(AddressLookupTableAccount(key, list(table.addresses)))
        return tables, None

    def _signers(self, payer: Pubkey, ixs: list[Instruction]) -> tuple[list[Keypair], list[str]]:
        needed = [payer]
        for ix in ixs:
            for meta in ix.accounts:
                if meta.is_signer and meta.pubkey not in needed:
                    needed.append(meta.pubkey)
        signers: list[Keypair] = []
        missing: list[str] = []
        for pk in needed:
            kp = self.keys.agent_signer(str(pk))
            if kp is None:
                missing.append(str(pk))
            else:
                signers.append(kp)
        return signers, missing

    # --- observation ---------------------------------------------------------------

    def observe(self) -> Observation:
        """The state of every placeholder's account and every watched account."""
        return Observation(
            key_map=dict(self.key_map),
            accounts={pk: self.account_state(pk) for pk in self._watch},
        )

    def account_state(self, pubkey: str) -> AccountState:
        """One account's state, decoded for token accounts and mints.

        On the embedded VM a state is decoded once between two writes of the chain (an
        observation, the side-effect rule and the tools all ask for the same accounts);
        the objects are shared, so callers treat them as read-only."""
        states = self._states
        if states is not None:
            known = states.get(pubkey)
            if known is not None:
                return known
            state = self._decode_state(pubkey)
            states[pubkey] = state
            return state
        return self._decode_state(pubkey)

    def _decode_state(self, pubkey: str) -> AccountState:
        backend = self._require_backend()
        key = Pubkey.from_string(pubkey)
        account = backend.get_account(key)
        if account is None or (account.lamports == 0 and not account.data):
            return AccountState(pubkey=pubkey, exists=False)
        data = bytes(account.data)
        # Trusted constructors: every value below is already of its field's type, and
        # decoding states is the most frequent thing an episode does.
        token: TokenState | None = None
        mint: MintState | None = None
        extensions_sha256: str | None = None
        if account.owner in TOKEN_PROGRAMS:
            kind = _token_kind(data)
            base = TOKEN_ACCOUNT_LEN if kind == "account" else MINT_LEN
            if kind is not None and len(data) > base:
                # the bytes after the base layout, clock-written timestamps zeroed (why:
                # programs.state.clock_independent_extensions)
                extensions_sha256 = hashlib.sha256(clock_independent_extensions(data)).hexdigest()
            if kind == "account":
                ta = unpack_token_account(data)
                if ta is not None:
                    decimals = self._decimals(ta.mint)
                    token = _TOKEN_STATE(
                        mint=str(ta.mint),
                        owner=str(ta.owner),
                        amount=ta.amount,
                        decimals=decimals,
                        ui_amount=ta.amount / 10**decimals if decimals is not None else None,
                        delegate=str(ta.delegate) if ta.delegate else None,
                        delegated_amount=ta.delegated_amount,
                        close_authority=str(ta.close_authority) if ta.close_authority else None,
                        state="frozen" if ta.state == TokenAccountState.Frozen else "initialized",
                        is_native=ta.is_native,
                    )
            elif kind == "mint":
                m = unpack_mint(data)
                if m is not None:
                    mint = _MINT_STATE(
                        decimals=m.decimals,
                        supply=m.supply,
                        mint_authority=str(m.mint_authority) if m.mint_authority else None,
                        freeze_authority=str(m.freeze_authority) if m.freeze_authority else None,
                    )
        values: dict[str, Any] = {}
        if token is not None:
            values["token"] = token
        if mint is not None:
            values["mint"] = mint
        if extensions_sha256 is not None:
            values["extensions_sha256"] = extensions_sha256
        return _ACCOUNT_STATE(
            pubkey=pubkey,
            exists=True,
            lamports=account.lamports,
            owner=str(account.owner),
            executable=account.executable,
            data_len=len(data),
            data_sha256=hashlib.sha256(data).hexdigest() if data else None,
            details=decode_program_account(account.owner, data, self.current_epoch()),
            **values,
        )

    def token_accounts_by_owner(self, owner: str) -> list[AccountState]:
        """Every token account (SPL Token and Token-2022) whose token owner is `owner`."""
        backend = self._require_backend()
        found: list[AccountState] = []
        for program in sorted(TOKEN_PROGRAMS, key=str):
            for address, account in backend.program_accounts(program):
                if _token_kind(bytes(account.data)) != "account":
                    continue
                ta = unpack_token_account(bytes(account.data))
                if ta is not None and str(ta.owner) == owner:
                    found.append(self.account_state(str(address)))
        return found

    def _decimals(self, mint: Pubkey) -> int | None:
        account = self._require_backend().get_account(mint)
        if account is None:
            return None
        m = unpack_mint(bytes(account.data))
        return m.decimals if m is not None else None


def _token_kind(data: bytes) -> str | None:
    if len(data) == TOKEN_ACCOUNT_LEN:
        return "account"
    if len(data) == MINT_LEN:
        return "mint"
    if len(data) == MULTISIG_LEN:  # a multisig, never an extended account
        return None
    if len(data) > TOKEN_ACCOUNT_LEN:
        return {1: "mint", 2: "account"}.get(data[TOKEN_ACCOUNT_LEN])
    return None


__all__ = ["FEE_PAYER", "SYSTEM_PROGRAM", "ChainSetupError", "SolanaEnv"]


@functools.cache
def _has_clock(kind: type) -> bool:
    """Whether a backend class offers ClockControl. Cached per class: an isinstance check
    against a runtime Protocol inspects every member, and observations ask once per
    account (it was a tenth of an episode's time)."""
    return issubclass(kind, ClockControl)
