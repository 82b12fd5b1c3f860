"""A loopback fake of Jupiter's HTTP API, answering in the shapes the real API answers.

Routes (the ones reev's tools call): `GET /swap/v1/quote`, `POST /swap/v1/swap-instructions`,
`POST /lend/v1/earn/{deposit,withdraw,mint,redeem}-instructions`,
`GET /lend/v1/earn/{tokens,positions,earnings}`. Every request is logged (`requests`).
`fail[path] = (status, body)` makes a route fail; `body=None` answers non-JSON.

Instructions it returns are real ones built for the requesting user: the "swap" pays SOL
to a pool (with 30 extra route accounts, too many for a legacy transaction without the
lookup table), receives USDC from the pool (the user is the pool account's delegate, see
`jupiter_upstream.world`), and ends with a memo through an upgradeable program that exists
only upstream — so a fork must fetch the table, the program and its ProgramData.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from reev.programs import system, token
from reev.programs.ata import associated_token_address, create_associated_token_account
from reev.programs.ids import COMPUTE_BUDGET_PROGRAM
from tests.fakes.jupiter_upstream import USDC, World

USDC_PER_SOL = 180  # 1 SOL = 180 USDC in this fake market
JL_USDC = "9BEcn9aPEmhSPbPQeFGjidRiEKki46fVQDyPpSQXPA2D"


def jup_ix(ix: Instruction) -> dict[str, Any]:
    """An instruction in Jupiter's JSON form."""
    return {
        "programId": str(ix.program_id),
        "accounts": [
            {"pubkey": str(a.pubkey), "isSigner": a.is_signer, "isWritable": a.is_writable}
            for a in ix.accounts
        ],
        "data": base64.b64encode(bytes(ix.data)).decode(),
    }


def lend_token(
    symbol: str, address: str, asset: str, asset_symbol: str, supply_bps: int
) -> dict[str, Any]:
    return {
        "id": 1,
        "address": address,
        "name": f"jupiter lend {asset_symbol}",
        "symbol": symbol,
        "decimals": 6,
        "assetAddress": asset,
        "asset": {
            "address": asset,
            "chainId": "solana",
            "name": asset_symbol,
            "symbol": asset_symbol,
            "decimals": 6,
            "logoUrl": "",
            "price": "0.9998",
            "coingeckoId": "usd-coin",
        },
        "totalAssets": "500000000000000",
        "totalSupply": "480000000000000",
        "convertToShares": "960000",
        "convertToAssets": "1041666",
        "rewardsRate": "0",
        "supplyRate": str(supply_bps),
        "totalRate": str(supply_bps),
        "rebalanceDifference": "0",
        "liquiditySupplyData": {
            "modeWithInterest": True,
            "supply": "600000000000000",
            "withdrawalLimit": "0",
            "lastUpdateTimestamp": "1761000000",
            "expandPercent": 2000,
            "expandDuration": 43200,
            "baseWithdrawalLimit": "0",
            "withdrawableUntilLimit": "600000000000000",
            "withdrawable": "600000000000000",
        },
        "rewards": [],
    }


TOKENS = [
    lend_token("jlUSDC", JL_USDC, str(USDC), "USDC", 868),
    lend_token(
        "jlUSDT",
        "Cmn4v2wipYV41dkakDvCgFJpxhtaaKt11NyWV8pjSE8A",
        "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB",
        "USDT",
        712,
    ),
]


@dataclass
class FakeJupiter:
    """A running fake Jupiter API."""

    world: World | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[str, tuple[int, Any]] = field(default_factory=dict)
    positions: list[dict[str, Any]] = field(default_factory=list)
    earnings: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        self.requests.append({"method": method, "path": path, "query": query, "body": body})
        if path in self.fail:
            return self.fail[path]
        if method == "GET" and path == "/swap/v1/quote":
            amount = int(query["amount"])
            out = amount * USDC_PER_SOL // 1000  # lamports → USDC base units
            slippage = int(query.get("slippageBps", "50"))
            return 200, {
                "inputMint": query["inputMint"],
                "inAmount": str(amount),
                "outputMint": query["outputMint"],
                "outAmount": str(out),
                "otherAmountThreshold": str(out * (10_000 - slippage) // 10_000),
                "swapMode": "ExactIn",
                "slippageBps": slippage,
                "platformFee": None,
                "priceImpactPct": "0.0001",
                "routePlan": [
                    {
                        "swapInfo": {
                            "ammKey": "fake",
                            "label": "FakeAMM",
                            "inputMint": query["inputMint"],
                            "outputMint": query["outputMint"],
                            "inAmount": str(amount),
                            "outAmount": str(out),
                            "feeAmount": "0",
                            "feeMint": query["inputMint"],
                        },
                        "percent": 100,
                    }
                ],
                "contextSlot": 250000000,
                "timeTaken": 0.01,
            }
        if method == "POST" and path == "/swap/v1/swap-instructions":
            return 200, self._swap(body)
        if (
            method == "POST"
            and path.startswith("/lend/v1/earn/")
            and path.endswith("-instructions")
        ):
            return 200, self._lend(path.split("/")[-1].removesuffix("-instructions"), body)
        if method == "GET" and path == "/lend/v1/earn/tokens":
            return 200, TOKENS
        if method == "GET" and path == "/lend/v1/earn/positions":
            return 200, [
                p for p in self.positions if p["ownerAddress"] in query["users"].split(",")
            ]
        if method == "GET" and path == "/lend/v1/earn/earnings":
            return 200, [e for e in self.earnings if e["ownerAddress"] == query["user"]]
        return 404, {"error": f"no route {method} {path}"}

    def _swap(self, body: dict[str, Any]) -> dict[str, Any]:
        assert self.world is not None, "swaps need a world (fake mainnet) to route through"
        user = Pubkey.from_string(body["userPublicKey"])
        quote = body["quoteResponse"]
        w = self.world
        user_usdc = associated_token_address(user, USDC)
        pay = system.transfer(user, w.pool, int(quote["inAmount"]))
        route = [AccountMeta(a, False, False) for a in w.table_addresses[:30]]
        swap = Instruction(pay.program_id, bytes(pay.data), [*pay.accounts, *route])
        receive = token.transfer(w.pool_usdc, user_usdc, user, int(quote["outAmount"]))
        memo = Instruction(w.program, b"reev fake jupiter route", [])
        return {
            "tokenLedgerInstruction": None,
            "computeBudgetInstructions": [
                jup_ix(
                    Instruction(
                        COMPUTE_BUDGET_PROGRAM, bytes([2]) + (400_000).to_bytes(4, "little"), []
                    )
                ),
                jup_ix(
                    Instruction(
                        COMPUTE_BUDGET_PROGRAM, bytes([3]) + (50_000).to_bytes(8, "little"), []
                    )
                ),
            ],
            "setupInstructions": [jup_ix(create_associated_token_account(user, user, USDC))],
            "swapInstruction": jup_ix(swap),
            "cleanupInstruction": jup_ix(receive),
            "otherInstructions": [jup_ix(memo)],
            "addressLookupTableAddresses": [str(w.lookup_table)],
            "prioritizationFeeLamports": 0,
            "computeUnitLimit": 400000,
        }

    def _lend(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        signer = Pubkey.from_string(body["signer"])
        asset = Pubkey.from_string(body["asset"])
        count = int(body.get("amount") or body.get("shares"))
        # A recorded-shape answer: one instruction of the lending program naming the
        # signer, its asset account and the jl-token account. (Not executed by tool tests.)
        ix = Instruction(
            Pubkey.from_string("jup3YeL8QhtSx1e253b2FDvsMNC87fDrgQZivbrndc9"),
            bytes([{"deposit": 1, "withdraw": 2, "mint": 3, "redeem": 4}[action]])
            + count.to_bytes(8, "little"),
            [
                AccountMeta(signer, True, True),
                AccountMeta(associated_token_address(signer, asset), False, True),
                AccountMeta(
                    associated_token_address(signer, Pubkey.from_string(JL_USDC)), False, True
                ),
            ],
        )
        return {"instructions": [jup_ix(ix)]}

    def start(self) -> FakeJupiter:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                body = None
                if method == "POST":
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, payload = fake.handle(method, parts.path, query, body)
                raw = (
                    b"<html>bad gateway</html>" if payload is None else json.dumps(payload).encode()
                )
                self.send_response(status)
                self.send_header(
                    "Content-Type", "text/html" if payload is None else "application/json"
                )
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                self._reply("GET")

            def do_POST(self) -> None:
                self._reply("POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
