"""Fixtures for the dashboard tests: a store seeded with real episodes (the reference
agent and the null agent run through the runner on the real VM, recorded with the store's
API), `reev serve` on a free loopback port, and Debian's headless Chromium driven by
Playwright (`executable_path`, no browser download).

Screenshots go to `$REEV_TEST_ARTIFACTS/web` when that is set, else to a pytest temp dir;
they are artifacts to look at, never committed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from reev.agents.registry import create_agent
from reev.results.records import EpisodeResult
from reev.runner.suite import load_all, run_suite
from reev.store import open_store
from tests.api.conftest import BUNDLED, ServeProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NULL_SUBSET = ("001-sol-transfer", "002-spl-transfer", "004-partial-score-spl-transfer")


def reference_results(
    agent: str = "deterministic", only: tuple[str, ...] = ()
) -> list[EpisodeResult]:
    """Run `agent` over the shipped benchmarks on the real VM (no store involved); made
    once per (agent, only) in a test process, the stores copy what they are given."""
    return list(_reference_results(agent, only))


@cache
def _reference_results(agent: str, only: tuple[str, ...]) -> tuple[EpisodeResult, ...]:
    loaded = load_all([BUNDLED])
    if only:
        loaded = [lb for lb in loaded if lb.benchmark.id in only]
    # A thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return tuple(
            pool.submit(
                asyncio.run, run_suite(loaded, lambda: create_agent(agent), agent, concurrency=2)
            ).result()
        )


def seed_store(db: Path) -> dict[str, list[EpisodeResult]]:
    """The reference agent on every benchmark, the null agent on three: real episodes."""
    runs = {
        "seed-reference": reference_results("deterministic"),
        "seed-null": reference_results("null", NULL_SUBSET),
    }
    store = open_store(f"sqlite:///{db}")
    try:
        for run_id, results in runs.items():
            store.create_run(run_id, config={"source": "tests/web"})
            store.record_episodes(run_id, results)
    finally:
        store.close()
    return runs


def seed_many(db: Path, total: int) -> int:
    """A store of `total`+ episodes: copies of real reference episodes under new ids and
    epochs, inserted in batches through the store (fast enough for a test)."""
    base = reference_results("deterministic")
    store = open_store(f"sqlite:///{db}")
    try:
        store.create_run("seed-big", config={"source": "tests/web"})
        epochs = -(-total // len(base))
        for start in range(0, epochs, 20):
            batch = [
                r.model_copy(update={"execution_id": str(uuid.uuid4()), "epoch": epoch})
                for epoch in range(start, min(start + 20, epochs))
                for r in base
            ]
            store.record_episodes("seed-big", batch)
    finally:
        store.close()
    return epochs * len(base)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = os.environ.get("REEV_TEST_ARTIFACTS")
    path = Path(root) / "web" if root else tmp_path_factory.mktemp("web-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, Any]]:
    db = tmp_path_factory.mktemp("web") / "reev.db"
    runs = seed_store(db)
    server = ServeProcess(db, workers=1).start()
    yield server, runs
    server.stop()


# Package scope: Playwright's sync API keeps an event loop running in this thread while
# open, which would break asyncio.run() in any test module that runs after tests/web.
@pytest.fixture(scope="package")
def browser_context() -> Iterator[Any]:
    """One headless Chromium (Debian's) with a fresh profile directory."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run)")
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tempfile.mkdtemp(prefix="reev-chromium-")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    """A fresh tab that fails the test on any script error or request off the server."""
    tab = browser_context.new_page()
    tab.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    yield tab
    tab.close()
    assert not errors, f"script errors on the page: {errors}"
