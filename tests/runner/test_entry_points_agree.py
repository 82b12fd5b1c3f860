"""One pipeline: the same episodes started by `reev run`, by the API's queue and by the TUI's
session get the same records (ids and timings aside), and each run stores the RunSpec it
was made from."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reev.api.app import create_app
from reev.api.settings import ApiSettings
from reev.cli.app import app
from reev.results.spec import RunSpec
from reev.runner.plan import load_all
from reev.store import Store, open_store
from reev.tui.session import TuiSession
from tests.records import stable

ROOT = Path(__file__).resolve().parents[2]
# single step, a flow, a parametric benchmark (values drawn from each epoch's seed), an answer
FILES = [
    "001-sol-transfer.yml",
    "300-flow-wrap-then-transfer.yml",
    "600-param-sol-transfer.yml",
    "850-answer-sol-balance.yml",
]
AGENTS = ["deterministic", "null"]
EPOCHS = 2


def _records(store: Store, run_id: str) -> dict[tuple[str, str, int], dict[str, Any]]:
    out = {}
    for summary in store.list_episodes(run_id=run_id):
        result = store.get_episode(summary.execution_id)
        assert result is not None
        out[(result.agent, result.benchmark_id, result.epoch)] = stable(
            result.model_dump(mode="json")
        )
    return out


def _spec(store: Store, run_id: str) -> RunSpec:
    run = store.get_run(run_id)
    assert run is not None
    spec = RunSpec.from_stored(run.config)
    assert spec is not None
    return spec


def _by_cli(folder: Path, db: str) -> dict[tuple[str, str, int], dict[str, Any]]:
    args = ["run", *(str(folder / f) for f in FILES), "--db", db, "--run-id", "cli-run"]
    args += ["--epochs", str(EPOCHS), "-q", "--no-progress", "--no-session-files"]
    for agent in AGENTS:
        args += ["--agent", agent]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    with open_store(db) as store:
        spec = _spec(store, "cli-run")
        assert spec.interface == "cli" and spec.epochs == EPOCHS
        return _records(store, "cli-run")


def _by_api(folder: Path, db: str) -> dict[tuple[str, str, int], dict[str, Any]]:
    settings = ApiSettings(db_url=db, workers=1, benchmark_dirs=[folder])
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as api:
        ids = [f.removesuffix(".yml") for f in FILES]
        body = {"benchmarks": ids, "agents": [{"agent": a} for a in AGENTS], "epochs": EPOCHS}
        posted = api.post("/api/v1/runs", json={**body, "run_id": "api-run"})
        assert posted.status_code == 202, posted.text
        jobs = posted.json()["execution_ids"]
        assert len(jobs) == len(FILES) * len(AGENTS) * EPOCHS
        deadline = time.monotonic() + 300
        while api.get("/api/v1/runs/api-run").json()["status"] == "running":
            assert time.monotonic() < deadline, "the API run did not finish"
            time.sleep(0.1)
    with open_store(db) as store:
        spec = _spec(store, "api-run")
        assert spec.interface == "api" and spec.benchmark_source == "store"
        assert spec.benchmarks == ids and spec.epochs == EPOCHS
        return _records(store, "api-run")


def _by_tui(folder: Path, db: str) -> dict[tuple[str, str, int], dict[str, Any]]:
    loaded = load_all([folder / f for f in FILES])
    with open_store(db) as store:
        session = TuiSession(store, paths=[str(folder)])

        async def run_all() -> None:
            for agent in AGENTS:
                for item in loaded:
                    outcome = await session.execute(item, agent, {})
                    assert outcome.problem is None

        asyncio.run(run_all())
        session.finish()
        assert session.run_id is not None
        spec = _spec(store, session.run_id)
        assert spec.interface == "tui" and [a.label for a in spec.agents] == AGENTS
        return _records(store, session.run_id)


def test_cli_api_and_tui_record_the_same_episodes_alike(tmp_path: Path) -> None:
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    for name in FILES:
        shutil.copy(ROOT / "benchmarks" / name, folder / name)
    cli = _by_cli(folder, f"sqlite:///{tmp_path / 'cli.db'}")
    api = _by_api(folder, f"sqlite:///{tmp_path / 'api.db'}")
    tui = _by_tui(folder, f"sqlite:///{tmp_path / 'tui.db'}")
    assert len(cli) == len(FILES) * len(AGENTS) * EPOCHS
    # what makes the comparison worth something: passes and failures, flows, two epochs
    assert {r["passed"] for r in cli.values()} == {True, False}
    assert any(r["flow"] for r in cli.values())
    param = [cli[("deterministic", "600-param-sol-transfer", e)] for e in range(EPOCHS)]
    assert param[0]["prompt"] != param[1]["prompt"]  # each epoch drew its own values
    for key in cli:
        assert api[key] == cli[key], key
    assert set(tui) == {k for k in cli if k[2] == 0}
    for key in tui:
        assert tui[key] == cli[key], key
    assert cli[("deterministic", "001-sol-transfer", 0)]["passed"] is True
