"""Hostile JSON-RPC to `reev validator` (capped child process) and hostile predictions
files: each is a clean JSON-RPC error or `path:line:` message, and the chain keeps working."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reev.agents.replay import PredictionsError, load_predictions
from tests.hostile.capped import CappedProcess, free_port

AIRDROP_TO = "11111111111111111111111111111112"


@pytest.fixture
def validator(tmp_path: Path) -> Iterator[CappedProcess]:
    port = free_port()
    args = ["validator", "--port", str(port), "--ws-port", str(free_port())]
    with CappedProcess(args, port, tmp_path / "validator.log", health_path="/health") as proc:
        yield proc


def rpc(url: str, method: str, params: list[Any]) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return dict(httpx.post(url, json=body, timeout=30).json())


def raw(url: str, content: bytes) -> httpx.Response:
    return httpx.post(
        url, content=content, headers={"content-type": "application/json"}, timeout=60
    )


def test_hostile_bodies_are_json_rpc_errors_and_the_chain_keeps_working(
    validator: CappedProcess,
) -> None:
    url = validator.url
    cases = {
        b"[" * 2000 + b"]" * 2000: "JSON nested deeper than 32 levels",
        b'{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[' + b"9" * 5000 + b"]}": (
            "integer with 5,000 digits (at most 40)"
        ),
        b'{"jsonrpc":"2.0","id":NaN,"method":"getSlot"}': "NaN is not valid JSON",
        b'{"jsonrpc":"2.0","id":1e999,"method":"getSlot"}': "1e999 is not a finite number",
    }
    for body, reason in cases.items():
        r = raw(url, body)
        assert r.status_code == 200, r.text
        error = r.json()["error"]
        assert error["code"] == -32700 and reason in error["data"], (reason, error)
    too_big = raw(url, b" " * (24 * 1_048_576 + 1))
    assert too_big.status_code == 413
    for travel in (
        {"absoluteEpoch": 10**18},
        {"absoluteSlot": 2**63},
        {"absoluteTimestamp": 2**62},
    ):
        answer = rpc(url, "surfnet_timeTravel", [travel])
        assert answer["error"]["code"] == -32602, answer
        assert "beyond the largest supported" in answer["error"]["message"]
    # the clock still moves and transactions still land
    target = rpc(url, "getSlot", [])["result"] + 1_000_000
    assert "result" in rpc(url, "surfnet_timeTravel", [{"absoluteSlot": target}])
    signature = rpc(url, "requestAirdrop", [AIRDROP_TO, 1_000_000_000])
    assert "result" in signature, signature
    assert rpc(url, "getSlot", [])["result"] >= target
    assert validator.alive()


def test_hostile_predictions_lines_name_the_line(tmp_path: Path) -> None:
    good = {"benchmark_id": "001-sol-transfer", "instructions": []}
    for line, column, reason in [
        ("[" * 5000 + "]" * 5000, 65, "nested deeper than 64 levels"),
        (
            '{"benchmark_id": "x", "instructions": [], "n": ' + "1" * 5000 + "}",
            48,
            "integer with 5,000 digits",
        ),
        (
            '{"benchmark_id": "x", "instructions": [], "n": Infinity}',
            48,
            "Infinity is not valid JSON",
        ),
    ]:
        path = tmp_path / "preds.jsonl"
        path.write_text(json.dumps(good) + "\n" + line + "\n", encoding="utf-8")
        with pytest.raises(PredictionsError) as caught:
            load_predictions(path)
        # file:line:column, the column within that line
        assert str(caught.value).startswith(f"{path}:2:{column}: "), str(caught.value)[:200]
        assert reason in str(caught.value)
    fifo = tmp_path / "fifo.jsonl"
    import os

    os.mkfifo(fifo)
    with pytest.raises(PredictionsError, match="a FIFO"):
        load_predictions(fifo)


def upgrade_status(port: int, host: str) -> str:
    """The status line a websocket upgrade with this Host header gets."""
    import socket

    request = (
        f"GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request.encode())
        return conn.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_validator_answers_only_to_allowed_host_names(tmp_path: Path) -> None:
    """DNS rebinding: a page on evil.example re-pointed at 127.0.0.1 sends
    `Host: evil.example`; it must not airdrop, time-travel or subscribe."""
    port, ws_port = free_port(), free_port()
    args = [
        "validator", "--port", str(port), "--ws-port", str(ws_port),
        "--allowed-host", "*.lab.example",
    ]  # fmt: skip
    with CappedProcess(args, port, tmp_path / "v.log", health_path="/health") as v:
        body = {"jsonrpc": "2.0", "id": 1, "method": "requestAirdrop"}
        body["params"] = [AIRDROP_TO, 5_000_000_000]
        for host in ("evil.example", "127.0.0.1.evil.example", "lab.example.evil", ""):
            r = httpx.post(v.url, json=body, headers={"host": host}, timeout=30)
            assert r.status_code == 400, (host, r.text)
            assert "is not an allowed name" in r.json()["detail"]
            assert "reev validator --allowed-host NAME" in r.json()["detail"]
            assert upgrade_status(ws_port, host or "x").startswith("HTTP/1.1 403"), host
        balance = rpc(v.url, "getBalance", [AIRDROP_TO])["result"]["value"]
        assert balance == 0  # no refused airdrop reached the chain
        for host in (f"127.0.0.1:{port}", "localhost", f"[::1]:{port}", "rpc.lab.example"):
            r = httpx.post(v.url, json=body, headers={"host": host}, timeout=30)
            assert r.status_code == 200 and "result" in r.json(), (host, r.text)
            assert upgrade_status(ws_port, host).startswith("HTTP/1.1 101"), host
        assert rpc(v.url, "getBalance", [AIRDROP_TO])["result"]["value"] == 4 * 5_000_000_000


def test_in_process_validator_checks_host_too() -> None:
    from reev.chain.rpc_server import RunningValidator, state_for

    with RunningValidator(state_for()) as v:
        assert httpx.get(v.url + "/health", timeout=10).status_code == 200
        r = httpx.get(v.url + "/health", headers={"host": "evil.example"}, timeout=10)
        assert r.status_code == 400
        assert upgrade_status(v.ws_port, "evil.example").startswith("HTTP/1.1 403")
