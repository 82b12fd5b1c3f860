"""Optional: a real model behind a real OpenAI-compatible server (not ours) completes 001.

Skipped unless `REEV_REAL_MODEL_URL` names a running server on this machine, e.g.
llama-cpp-python's (`python -m llama_cpp.server --model MODEL.gguf --chat_format chatml-function-calling`);
the recipe is in docs/agents.md. `REEV_REAL_MODEL_NAME` picks the model (default "local").
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
        "local",
        base_url=URL,
        model=os.environ.get("REEV_REAL_MODEL_NAME", "local"),
        max_turns=4,
        max_seconds=600,
        tool_mode=os.environ.get("REEV_REAL_MODEL_TOOL_MODE", "native"),
    )
    result = asyncio.run(run_episode(load_benchmark(bundled / "001-sol-transfer.yml"), agent))
    assert result.status == "completed", result.error
    step = result.steps[0]
    assert step.model_calls and step.model_calls[0].status == "ok"
    assert [c.tool for c in step.tool_calls if c.status == "ok"][:1] == ["sol_transfer"]
    assert result.passed
