"""`reev run` with LLM agents: per-agent options, recorded configs and failure kinds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from reev.cli.app import app
from reev.runner.spec import SpecError, parse_agent_value
from reev.runner.suite import load_all, scale_step_timeouts
from tests.fakes.openai_server import Reply, ScriptedOpenAI

SEND = {
    "user_pubkey": "USER_WALLET_PUBKEY",
    "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
    "amount": 100_000_000,
}


def script(body: dict[str, Any]) -> Reply:
    """Native requests get a native call; JSON-mode ones a text answer with no call."""
    if any(m["role"] in ("tool",) for m in body["messages"]):
        return Reply.text("Done.")
    if "tools" in body:
        return Reply.call("sol_transfer", SEND)
    return Reply.text("I would rather not.")


def test_one_run_compares_two_tool_modes_and_records_both(tmp_path: Path, bundled: Path) -> None:
    db = tmp_path / "r.db"
    out = tmp_path / "r.json"
    with ScriptedOpenAI(script) as llm:
        result = CliRunner().invoke(
            app,
            [
                "run",
                str(bundled / "001-sol-transfer.yml"),
                "--agent",
                f"openai:m1@base_url={llm.base_url},tool_mode=native",
                "--agent",
                f"openai:m2@base_url={llm.base_url},tool_mode=json,max_turns=2",
                "--temperature",
                "0.5",
                "--seed",
                "3",
                "--db",
                str(db),
                "--json",
                str(out),
                "--no-session-files",
                "--no-progress",
            ],
            env={"OPENAI_API_KEY": "sk-test"},
        )
    assert result.exit_code == 0, result.output
    assert "first-call prompt tokens: 240 over 2 episodes" in result.output
    by_agent = {r["agent"]: r for r in json.loads(out.read_text())["results"]}
    native = by_agent[f"openai:m1@base_url={llm.base_url},tool_mode=native"]
    as_json = by_agent[f"openai:m2@base_url={llm.base_url},tool_mode=json,max_turns=2"]
    assert native["passed"] and native["failure_kind"] is None
    assert not as_json["passed"] and as_json["failure_kind"] == "no_action"
    assert as_json["steps"][0]["model_calls"][0]["params"]["temperature"] == 0.5
    assert as_json["steps"][0]["model_calls"][0]["params"]["seed"] == 3
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT agent, failure_kind FROM episodes")).all())
        (config,) = conn.execute(text("SELECT config FROM runs")).one()
    assert kinds == {native["agent"]: None, as_json["agent"]: "no_action"}
    configs = (json.loads(config) if isinstance(config, str) else config)["agent_configs"]
    modes = {c["model"]: (c["tool_mode"], c["limits"]["max_turns"]) for c in configs.values()}
    assert modes == {"m1": ("native", 10), "m2": ("json", 2)}
    assert all(c["temperature"] == 0.5 and c["seed"] == 3 for c in configs.values())


def test_per_agent_options_are_parsed_and_checked() -> None:
    name, model, opts = parse_agent_value(
        "llama-cpp:qwen@tool_mode=json,max_seconds=90,stream=false"
    )
    assert (name, model, opts) == (
        "llama-cpp",
        "qwen",
        {"tool_mode": "json", "max_seconds": 90.0, "stream": False},
    )
    with pytest.raises(SpecError, match="not key=value"):
        parse_agent_value("openai@colour=blue")
    with pytest.raises(SpecError, match="max_turns needs a int"):
        parse_agent_value("openai@max_turns=many")


def test_step_timeouts_of_flow_files_scale_with_the_run_option(bundled: Path) -> None:
    loaded = load_all([bundled / "301-flow-transfer-then-report.yml"])
    benchmark = loaded[0].benchmark
    assert benchmark is not None and benchmark.flow is not None
    assert [s.timeout for s in benchmark.flow] == [30, 30]
    scale_step_timeouts(loaded, 4.5)
    assert [s.timeout for s in benchmark.flow] == [135, 135]
    with pytest.raises(ValueError, match="positive"):
        scale_step_timeouts(loaded, 0)


def test_a_local_preset_streams_unless_told_not_to(tmp_path: Path, bundled: Path) -> None:
    with ScriptedOpenAI(lambda body: Reply.text("no")) as llm:
        for extra in ([], ["--no-stream"]):
            result = CliRunner().invoke(
                app,
                [
                    "run", str(bundled / "001-sol-transfer.yml"),
                    "--agent", f"llama-cpp@base_url={llm.base_url}",
                    "--db", str(tmp_path / "s.db"), "--no-session-files", "--no-progress",
                    *extra,
                ],
            )  # fmt: skip
            assert result.exit_code == 0, result.output
    assert [bool(r.get("stream")) for r in llm.requests] == [True, False]
