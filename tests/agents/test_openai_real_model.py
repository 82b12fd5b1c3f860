"""Optional: a real model behind a real OpenAI-compatible server (not ours) completes 001.

Skipped unless `REEV_REAL_MODEL_URL` names a running server on this machine, e.g. the one
`bench/real_model.py` starts (llama-cpp-python serving Qwen2.5-Coder-1.5B-Instruct; the
recipe is in docs/agents.md). `REEV_REAL_MODEL_PRESET` picks the preset (default
`llama-cpp`), `REEV_REAL_MODEL_TOOL_MODE` the tool mode (default `json`). The model
samples at temperature 0 so the episode replays the same way each time.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from reev.agents.registry import create_agent
from reev.benchmark.loader import load_benchmark
from reev.runner.episode import run_episode

URL = os.environ.get("REEV_REAL_MODEL_URL")


def _server_up(url: str) -> bool:
    try:
        return httpx.get(url.rstrip("/") + "/models", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.skipif(
    not URL or not _server_up(URL), reason="no real model server (set REEV_REAL_MODEL_URL)"
)
def test_real_local_model_completes_sol_transfer(bundled: Path) -> None:
    agent = create_agent(
        os.environ.get("REEV_REAL_MODEL_PRESET", "llama-cpp"),
        base_url=URL,
        max_turns=4,
        max_seconds=900,
        max_reply_tokens=256,
        temperature=0.0,
        model_seed=0,
        tool_mode=os.environ.get("REEV_REAL_MODEL_TOOL_MODE", "json"),
    )
    result = asyncio.run(run_episode(load_benchmark(bundled / "001-sol-transfer.yml"), agent))
    assert result.status == "completed", result.error
    step = result.steps[0]
    assert step.model_calls and step.model_calls[0].status == "ok"
    assert result.first_prompt_tokens is not None and result.first_prompt_tokens < 1500
    assert [c.tool for c in step.tool_calls if c.status == "ok"][:1] == ["sol_transfer"]
    assert result.passed and result.failure_kind is None
