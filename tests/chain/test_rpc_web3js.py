"""reev validator driven by @solana/web3.js (v1, from npm) under Node on 127.0.0.1:
airdrop, sendAndConfirmTransaction (websocket signatureSubscribe), getBalance,
getParsedTokenAccountsByOwner, and a cheat code from JavaScript.

The npm packages are installed by `.ci/run` (`npm ci` in tests/chain/rpc_js). Without
Node or those packages the test is skipped locally, but fails under CI=true so a
missing install step cannot pass silently.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from solders.pubkey import Pubkey

from reev.benchmark.loader import load_benchmark
from reev.benchmark.resolve import resolve_keys
from reev.chain.rpc_server import RunningValidator, state_for
from reev.programs.ata import associated_token_address

HERE = Path(__file__).resolve().parent
JS = HERE / "rpc_js"
BENCHMARKS = HERE.parents[1] / "benchmarks"
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
SOL = 1_000_000_000


def _node() -> str:
    node = shutil.which("node")
    ready = node is not None and (JS / "node_modules" / "@solana" / "web3.js").is_dir()
    if not ready:
        message = "node and `npm ci` in tests/chain/rpc_js are needed for the web3.js client test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert node is not None
    return node


def test_web3js_airdrop_send_and_confirm_balances_and_parsed_token_accounts() -> None:
    node = _node()
    benchmark = load_benchmark(BENCHMARKS / "002-spl-transfer.yml")
    ring = resolve_keys(benchmark, 3)
    user_pk = ring.key_map["USER_WALLET_PUBKEY"]
    user = ring.signers[user_pk]
    with RunningValidator(state_for(benchmark, 3)) as v:
        args = json.dumps({"user_secret": list(bytes(user)), "mint": USDC})
        done = subprocess.run(
            [node, str(JS / "web3_client.js"), v.url, v.ws_url, args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=JS,
        )
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout.strip().splitlines()[-1])
        state = v.state
        sent = state.records[out["transferSignature"]]
        token_record = state.records[out["tokenSignature"]]

    assert out["airdropBalance"] == 2 * SOL
    assert out["recipientBalance"] == SOL // 4
    assert out["payerBalance"] == 2 * SOL - SOL // 4 - sent.fee
    assert sent.err is None and out["transferStatus"] == "finalized"
    user_ata = str(associated_token_address(Pubkey.from_string(user_pk), Pubkey.from_string(USDC)))
    assert out["userTokenAccounts"] == [
        {
            "pubkey": ring.key_map["USER_USDC_ATA"],
            "amount": "50000000",
            "uiAmount": 50,
            "program": "spl-token",
        }
    ]
    assert ring.key_map["USER_USDC_ATA"] == user_ata
    assert out["userTokenAccountsByProgram"] == 1
    assert out["cheatError"] is None
    assert token_record.err is None
    assert out["friendTokenAmount"] == "1500000" and out["friendParsedUiAmount"] == "1.5"
