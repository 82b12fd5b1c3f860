"""Triage and compare views in Debian's headless Chromium against a real `reev serve`.

The store holds a run made with the real CLI (`reev run` in a subprocess: the reference
and null agents, two epochs), episodes recorded the way the API records them (agent
`openai` plus a model field) next to the CLI's `openai:m1` form, an agent error (the
endpoint refused) and an infrastructure error, both built by the product's own
`error_result`. Screenshots are written to the artifacts folder (see docs/web.md).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reev.results.errors import INFRASTRUCTURE, error_result
from reev.store import open_store
from tests.api.conftest import BUNDLED, ServeProcess
from tests.web.conftest import reference_results

CLI_BENCHMARKS = ("001-sol-transfer", "002-spl-transfer", "004-partial-score-spl-transfer")


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-loaded=true]", timeout=30_000)


@pytest.fixture(scope="module")
def triage_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    root = tmp_path_factory.mktemp("triage")
    db = root / "reev.db"
    files = [str(BUNDLED / f"{b}.yml") for b in CLI_BENCHMARKS]
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "reev",
            "run",
            *files,
            "--agent",
            "deterministic",
            "--agent",
            "null",
            "--epochs",
            "2",
            "--db",
            f"sqlite:///{db}",
            "--run-id",
            "cli-run",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"REEV_HOME": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    reference = {r.benchmark_id: r for r in reference_results("deterministic", CLI_BENCHMARKS)}
    store = open_store(f"sqlite:///{db}")
    try:
        store.create_run("api-run", config={"source": "api"})
        store.record_episodes(
            "api-run",
            [
                # the API's form: agent `openai` plus the model; then the CLI's form
                reference["001-sol-transfer"].model_copy(
                    update={"agent": "openai", "model": "m1", "execution_id": "api-m1"}
                ),
                reference["004-partial-score-spl-transfer"].model_copy(
                    update={"agent": "openai:m1", "model": "m1", "execution_id": "cli-m1"}
                ),
                error_result(
                    "002-spl-transfer",
                    "openai",
                    0,
                    "AgentError: model call failed: connection refused by 127.0.0.1:9",
                    model="m1",
                    execution_id="agent-error",
                ),
                error_result(
                    "002-spl-transfer",
                    "openai",
                    0,
                    "worker crashed",
                    model="m1",
                    epoch=1,
                    kind=INFRASTRUCTURE,
                    execution_id="infra-error",
                ),
            ],
        )
    finally:
        store.close()
    server = ServeProcess(db, workers=1).start()
    yield server
    server.stop()


def test_cli_run_shows_its_episodes_not_an_empty_live_page(
    triage_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    open_page(page, triage_server.url + "/runs")
    row = page.locator("#runs tbody tr", has_text="cli-run")
    assert "12/12 (100%)" in row.inner_text()
    open_page(page, triage_server.url + "/runs/cli-run")
    page.wait_for_selector("#jobs tbody tr")
    assert page.locator("#jobs tbody tr").count() == 12
    assert "no live updates" in page.locator("#live").inner_text()
    assert page.locator("#jobs [data-outcome=passed]").count() >= 6
    assert "12 of 12 done" in page.locator("#counts").inner_text()
    page.screenshot(path=str(artifacts / "run-made-with-cli.png"), full_page=True)


def test_episode_list_filters_outcomes_newest_first_with_first_failure(
    triage_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    open_page(page, triage_server.url + "/episodes?outcome=error")
    rows = page.locator("#episodes tbody tr")
    assert rows.count() == 1
    assert rows.first.locator(".badge").inner_text() == "error"
    assert "connection refused" in rows.first.locator(".first-failure").inner_text()
    open_page(page, triage_server.url + "/episodes?outcome=infrastructure")
    assert page.locator("#episodes tbody tr").count() == 1
    assert page.locator("#episodes tbody .badge").inner_text() == "infrastructure error"
    open_page(page, triage_server.url + "/episodes?outcome=failed&agent=null")
    failed = page.locator("#episodes tbody tr")
    assert failed.count() >= 1
    assert all(
        "ASSERTION FAILED" in failed.nth(i).locator(".first-failure").inner_text().upper()
        or "NO ACTION" in failed.nth(i).locator(".first-failure").inner_text().upper()
        for i in range(failed.count())
    )
    # newest first, and every filter reaches the API
    items = httpx.get(triage_server.url + "/api/v1/episodes?limit=500").json()["items"]
    stamps = [e["recorded_at"] for e in items]
    assert stamps == sorted(stamps, reverse=True)
    tagged = httpx.get(triage_server.url + "/api/v1/episodes?tag=spl-token&limit=500").json()
    assert tagged["total"] >= 1
    assert {e["benchmark_id"] for e in tagged["items"]} <= {
        "002-spl-transfer",
        "004-partial-score-spl-transfer",
    }
    open_page(page, triage_server.url + "/episodes")
    page.screenshot(path=str(artifacts / "episodes-triage.png"), full_page=False)


def test_one_label_per_model_and_errors_apart_on_the_leaderboard(
    triage_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    board = httpx.get(triage_server.url + "/api/v1/leaderboard").json()
    rows = {r["agent"]: r for r in board["rows"]}
    assert set(rows) == {"deterministic", "null", "openai:m1"}
    m1 = rows["openai:m1"]
    assert (m1["episodes"], m1["passed"], m1["errors"], m1["infrastructure_errors"]) == (3, 2, 1, 1)
    assert m1["failed"] == 0  # the error is not a failure
    # openai:m1 ran all three tasks, so all three agents share them and are ranked
    assert board["shared_tasks"] == sorted(CLI_BENCHMARKS)
    assert sorted(r["rank"] for r in board["rows"]) == [1, 2, 3]
    open_page(page, triage_server.url + "/")
    cell = page.locator("#grid button[data-agent='openai:m1'][data-benchmark='002-spl-transfer']")
    assert cell.get_attribute("data-outcome") in ("error", "infrastructure")
    assert cell.inner_text() in ("error", "infra")
    assert "0%" not in cell.inner_text()
    assert (
        page.locator("#stats tr[data-agent='openai:m1'] .outcomes").inner_text().count("error") == 1
    )
    page.screenshot(path=str(artifacts / "leaderboard-errors-apart.png"), full_page=True)


def test_compare_view_and_matrix(triage_server: ServeProcess, page: Any, artifacts: Path) -> None:
    open_page(page, triage_server.url + "/compare?benchmark_id=002-spl-transfer")
    heads = page.locator("#compare thead th").all_inner_texts()
    assert heads[1:] == ["deterministic", "null", "openai:m1"]
    body = page.locator("#compare tbody").inner_text()
    assert "spl_transfer" in body and "15 USDC (15,000,000 base units)" in body
    assert "✘ fails" in body and "✔ holds" in body
    assert "actual 35 USDC (35,000,000 base units)" in body  # the reference's balance, in units
    assert "did not run to its end" in body  # openai:m1's error has no 0 % score
    link = page.locator("#matrix a.cell").first
    assert link.get_attribute("href").startswith("/compare?benchmark_id=")
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)


def test_benchmark_page(triage_server: ServeProcess, page: Any, artifacts: Path) -> None:
    open_page(page, triage_server.url + "/benchmarks/001-sol-transfer")
    assert "0.1 SOL" in page.locator("#prompt").inner_text()
    assertions = page.locator("#assertions tbody").inner_text()
    assert "SolBalance" in assertions and "0.1 SOL (100,000,000 lamports)" in assertions
    agents = page.locator("#attempts tbody tr[data-agent]")
    assert {agents.nth(i).get_attribute("data-agent") for i in range(agents.count())} == {
        "deterministic",
        "null",
        "openai:m1",
    }
    page.screenshot(path=str(artifacts / "benchmark-page.png"), full_page=True)


def test_api_docs_are_served_locally(
    triage_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    offsite: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(triage_server.url):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(triage_server.url + "/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=str(artifacts / "swagger-ui.png"))
    page.goto(triage_server.url + "/redoc")
    page.wait_for_selector(".menu-content", timeout=60_000)
    assert page.locator("text=triage and compare").count() >= 1
    page.screenshot(path=str(artifacts / "redoc.png"))
    assert offsite == []
