"""Token rules, bind refusal, CORS, body limits, secrets, malformed bodies and ids."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reev.api import ApiSettings, create_app
from reev.api.security import bind_refusal, is_loopback
from tests.api.conftest import BUNDLED, SECRET

SOL = "001-sol-transfer"


def client_for(tmp_path: Path, **settings: Any) -> TestClient:
    config = ApiSettings(
        db_url=f"sqlite:///{tmp_path / 'reev.db'}",
        workers=settings.pop("workers", 0),
        benchmark_dirs=[BUNDLED],
        **settings,
    )
    return TestClient(
        create_app(config), base_url="http://127.0.0.1", raise_server_exceptions=False
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path) as c:
        yield c


def test_token_rules_on_a_real_server(serve: Any) -> None:
    server = serve(token="t0ken-for-tests", workers=1)
    url = f"/api/v1/benchmarks/{SOL}/run"
    body = {"agent": "deterministic"}
    assert server.post(url, json=body, headers={"Authorization": ""}).status_code == 401
    wrong = server.post(url, json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    basic = server.post(url, json=body, headers={"Authorization": "Basic dDBrZW4tZm9yLXRlc3Rz"})
    assert basic.status_code == 401
    for path in ("/api/v1/sync", "/api/v1/upsert-yml", "/api/v1/runs"):
        assert server.post(path, json={}, headers={"Authorization": ""}).status_code == 401
    assert server.get("/api/v1/benchmarks").status_code == 200  # reads stay open
    ok = server.post(url, json=body)  # with the right token
    assert ok.status_code == 202
    server.wait_settled([ok.json()["execution_id"]])
    health = server.get("/api/v1/health").json()
    assert "t0ken-for-tests" not in str(health)


def test_no_token_means_loopback_only() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert bind_refusal("127.0.0.1", None, False) is None
    assert bind_refusal("0.0.0.0", None, False) is not None
    assert bind_refusal("0.0.0.0", "token", False) is None
    assert bind_refusal("0.0.0.0", None, True) is None


def test_serve_refuses_a_public_bind_without_token(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "reev", "serve", "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "REEV_API_TOKEN" in done.stderr and "--insecure" in done.stderr


def test_cors_closed_by_default_and_configurable(tmp_path: Path) -> None:
    origin = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    with client_for(tmp_path) as closed:
        r = closed.get("/api/v1/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        pre = closed.options(f"/api/v1/benchmarks/{SOL}/run", headers=origin)
        assert "access-control-allow-origin" not in pre.headers
    with client_for(tmp_path, cors_origins=["http://dash.example"]) as opened:
        r = opened.get("/api/v1/health", headers={"Origin": "http://dash.example"})
        assert r.headers["access-control-allow-origin"] == "http://dash.example"
        other = opened.get("/api/v1/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_body_limits(tmp_path: Path) -> None:
    with client_for(tmp_path, max_body_bytes=4096) as c:
        big = c.post("/api/v1/upsert-yml", json={"yml_content": "x" * 10_000})
        assert big.status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            yield b'{"yml_content": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'

        streamed = c.post(
            "/api/v1/upsert-yml", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
    with client_for(tmp_path, max_yaml_bytes=100) as c:
        text = (BUNDLED / f"{SOL}.yml").read_text()
        assert c.post("/api/v1/upsert-yml", json={"yml_content": text}).status_code == 413


def test_api_keys_are_refused_in_bodies(client: TestClient) -> None:
    for body in (
        {"agent": "openai", "api_key": SECRET},
        {"agent": "openai", "config": {"api_key": SECRET}},
        {"agent": "openai", "base_url": f"https://user:{SECRET}@example.invalid/v1"},
    ):
        r = client.post(f"/api/v1/benchmarks/{SOL}/run", json=body)
        assert r.status_code == 422, body
        assert SECRET not in r.text


def test_unknown_agent_is_400_not_a_fallback(client: TestClient) -> None:
    r = client.post(f"/api/v1/benchmarks/{SOL}/run", json={"agent": "gemini-2.5-flash"})
    assert r.status_code == 400 and "unknown agent" in r.json()["detail"]
    suite = client.post("/api/v1/runs", json={"agents": [{"agent": "nope"}]})
    assert suite.status_code == 400
    assert client.get("/api/v1/jobs").json()["items"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/benchmarks/..%2F..%2Fetc%2Fpasswd/run",
        "/api/v1/benchmarks/%2e%2e/run",
        "/api/v1/benchmarks/a%00b/run",
        "/api/v1/benchmarks/" + "a" * 300 + "/run",
        "/api/v1/benchmarks/-leading-dash/run",
        "/api/v1/benchmarks/no-such-benchmark/run",
    ],
)
def test_bad_benchmark_ids_are_4xx(client: TestClient, path: str) -> None:
    r = client.post(path, json={"agent": "deterministic"})
    assert 400 <= r.status_code < 500, (path, r.status_code)


@pytest.mark.parametrize(
    ("path", "content"),
    [
        (f"/api/v1/benchmarks/{SOL}/run", b"{not json"),
        (f"/api/v1/benchmarks/{SOL}/run", b"[]"),
        (f"/api/v1/benchmarks/{SOL}/run", b'{"agent": 5}'),
        (f"/api/v1/benchmarks/{SOL}/run", b'{"agent": "deterministic", "seed": -1}'),
        (f"/api/v1/benchmarks/{SOL}/run", b'{"agent": "deterministic", "scoring": "vibes"}'),
        (f"/api/v1/benchmarks/{SOL}/run", b'{"agent": "openai", "base_url": "file:///etc"}'),
        ("/api/v1/upsert-yml", b'{"yml_content": ""}'),
        ("/api/v1/upsert-yml", b'{"yml_content": "- a\\n- b"}'),
        ("/api/v1/upsert-yml", b'{"yml_content": "id: ../../x\\nprompt: p\\n"}'),
        ("/api/v1/upsert-yml", b'{"yml_content": "\\u0000\\u0001"}'),
        ("/api/v1/runs", b'{"agents": []}'),
        ("/api/v1/runs", b'{"agents": [{"agent": "null"}], "epochs": 0}'),
        ("/api/v1/runs", b'{"agents": [{"agent": "null"}], "benchmarks": ["../x"]}'),
        ("/api/v1/runs", b'{"agents": [{"agent": "null"}], "benchmarks": ["missing"]}'),
        ("/api/v1/runs", b'{"agents": [{"agent": "null"}], "run_id": "a b/c"}'),
        ("/api/v1/runs", b'{"agents": [{"agent": "null"}], "epochs": 100000}'),
    ],
)
def test_malformed_bodies_are_4xx(client: TestClient, path: str, content: bytes) -> None:
    r = client.post(path, content=content, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (content, r.status_code, r.text)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/benchmarks/x/status/..",
        "/api/v1/benchmarks/x/status/" + "f" * 100,
        "/api/v1/flows/%00",
        "/api/v1/flows/missing?format=html",
        "/api/v1/flows/x?format=svg",
        "/api/v1/episodes?limit=0",
        "/api/v1/episodes?limit=abc",
        "/api/v1/episodes?offset=-1",
        "/api/v1/episodes/nope",
        "/api/v1/runs/nope",
        "/api/v1/runs/a%20b",
        "/api/v1/jobs?status=Bogus",
        "/api/v1/events?after=-5",
        "/api/v1/transaction-logs/x?format=xml",
    ],
)
def test_malformed_reads_are_4xx(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text)


def test_too_many_jobs_in_one_request(tmp_path: Path) -> None:
    with client_for(tmp_path, max_jobs_per_request=10) as c:
        r = c.post("/api/v1/runs", json={"agents": [{"agent": "null"}], "epochs": 5})
        assert r.status_code == 400 and "limit" in r.json()["detail"]
