"""`reev validator` as a user runs it: a real process on 127.0.0.1 that prints the
placeholder → pubkey map (never a private key), serves the benchmark's state, and
stops cleanly on Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from reev.benchmark.loader import load_benchmark
from reev.benchmark.resolve import resolve_keys

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_validator_command_prints_key_map_and_serves_the_benchmark() -> None:
    path = BENCHMARKS / "002-spl-transfer.yml"
    ring = resolve_keys(load_benchmark(path), 5)
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reev",
            "validator",
            "--port",
            "0",
            "--ws-port",
            "0",
            "--benchmark",
            str(path),
            "--seed",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(r"JSON-RPC\s+(http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
        printed = "".join(lines)
        assert url is not None, printed
        for name, pubkey in ring.key_map.items():
            assert name in printed and pubkey in printed
        for keypair in ring.signers.values():
            assert str(keypair) not in printed  # the base58 secret key is never shown
        user_ata = ring.key_map["USER_USDC_ATA"]
        body = {"jsonrpc": "2.0", "id": 1, "method": "getTokenAccountBalance", "params": [user_ata]}
        for _ in range(100):  # the socket is bound before printing; serving starts right after
            try:
                reply = httpx.post(url, json=body).json()
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert reply["result"]["value"]["amount"] == "50000000"
        keymap = httpx.post(
            url, json={"jsonrpc": "2.0", "id": 2, "method": "reev_getKeyMap"}
        ).json()
        assert keymap["result"] == ring.key_map
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
    assert code == 0
