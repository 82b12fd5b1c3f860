"""A store of 10,000+ episodes: pages stay paginated (only a page of rows reaches the DOM)
and the leaderboard still loads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ServeProcess
from tests.web.conftest import seed_many
from tests.web.test_dashboard import open_page, shoot


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, int]]:
    db = tmp_path_factory.mktemp("web-big") / "reev.db"
    total = seed_many(db, 10_000)
    server = ServeProcess(db, workers=0).start()
    yield server, total
    server.stop()


def test_ten_thousand_episodes_stay_paginated(big_server: Any, page: Any, artifacts: Path) -> None:
    server, total = big_server
    assert total >= 10_000
    open_page(page, server.url + "/episodes")
    assert page.evaluate("document.body.dataset.total") == str(total)
    assert page.locator("#episodes tbody tr").count() == 50
    assert page.locator("#page-info").inner_text() == f"1–50 of {total}"
    first = page.locator("#episodes tbody tr a").first.get_attribute("href")
    page.click("#next")
    page.wait_for_function("document.getElementById('page-info').textContent.startsWith('51–100')")
    assert page.locator("#episodes tbody tr").count() == 50
    assert page.locator("#episodes tbody tr a").first.get_attribute("href") != first
    shoot(page, artifacts, "episodes-1280-light")

    open_page(page, server.url + "/")
    assert page.locator("#stats tbody tr").count() == 1
    # every stored episode is counted (the reference passes them all)
    assert page.locator("#stats tbody tr .outcomes").inner_text().startswith(f"{total} passed")
    # One row per agent and one cell per benchmark: the grid never grows with episodes.
    assert page.locator("#grid tbody .cell").count() == len(server.get("/api/v1/benchmarks").json())
