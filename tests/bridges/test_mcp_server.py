"""`reev mcp`: the mcp SDK's own client drives reev's episodes — in process, over stdio
(`reev mcp` as a subprocess) and over streamable HTTP — and the stored results must be
those `reev run` gives."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp", reason="needs the mcp extra: pip install 'reev[mcp]'")

from fastapi.testclient import TestClient
from mcp import Client, StdioServerParameters
from mcp_types import CallToolResult, Implementation, TextResourceContents

from reev.api.app import create_app
from reev.api.settings import ApiSettings
from reev.bridges.mcp_server.server import build_server
from reev.bridges.mcp_server.session import EpisodeOptions, McpEpisodes
from reev.bridges.selection import select_benchmarks
from reev.results.records import EpisodeResult
from reev.results.spec import RunSpec
from reev.store import Store, open_store
from reev.tools.registry import TOOLS
from tests.bridges.reference_runs import BUNDLED, reev_run
from tests.bridges.scripts import reference_answers, reference_script

SOL_001 = str(BUNDLED / "001-sol-transfer.yml")
CLIENT = Implementation(name="test-client", version="1.0")
SEND_0_1 = {
    "user_pubkey": "USER_WALLET_PUBKEY",
    "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
    "amount": 100_000_000,
}


def text(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def stored(store: Store, run_id: str) -> dict[str, EpisodeResult]:
    return {
        d["benchmark_id"]: EpisodeResult.model_validate(d) for d in store.iter_results_json(run_id)
    }


async def drive_reference(client: Client, episodes: McpEpisodes) -> list[str]:
    """Play each served benchmark's reference solution: its tool calls, `finish` per step."""
    answers = []
    while episodes.over is None:
        await client.read_resource("reev://task")  # starts the run, shows the current step
        step = episodes.current
        if step is None:
            break
        benchmark = next(
            i.benchmark
            for i in episodes.loaded
            if i.benchmark and i.benchmark.id == step.task.benchmark_id
        ).instantiate(episodes.options.seed)
        for name, args in reference_script(benchmark)[step.task.step - 1]:
            result = await client.call_tool(name, args)
            # a failed transaction is an answer (003 is meant to fail), not a broken call
            assert "transaction" in text(result) or not result.is_error, text(result)
        summary = reference_answers(benchmark)[step.task.step - 1]
        answers.append(text(await client.call_tool("finish", {"summary": summary})))
    return answers


def test_the_reference_solutions_through_mcp_score_and_store_as_reev_run(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "reev.db"))
    loaded = select_benchmarks(str(BUNDLED))
    episodes = McpEpisodes(loaded, EpisodeOptions(scoring="reev"), store)

    async def main() -> list[str]:
        async with Client(build_server(episodes), client_info=CLIENT) as client:
            return await drive_reference(client, episodes)

    answers = asyncio.run(main())
    expected = reev_run("reev")
    assert episodes.run_id is not None
    got = stored(store, episodes.run_id)
    assert set(got) == set(expected) and len(got) == len(list(BUNDLED.glob("*.yml")))
    for bench_id, want in expected.items():
        result = got[bench_id]
        assert result.agent == "mcp:test-client"
        assert result.status == "completed", (bench_id, result.error)
        assert (result.score, result.passed) == (want.score, want.passed), bench_id
        assert result.scores == want.scores, bench_id
    assert any(0 < r.score < 1 for r in expected.values())  # partial scores are equal too
    run = store.get_run(episodes.run_id)
    assert run is not None and run.status == "completed"
    assert "Episode 001-sol-transfer scored — completed: score 1.00, passed" in answers[0]
    assert "No more requests: every benchmark has been run" in answers[-1]
    store.close()


def test_tools_have_reev_names_and_schemas_and_the_task_is_served() -> None:
    episodes = McpEpisodes(select_benchmarks(SOL_001), EpisodeOptions())

    async def main() -> tuple[Any, str, str | None]:
        async with Client(build_server(episodes), client_info=CLIENT) as client:
            tools = await client.list_tools()
            task = await client.read_resource("reev://task")
            [content] = task.contents
            assert isinstance(content, TextResourceContents)
            return tools, content.text, client.instructions

    tools, task, instructions = asyncio.run(main())
    by_name = {t.name: t for t in tools.tools}
    assert set(by_name) == {*TOOLS, "finish"}
    for name, tool in TOOLS.items():
        assert by_name[name].input_schema == tool.parameters_schema()
        assert by_name[name].description == tool.description
    assert "summary" in by_name["finish"].input_schema["properties"]
    key_map = episodes.current.task.observation.key_map if episodes.current else {}
    assert key_map["RECIPIENT_WALLET_PUBKEY"] in task  # real addresses, not placeholders
    assert instructions is not None and key_map["RECIPIENT_WALLET_PUBKEY"] in instructions
    assert "finish" in instructions


def test_a_wrong_call_fails_and_bad_calls_are_errors(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "reev.db"))
    episodes = McpEpisodes(select_benchmarks(SOL_001), EpisodeOptions(), store)

    async def main() -> tuple[CallToolResult, CallToolResult, CallToolResult, CallToolResult]:
        async with Client(build_server(episodes), client_info=CLIENT) as client:
            unknown = await client.call_tool("drain_wallet", {})
            invalid = await client.call_tool("sol_transfer", {**SEND_0_1, "amount": "lots"})
            wrong = await client.call_tool("sol_transfer", {**SEND_0_1, "amount": 50_000_000})
            finish = await client.call_tool("finish", {})
            return unknown, invalid, wrong, finish

    unknown, invalid, wrong, finish = asyncio.run(main())
    assert unknown.is_error and "unknown tool 'drain_wallet'" in text(unknown)
    assert invalid.is_error and "invalid arguments for sol_transfer" in text(invalid)
    assert not wrong.is_error and json.loads(text(wrong))["status"] == "ok"
    assert not finish.is_error
    assert "completed: score 0.00, failed" in text(finish)
    assert "| SolBalance | RECIPIENT_WALLET_PUBKEY | expected 100000000 | 50000000 |" in text(
        finish
    )
    assert episodes.run_id is not None
    [result] = stored(store, episodes.run_id).values()
    assert (result.status, result.score, result.passed) == ("completed", 0.0, False)
    calls = result.steps[0].tool_calls
    assert [(c.tool, c.status) for c in calls] == [
        ("sol_transfer", "error"),
        ("sol_transfer", "ok"),
    ]
    assert result.steps[0].stop_reason == "finished"
    run = store.get_run(episodes.run_id)
    spec = RunSpec.from_stored(run.config) if run is not None else None
    assert spec is not None and spec.interface == "mcp"
    assert [a.label for a in spec.agents] == ["mcp:test-client"]
    store.close()
    # the episode is what the dashboard shows: the API lists it under the client's name
    settings = ApiSettings(
        db_url=f"sqlite:///{tmp_path / 'reev.db'}", workers=0, benchmark_dirs=[BUNDLED]
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as api:
        page = api.get("/api/v1/episodes", params={"agent": "mcp:test-client"}).json()
    assert page["total"] == 1
    assert page["items"][0]["execution_id"] == result.execution_id


def test_a_step_that_runs_out_of_time_is_recorded_and_reported(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "reev.db"))
    episodes = McpEpisodes(select_benchmarks(SOL_001), EpisodeOptions(step_timeout=0.3), store)

    async def main() -> CallToolResult:
        async with Client(build_server(episodes), client_info=CLIENT) as client:
            await client.read_resource("reev://task")  # the step starts
            await asyncio.sleep(1.0)
            return await client.call_tool("sol_transfer", SEND_0_1)

    late = asyncio.run(main())
    assert late.is_error
    assert "ended: the step's time ran out" in text(late)
    assert episodes.run_id is not None
    [result] = stored(store, episodes.run_id).values()
    assert result.status == "error" and result.error == "step 1 timed out after 0.3s"
    assert result.steps[0].tool_calls == []  # the late call never ran
    store.close()


# --- the real command: `reev mcp` over stdio and HTTP ----------------------------------


def reev_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "reev.cli.app", "mcp", *args]


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "REEV_HOME": str(tmp_path / "home")}


def test_reev_mcp_over_stdio_scores_stores_and_records_a_vanished_client(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    params = StdioServerParameters(
        command=sys.executable,
        args=reev_command(SOL_001, str(BUNDLED / "002-spl-transfer.yml"), "--db", db)[1:],
        env=cli_env(tmp_path),
    )

    async def main() -> tuple[str, str]:
        async with Client(params, client_info=CLIENT) as client:
            sent = await client.call_tool("sol_transfer", SEND_0_1)
            assert not sent.is_error, text(sent)
            done = text(await client.call_tool("finish", {"summary": "sent 0.1 SOL"}))
            task = await client.read_resource("reev://task")
            [content] = task.contents
            assert isinstance(content, TextResourceContents)
            return done, content.text
        # leaving the block closes stdin mid-episode: the client vanished in 002

    done, second_task = asyncio.run(main())
    assert "completed: score 1.00, passed" in done
    assert "Next:\nBenchmark 002-spl-transfer" in done and "002-spl-transfer" in second_task
    store = open_store(db)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the server records the vanished client on its way out
        run = store.latest_run()
        if run is not None and run.status != "running":
            break
        time.sleep(0.2)
    assert run is not None and run.status == "interrupted"
    results = stored(store, run.id)
    assert (
        results["001-sol-transfer"].passed
        and results["001-sol-transfer"].agent == "mcp:test-client"
    )
    vanished = results["002-spl-transfer"]
    assert vanished.status == "error"
    assert "the MCP client disconnected before calling finish" in (vanished.error or "")
    store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_reev_mcp_over_streamable_http(tmp_path: Path) -> None:
    port = free_port()
    db = str(tmp_path / "reev.db")
    server = subprocess.Popen(
        reev_command(SOL_001, "--db", db, "--http", str(port)),
        env=cli_env(tmp_path),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.2)

        async def main() -> str:
            async with Client(f"http://127.0.0.1:{port}/mcp", client_info=CLIENT) as client:
                await client.call_tool("sol_transfer", SEND_0_1)
                return text(await client.call_tool("finish", {}))

        assert "completed: score 1.00, passed" in asyncio.run(main())
    finally:
        server.terminate()
        server.wait(timeout=30)
    store = open_store(db)
    run = store.latest_run()
    assert run is not None
    [result] = stored(store, run.id).values()
    assert (result.benchmark_id, result.passed, result.agent) == (
        "001-sol-transfer",
        True,
        "mcp:test-client",
    )
    store.close()


def test_bad_command_lines_are_usage_errors(tmp_path: Path) -> None:
    for args, message in [
        ([SOL_001, "--scoring", "best"], "--scoring must be one of"),
        ([SOL_001, "--host", "0.0.0.0", "--http", "1"], "--host must be a loopback address"),
        ([str(tmp_path / "none")], "no such file or directory"),
    ]:
        out = subprocess.run(
            reev_command(*args), capture_output=True, text=True, env=cli_env(tmp_path), timeout=120
        )
        assert out.returncode == 2, (args, out.stderr)
        assert message in out.stderr
