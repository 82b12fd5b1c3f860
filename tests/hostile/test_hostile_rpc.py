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
    for line, reason in [
        ("[" * 5000 + "]" * 5000, "nested deeper than 64 levels"),
        (
            '{"benchmark_id": "x", "instructions": [], "n": ' + "1" * 5000 + "}",
            "integer with 5,000 digits",
        ),
        ('{"benchmark_id": "x", "instructions": [], "n": Infinity}', "Infinity is not valid JSON"),
    ]:
        path = tmp_path / "preds.jsonl"
        path.write_text(json.dumps(good) + "\n" + line + "\n", encoding="utf-8")
        with pytest.raises(PredictionsError) as caught:
            load_predictions(path)
        assert str(caught.value).startswith(f"{path}:2: ") and reason in str(caught.value)
    fifo = tmp_path / "fifo.jsonl"
    import os

    os.mkfifo(fifo)
    with pytest.raises(PredictionsError, match="a FIFO"):
        load_predictions(fifo)
