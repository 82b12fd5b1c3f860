"""A loopback stand-in for a mainnet RPC node, read-only: the upstream of fork-mode tests.

Serves `getAccountInfo`, `getMultipleAccounts`, `getHealth` and `getSlot` from a dict of
accounts, and counts what it was asked, so tests can prove the fork fetched each account
once and that a replay asked nothing. Binds 127.0.0.1 only. `world()` builds a small
"mainnet": the USDC mint, an upgradeable program (LiteSVM's Memo ELF re-deployed under the
upgradeable loader, with its ProgramData account), an address lookup table and a pool that
can pay USDC to a given user (the user is the pool account's delegate).
"""

from __future__ import annotations

import base64
import json
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from solders.account import Account
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

from reev.chain.fork import ADDRESS_LOOKUP_TABLE_PROGRAM, BPF_UPGRADEABLE_LOADER, CLOCK_SYSVAR
from reev.chain.layouts import pack_mint, pack_token_account
from reev.programs.ata import associated_token_address
from reev.programs.ids import MEMO_PROGRAM, TOKEN_PROGRAM

USDC = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
UPSTREAM_SLOT = 250_000_000
UPSTREAM_TIME = 1_761_000_000


def _seeded(tag: str) -> Pubkey:
    return Pubkey.create_with_seed(Pubkey.default(), tag, Pubkey.default())


@dataclass
class World:
    """Addresses of the fake mainnet's accounts."""

    accounts: dict[str, Account]
    program: Pubkey
    program_data: Pubkey
    lookup_table: Pubkey
    table_addresses: list[Pubkey]
    pool: Pubkey
    pool_usdc: Pubkey


def lookup_table_data(addresses: list[Pubkey], authority: Pubkey | None = None) -> bytes:
    """An active address lookup table (ProgramState::LookupTable) holding `addresses`."""
    meta = struct.pack("<IQQB", 1, 2**64 - 1, 0, len(addresses))
    meta += (b"\x01" + bytes(authority)) if authority else b"\x00" + bytes(32)
    meta += b"\x00\x00"
    assert len(meta) == 56
    return meta + b"".join(bytes(a) for a in addresses)


def world(user: Pubkey, extra_accounts: int = 30) -> World:
    """A small mainnet whose pool pays USDC to `user` (its delegate)."""
    svm = LiteSVM()
    memo = svm.get_account(MEMO_PROGRAM)
    assert memo is not None
    program, program_data = _seeded("fake-jupiter-program"), _seeded("fake-jupiter-programdata")
    # ProgramData { slot: 1, authority: None }, padded to the 45-byte metadata size
    header = struct.pack("<IQ", 3, 1) + b"\x00" + bytes(32)
    rent = svm.minimum_balance_for_rent_exemption
    accounts: dict[str, Account] = {
        str(program_data): Account(
            rent(len(header) + len(memo.data)),
            header + bytes(memo.data),
            BPF_UPGRADEABLE_LOADER,
            False,
            0,
        ),
        str(program): Account(
            rent(36), struct.pack("<I", 2) + bytes(program_data), BPF_UPGRADEABLE_LOADER, True, 0
        ),
        str(USDC): Account(rent(82), pack_mint(6, 10**15), TOKEN_PROGRAM, False, 0),
    }
    pool = _seeded("fake-pool")
    pool_usdc = associated_token_address(pool, USDC)
    accounts[str(pool)] = Account(
        10**9, b"", Pubkey.from_string("11111111111111111111111111111111"), False, 0
    )
    accounts[str(pool_usdc)] = Account(
        rent(165),
        pack_token_account(USDC, pool, 10**12, delegate=user, delegated_amount=10**12),
        TOKEN_PROGRAM,
        False,
        0,
    )
    table_addresses = [_seeded(f"route-account-{i}") for i in range(extra_accounts)]
    for address in table_addresses:
        accounts[str(address)] = Account(
            10**6, b"", Pubkey.from_string("11111111111111111111111111111111"), False, 0
        )
    table_addresses += [pool, pool_usdc, program]
    lookup_table = _seeded("fake-lookup-table")
    data = lookup_table_data(table_addresses)
    accounts[str(lookup_table)] = Account(
        rent(len(data)), data, ADDRESS_LOOKUP_TABLE_PROGRAM, False, 0
    )
    clock = struct.pack("<QqQQq", UPSTREAM_SLOT, UPSTREAM_TIME - 100, 600, 601, UPSTREAM_TIME)
    accounts[str(CLOCK_SYSVAR)] = Account(
        1_169_280,
        clock,
        Pubkey.from_string("Sysvar1111111111111111111111111111111111111"),
        False,
        0,
    )
    return World(accounts, program, program_data, lookup_table, table_addresses, pool, pool_usdc)


@dataclass
class FakeUpstream:
    """A running fake RPC node; `requests` lists (method, params) in arrival order."""

    accounts: dict[str, Account]
    requests: list[tuple[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fetched(self) -> list[str]:
        """Every pubkey asked for, in order."""
        keys: list[str] = []
        for method, params in self.requests:
            if method == "getMultipleAccounts":
                keys.extend(params[0])
            elif method == "getAccountInfo":
                keys.append(params[0])
        return keys

    def answer(self, method: str, params: Any) -> Any:
        self.requests.append((method, params))
        if method == "getHealth":
            return "ok"
        if method == "getSlot":
            return UPSTREAM_SLOT
        if method == "getAccountInfo":
            return {"context": {"slot": UPSTREAM_SLOT}, "value": self._ui(params[0])}
        if method == "getMultipleAccounts":
            return {"context": {"slot": UPSTREAM_SLOT}, "value": [self._ui(k) for k in params[0]]}
        raise KeyError(method)

    def _ui(self, key: str) -> dict[str, Any] | None:
        account = self.accounts.get(key)
        if account is None:
            return None
        return {
            "lamports": account.lamports,
            "owner": str(account.owner),
            "executable": account.executable,
            "rentEpoch": account.rent_epoch,
            "space": len(account.data),
            "data": [base64.b64encode(bytes(account.data)).decode(), "base64"],
        }

    def start(self) -> FakeUpstream:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                try:
                    reply = {
                        "jsonrpc": "2.0",
                        "id": body["id"],
                        "result": fake.answer(body["method"], body.get("params", [])),
                    }
                except KeyError as exc:
                    reply = {
                        "jsonrpc": "2.0",
                        "id": body["id"],
                        "error": {"code": -32601, "message": f"Method not found: {exc}"},
                    }
                raw = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
