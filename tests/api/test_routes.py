"""Every route's shape, against a real `reev serve` on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from reev.runner.suite import epoch_seed
from tests.api.conftest import BUNDLED, ServeProcess

SOL = "001-sol-transfer"


def run_one(server: ServeProcess, benchmark: str = SOL, **body: object) -> dict[str, object]:
    r = server.post(f"/api/v1/benchmarks/{benchmark}/run", json={"agent": "deterministic", **body})
    assert r.status_code == 202, r.text
    data = r.json()
    server.wait_settled([str(data["execution_id"])])
    return data


def test_health_agents_and_docs(shared_server: ServeProcess) -> None:
    health = shared_server.get("/api/v1/health").json()
    assert health["status"] == "healthy" and health["version"] == "0.1.0"
    assert (health["worker_processes"], health["worker_processes_ready"]) == (0, 0)
    assert set(health["jobs"]) == {
        "Queued",
        "Running",
        "Completed",
        "Failed",
        "Cancelled",
        "Interrupted",
    }
    agents = shared_server.get("/api/v1/agents").json()
    assert "deterministic" in agents and "null" in agents
    assert shared_server.get("/docs").status_code == 200
    spec = shared_server.get("/openapi.json").json()
    assert "/api/v1/benchmarks/{benchmark_id}/run" in spec["paths"]


def test_benchmarks_list_matches_files(shared_server: ServeProcess) -> None:
    items = shared_server.get("/api/v1/benchmarks").json()
    ids = [b["id"] for b in items]
    assert ids == sorted(ids)
    assert SOL in ids and len(ids) == len(list(BUNDLED.glob("*.yml")))
    first = next(b for b in items if b["id"] == SOL)
    assert set(first) >= {"id", "description", "tags", "prompt", "version_id", "origin"}
    assert first["origin"] == "file" and "0.1 SOL" in first["prompt"]
    detail = shared_server.get(f"/api/v1/benchmarks/{SOL}").json()
    assert detail["yml_content"] == (BUNDLED / f"{SOL}.yml").read_text()
    assert shared_server.get("/api/v1/benchmarks/no-such-benchmark").status_code == 404


def test_run_status_and_logs(shared_server: ServeProcess) -> None:
    accepted = run_one(shared_server)
    assert accepted["status"] == "Queued"
    eid = accepted["execution_id"]
    state = shared_server.get(f"/api/v1/benchmarks/{SOL}/status/{eid}").json()
    assert state["id"] == eid and state["status"] == "Completed" and state["progress"] == 100
    assert state["score"] == 1.0 and state["passed"] is True and state["error"] is None
    assert state["start_time"] and state["end_time"] and state["end_time"] >= state["start_time"]
    assert "001-sol-transfer" in state["trace"] and "TRANSACTION LOGS" in state["logs"]
    latest = shared_server.get(f"/api/v1/benchmarks/{SOL}/status?agent=deterministic").json()
    assert latest["benchmark_id"] == SOL and latest["agent"] == "deterministic"
    assert shared_server.get(f"/api/v1/benchmarks/{SOL}/status?agent=null").status_code == 404
    wrong = shared_server.get(f"/api/v1/benchmarks/002-spl-transfer/status/{eid}")
    assert wrong.status_code == 404

    flow_logs = shared_server.get(f"/api/v1/flow-logs/{SOL}").json()
    session = next(s for s in flow_logs["sessions"] if s["session_id"] == eid)
    assert session["agent_type"] == "deterministic" and session["score"] == 1.0
    assert session["is_running"] is False and "Step 1" in session["log_content"]

    flow = shared_server.get(f"/api/v1/flows/{eid}").json()
    assert flow["diagram"].startswith("stateDiagram") and "sol_transfer" in flow["diagram"]
    assert flow["metadata"]["tool_count"] == 1 and flow["metadata"]["benchmark_id"] == SOL
    page = shared_server.get(f"/api/v1/flows/{eid}?format=html")
    assert page.headers["content-type"].startswith("text/html")
    assert '<pre class="mermaid">' in page.text and "stateDiagram" in page.text

    tx = shared_server.get(f"/api/v1/transaction-logs/{SOL}?show_cu=false").json()
    assert tx["benchmark_id"] == SOL and "System Program" in tx["transaction_logs"]
    assert tx["show_cu"] is False and " CU" not in tx["transaction_logs"].split("\n", 2)[-1]
    plain = shared_server.get(f"/api/v1/transaction-logs/{SOL}?format=plain").json()
    assert "invoke [1]" in plain["transaction_logs"]

    logs = shared_server.get(f"/api/v1/execution-logs/{SOL}").json()
    assert logs["benchmark_id"] == SOL and logs["is_running"] is False and logs["trace"]
    empty = shared_server.get("/api/v1/execution-logs/zz-never-run").json()
    assert empty["message"] == "No execution history found for this benchmark"


def test_agent_performance_and_leaderboard(shared_server: ServeProcess) -> None:
    run_one(shared_server, agent="null")
    perf = {p["agent_type"]: p for p in shared_server.get("/api/v1/agent-performance").json()}
    assert perf["null"]["average_score"] == 0.0 and perf["null"]["success_rate"] == 0.0
    row = perf["null"]["results"][0]
    assert set(row) == {"id", "session_id", "benchmark_id", "score", "final_status", "timestamp"}
    board = shared_server.get("/api/v1/leaderboard").json()["rows"]
    by_agent = {r["agent"]: r for r in board}
    assert by_agent["null"]["mean_score"]["value"] == 0.0
    assert by_agent["null"]["pass_at_k"]["1"] == 0.0
    assert board[0]["rank"] == 1
    assert board[0]["mean_score"]["value"] >= board[-1]["mean_score"]["value"]


def test_upsert_makes_a_runnable_benchmark_and_sync(shared_server: ServeProcess) -> None:
    text = (
        (BUNDLED / f"{SOL}.yml").read_text().replace(f"id: {SOL}", "id: uploaded-sol-transfer", 1)
    )
    assert "id: uploaded-sol-transfer" in text
    r = shared_server.post("/api/v1/upsert-yml", json={"yml_content": text})
    assert r.status_code == 200, r.text
    assert r.json()["success"] is True and r.json()["benchmark_id"] == "uploaded-sol-transfer"
    listed = {b["id"]: b for b in shared_server.get("/api/v1/benchmarks").json()}
    assert listed["uploaded-sol-transfer"]["origin"] == "upload"
    accepted = run_one(shared_server, "uploaded-sol-transfer")
    state = shared_server.get(
        f"/api/v1/benchmarks/uploaded-sol-transfer/status/{accepted['execution_id']}"
    ).json()
    assert state["status"] == "Completed" and state["score"] == 1.0

    bad = shared_server.post("/api/v1/upsert-yml", json={"yml_content": "id: x\nprompt: [unclosed"})
    assert bad.status_code == 400 and "invalid YAML" in bad.json()["detail"]
    invalid = shared_server.post("/api/v1/upsert-yml", json={"yml_content": "id: x\n"})
    assert invalid.status_code == 400

    sync = shared_server.post("/api/v1/sync").json()
    assert sync["success"] is True and sync["synced_count"] == len(list(BUNDLED.glob("*.yml")))


def test_runs_episodes_and_events(shared_server: ServeProcess) -> None:
    body = {
        "benchmarks": [SOL, "002-spl-transfer"],
        "agents": [{"agent": "deterministic"}, {"agent": "null"}],
        "epochs": 2,
        "run_id": "suite-1",
    }
    r = shared_server.post("/api/v1/runs", json=body)
    assert r.status_code == 202, r.text
    created = r.json()
    assert created["run_id"] == "suite-1" and created["jobs"] == 8
    shared_server.wait_settled(created["execution_ids"])
    run = shared_server.get("/api/v1/runs/suite-1").json()
    assert run["progress"]["done"] == 8 and run["progress"]["percent"] == 100.0
    assert run["episodes"] == 8 and run["passed"] == 4 and run["status"] == "completed"
    assert {j["seed"] for j in run["jobs"]} == {epoch_seed(0, 0), epoch_seed(0, 1)}
    assert "owner" not in run["jobs"][0]
    assert any(r["id"] == "suite-1" for r in shared_server.get("/api/v1/runs").json())
    assert shared_server.post("/api/v1/runs", json=body).status_code == 409

    page = shared_server.get("/api/v1/episodes?run_id=suite-1&agent=null&limit=3").json()
    assert page["total"] == 4 and len(page["items"]) == 3 and page["limit"] == 3
    rest = shared_server.get("/api/v1/episodes?run_id=suite-1&agent=null&limit=3&offset=3").json()
    assert len(rest["items"]) == 1
    eid = page["items"][0]["execution_id"]
    full = shared_server.get(f"/api/v1/episodes/{eid}").json()
    assert full["execution_id"] == eid and full["agent"] == "null"
    assert set(full) >= {"transcript", "transactions", "assertions", "scores", "result"}
    assert full["assertions"] and full["transcript"][0]["step"] == 1

    board = shared_server.get("/api/v1/leaderboard?run_id=suite-1").json()["rows"]
    assert [r["agent"] for r in board] == ["deterministic", "null"]
    assert board[0]["pass_at_k"] == {"1": 1.0, "2": 1.0} and board[0]["tasks"] == 2
    assert board[0]["mean_score"] == {"value": 1.0, "low": 1.0, "high": 1.0, "confidence": 0.95}
    assert board[0]["vs_next"]["agent"] == "null" and board[0]["vs_next"]["tasks"] == 2
    assert board[1]["vs_next"] is None

    with httpx.stream(
        "GET", shared_server.url + "/api/v1/events?run_id=suite-1&after=0&follow=false"
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    per_job: dict[str, list[str]] = {}
    for e in events:
        per_job.setdefault(e["job_id"], []).append(e["status"])
    assert len(per_job) == 8
    assert all(s == ["Queued", "Running", "Completed"] for s in per_job.values())
    ids = [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]
    assert ids == sorted(ids) and len(ids) == len(events)
    # Resuming after the 5th event sends exactly the rest (Last-Event-ID).
    resumed = shared_server.get(
        "/api/v1/events?run_id=suite-1&follow=false", headers={"Last-Event-ID": str(ids[4])}
    ).text
    assert [int(line[4:]) for line in resumed.splitlines() if line.startswith("id: ")] == ids[5:]
    # A reconnecting browser repeats its URL (after=0) and adds Last-Event-ID: the header wins.
    reconnected = shared_server.get(
        "/api/v1/events?run_id=suite-1&after=0&follow=false",
        headers={"Last-Event-ID": str(ids[4])},
    ).text
    assert [int(line[4:]) for line in reconnected.splitlines() if line.startswith("id: ")] == (
        ids[5:]
    )


def test_live_event_stream_sees_a_new_run(shared_server: ServeProcess) -> None:
    """A following stream delivers the events of a job queued after it connected."""
    with (
        httpx.Client(timeout=30) as client,
        client.stream("GET", shared_server.url + "/api/v1/events") as stream,
    ):
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        accepted = shared_server.post(
            f"/api/v1/benchmarks/{SOL}/run", json={"agent": "deterministic"}
        ).json()
        seen: list[str] = []
        for line in lines:
            if line.startswith("data: "):
                event = json.loads(line[6:])
                if event["job_id"] == accepted["execution_id"]:
                    seen.append(event["status"])
                    if event["status"] == "Completed":
                        break
    assert seen == ["Queued", "Running", "Completed"]


def test_database_file_has_no_secret(shared_server: ServeProcess) -> None:
    from tests.api.conftest import SECRET

    raw = Path(shared_server.db).read_bytes()
    assert SECRET.encode() not in raw
