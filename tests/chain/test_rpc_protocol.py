"""JSON-RPC 2.0 envelope of reev validator over real HTTP on 127.0.0.1: batches,
notifications, malformed JSON and requests, unknown methods, bad params, and exact
Solana shapes/encodings of account responses."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import base58
import httpx
import pytest
from solders.keypair import Keypair

from reev.chain.rpc_server import RunningValidator, state_for


@pytest.fixture
def v() -> Iterator[RunningValidator]:
    with RunningValidator(state_for()) as running:
        yield running


def post(v: RunningValidator, body: Any, raw: bytes | None = None) -> httpx.Response:
    if raw is not None:
        return httpx.post(v.url, content=raw, headers={"content-type": "application/json"})
    return httpx.post(v.url, json=body)


def rpc(v: RunningValidator, method: str, params: list[Any] | None = None) -> Any:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    return post(v, body).json()


def test_batch_mixes_results_errors_and_skips_notifications(v: RunningValidator) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "getHealth"},
        {"jsonrpc": "2.0", "id": "two", "method": "noSuchMethod"},
        {"jsonrpc": "2.0", "method": "getSlot"},  # notification: no response
        {"jsonrpc": "2.0", "id": 4, "method": "getBalance", "params": ["not-a-key"]},
        {"id": 5, "method": "getHealth"},  # no "jsonrpc": "2.0"
        17,
    ]
    out = post(v, batch).json()
    assert [r["id"] for r in out] == [1, "two", 4, 5, None]
    assert out[0]["result"] == "ok"
    assert out[1]["error"] == {"code": -32601, "message": "Method not found"}
    assert out[2]["error"]["code"] == -32602
    assert out[3]["error"] == {"code": -32600, "message": "Invalid request"}
    assert out[4]["error"]["code"] == -32600


def test_malformed_json_empty_batch_and_only_notifications(v: RunningValidator) -> None:
    bad = post(v, None, raw=b'{"jsonrpc": "2.0", "id": 1,')
    assert bad.status_code == 200
    assert bad.json() == {
        "jsonrpc": "2.0",
        "error": {"code": -32700, "message": "Parse error"},
        "id": None,
    }
    assert post(v, []).json()["error"]["code"] == -32600
    only_notes = post(v, [{"jsonrpc": "2.0", "method": "getSlot"}])
    assert only_notes.status_code == 200 and only_notes.content == b""
    # the server is still healthy afterwards
    assert rpc(v, "getHealth")["result"] == "ok"
    assert httpx.get(v.url + "/health").text == "ok"


def test_invalid_params_are_32602(v: RunningValidator) -> None:
    assert rpc(v, "getBalance")["error"]["code"] == -32602  # missing argument
    assert (
        rpc(v, "getBalance", ["11111111111111111111111111111111", {}, 3])["error"]["code"] == -32602
    )
    assert rpc(v, "getAccountInfo", ["abc"])["error"] == {
        "code": -32602,
        "message": "Invalid param: Invalid",
    }
    named = post(v, {"jsonrpc": "2.0", "id": 1, "method": "getBalance", "params": {"pubkey": "x"}})
    assert named.json()["error"]["code"] == -32602
    assert rpc(v, "getSlot", [{"commitment": "soon"}])["error"]["code"] == -32602
    ahead = rpc(v, "getSlot", [{"minContextSlot": 10**15}])["error"]
    assert ahead["code"] == -32016 and "contextSlot" in ahead["data"]
    assert rpc(v, "sendTransaction", ["!!notbase58"])["error"]["code"] == -32602
    assert rpc(v, "getTokenAccountBalance", [str(Keypair().pubkey())])["error"] == {
        "code": -32602,
        "message": "Invalid param: not a Token account",
    }


def test_account_encodings_have_solanas_shapes(v: RunningValidator) -> None:
    key = str(Keypair().pubkey())
    data = bytes(range(200))
    assert (
        rpc(v, "surfnet_setAccount", [key, {"lamports": 5_000_000, "data": data.hex()}])["result"][
            "value"
        ]
        is None
    )
    default = rpc(v, "getAccountInfo", [key])["error"]  # default "binary" refuses > 128 bytes
    assert default["code"] == -32600 and "base 58" in default["message"]
    b64 = rpc(v, "getAccountInfo", [key, {"encoding": "base64"}])["result"]
    assert set(b64) == {"context", "value"} and set(b64["context"]) == {"apiVersion", "slot"}
    value = b64["value"]
    assert value["data"] == [base64.b64encode(data).decode(), "base64"]
    assert value["lamports"] == 5_000_000 and value["space"] == 200
    assert value["owner"] == "11111111111111111111111111111111" and value["executable"] is False
    assert "rentEpoch" in value
    sliced = rpc(
        v, "getAccountInfo", [key, {"encoding": "base58", "dataSlice": {"offset": 10, "length": 5}}]
    )
    assert sliced["result"]["value"]["data"] == [base58.b58encode(data[10:15]).decode(), "base58"]
    parsed = rpc(v, "getAccountInfo", [key, {"encoding": "jsonParsed"}])["result"]["value"]
    assert parsed["data"][1] == "base64"  # not a parsable account: base64, as agave does
    missing = rpc(v, "getAccountInfo", [str(Keypair().pubkey())])["result"]["value"]
    assert missing is None
    assert rpc(v, "getAccountInfo", [key, {"encoding": "base64+zstd"}])["error"]["code"] == -32602


def test_internal_errors_do_not_stop_the_server(
    v: RunningValidator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reev.chain.rpc_server.methods import METHODS

    def boom(state: Any, params: list[Any]) -> Any:
        raise ZeroDivisionError("bug in a handler")

    monkeypatch.setitem(METHODS, "getHealth", boom)
    err = rpc(v, "getHealth")["error"]
    assert err["code"] == -32603 and "ZeroDivisionError" in err["data"]
    assert rpc(v, "getSlot")["result"] > 0
