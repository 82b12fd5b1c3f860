"""The dashboard in Debian's headless Chromium against a real `reev serve` on loopback,
with a store of real episodes: the leaderboard grid and its colours, history and tag
filter; a run started from the Benchmarks page completing while its page updates live over
SSE; the episode page's decoded instruction, assertion table and rendered Mermaid SVG; an
invalid upload showing its error at its line; themes and a phone-width layout."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import httpx

from tests.web.conftest import NULL_SUBSET

COLOURS = {"s-full", "s-partial", "s-low", "s-none"}


def expected_class(score: float | None) -> str:
    if score is None:
        return "s-none"
    if score >= 1:
        return "s-full"
    return "s-low" if score < 0.25 else "s-partial"


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-loaded=true]", timeout=30_000)


def shoot(page: Any, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000  # something was drawn
    return path


def test_leaderboard_grid_colours_history_and_tag_filter(
    seeded_server: Any, page: Any, artifacts: Path
) -> None:
    server, runs = seeded_server
    board = server.get("/api/v1/leaderboard").json()
    open_page(page, server.url + "/")

    agents = page.locator("#stats tbody tr").evaluate_all("rows => rows.map(r => r.dataset.agent)")
    assert set(agents) == {"deterministic", "null"}
    assert (
        page.locator("#stats tr[data-agent=deterministic] .pass-rate")
        .inner_text()
        .startswith("100.0%")
    )

    # Every cell has the class its latest score calls for; cells the null agent never ran are grey.
    cells = {(c["agent"], c["benchmark_id"]): c for c in board["grid"]}
    for agent in ("deterministic", "null"):
        row = page.locator(f"#grid tbody tr[data-agent={agent}]")
        classes = row.locator(".cell").evaluate_all(
            "els => els.map(e => [e.dataset.benchmark || null, e.className])"
        )
        benchmarks = [b["id"] for b in server.get("/api/v1/benchmarks").json()]
        assert len(classes) == len(benchmarks)
        for (benchmark, css), bid in zip(classes, benchmarks, strict=True):
            cell = cells.get((agent, bid))
            assert expected_class(cell["score"] if cell else None) in css.split()
            assert (benchmark == bid) if cell else benchmark is None
    null_ran = {b for (a, b) in cells if a == "null"}
    assert null_ran == set(NULL_SUBSET)
    red = page.locator("#grid tr[data-agent=null] .cell.s-low").first
    assert red.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(207, 34, 46)"
    green = page.locator("#grid tr[data-agent=deterministic] .cell.s-full").first
    assert green.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(26, 127, 55)"
    shoot(page, artifacts, "leaderboard-1280-light")

    # Click a cell: its history lists the episode, linked to the episode page.
    page.locator(
        "#grid tr[data-agent=deterministic] .cell[data-benchmark='001-sol-transfer']"
    ).click()
    page.wait_for_selector("#history:not([hidden]) tbody tr")
    link = page.locator("#history tbody tr a").first.get_attribute("href")
    first = next(r for r in runs["seed-reference"] if r.benchmark_id == "001-sol-transfer")
    assert link == f"/executions/{first.execution_id}"

    # Tag filter: only benchmarks with the tag remain as columns, and the URL keeps it.
    tagged = [b["id"] for b in server.get("/api/v1/benchmarks").json() if "spl-token" in b["tags"]]
    assert tagged
    page.select_option("#f-tag", "spl-token")
    page.wait_for_url(re.compile(r"tag=spl-token"))
    page.wait_for_function(
        "n => document.querySelectorAll('#grid thead th').length === n + 1", arg=len(tagged)
    )
    columns = page.locator("#grid thead th").evaluate_all("t => t.slice(1).map(e => e.textContent)")
    assert columns == tagged


def test_episode_page_decodes_transactions_and_renders_the_flow(
    seeded_server: Any, page: Any, artifacts: Path
) -> None:
    server, runs = seeded_server
    episode = next(r for r in runs["seed-reference"] if r.benchmark_id == "001-sol-transfer")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_page(page, f"{server.url}/executions/{episode.execution_id}")
    page.wait_for_selector("body[data-diagram=rendered]", timeout=30_000)

    assert episode.prompt in page.locator("#prompt").inner_text()
    tx = page.locator("#transactions .transaction").first
    assert tx.locator(".program").first.inner_text() == "System Program"
    assert tx.locator(".ix-name").first.inner_text() == "Transfer"
    assert tx.locator(".flag.signer").count() >= 1 and tx.locator(".flag.writable").count() >= 2
    assert "lamports = 0.1 SOL (100,000,000 lamports)" in tx.inner_text()
    assert tx.locator(".invocation").count() >= 1
    # Assertion table: one row per stored assertion, every verdict shown.
    assert page.locator("#assertions tbody tr").count() == len(episode.assertions)
    assert page.locator("#assertions .verdict").all_inner_texts() == ["pass"] * len(
        episode.assertions
    )
    # Transcript: the tool call with its arguments.
    assert "sol_transfer" in page.locator("#transcript .tool-call").first.inner_text()
    # Account changes: the recipient went from 0 to the amount sent.
    assert "absent → 0.1 SOL (100,000,000 lamports)" in page.locator("#accounts").inner_text()
    # The flow diagram is an SVG Mermaid drew in the page, with the agent's state in it.
    svg = page.locator("#diagram svg")
    assert svg.count() == 1
    assert svg.locator("g").count() > 3
    assert "sol_transfer" in (svg.text_content() or "")
    # Everything came from this server (Mermaid is vendored; no CDN).
    assert requests and all(u.startswith(server.url) for u in requests)
    shoot(page, artifacts, "episode-1280-light")
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(300)
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(13, 17, 23)"
    shoot(page, artifacts, "episode-1280-dark")
    page.emulate_media(color_scheme="light")


def test_invalid_upload_shows_its_error_at_its_line(seeded_server: Any, page: Any) -> None:
    server, _ = seeded_server
    open_page(page, server.url + "/benchmarks")
    page.locator("#benchmarks tr[data-id='001-sol-transfer'] button").click()
    page.wait_for_function("document.getElementById('yaml').value.includes('001-sol-transfer')")
    good = page.locator("#yaml").input_value()
    bad = good.replace("ground_truth:", "ground_truth:\n  final_state_assertions: 7\n  bogus:", 1)
    page.fill("#yaml", bad)
    page.click("#upload")
    error = page.locator("#upload-error")
    error.wait_for(state="visible")
    text = error.inner_text()
    line = re.search(r":(\d+):(\d+):", text)
    assert line, text
    assert f"line {line[1]}: " in text  # the offending line is quoted with a caret
    assert "^" in text
    # Nothing was stored: the current version is still the file's.
    assert server.get("/api/v1/benchmarks/001-sol-transfer").json()["origin"] == "file"
    # A valid edit is saved and listed as an upload.
    page.fill("#yaml", good.replace("001-sol-transfer", "901-web-upload", 1))
    page.click("#upload")
    page.wait_for_selector("#benchmarks tr[data-id='901-web-upload'] .flag")
    assert "901-web-upload" in page.locator("#upload-status").inner_text()


def test_run_from_benchmarks_page_completes_with_live_updates(
    seeded_server: Any, page: Any, artifacts: Path
) -> None:
    server, _ = seeded_server
    open_page(page, server.url + "/benchmarks")
    shoot(page, artifacts, "benchmarks-1280-light")
    page.check("#select-all")
    page.select_option("#agent", "deterministic")
    page.fill("#epochs", "2")
    page.click("#run-selected")
    page.wait_for_url(re.compile(r"/runs/run-"), timeout=30_000)
    page.wait_for_selector("body[data-loaded=true]")
    page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads
    run_id = page.url.rsplit("/", 1)[1]
    page.wait_for_selector("body[data-run-status=completed]", timeout=180_000)

    assert page.evaluate("window.__sameDocument") is True
    assert int(page.evaluate("document.body.dataset.events || '0'")) > 0  # SSE arrived
    run = server.get(f"/api/v1/runs/{run_id}").json()
    assert run["progress"]["done"] == run["progress"]["total"] > 0
    assert page.locator("#bar").evaluate("e => e.style.width") == "100%"
    statuses = page.locator("#jobs tbody tr").evaluate_all("r => r.map(x => x.dataset.status)")
    assert len(statuses) == run["progress"]["total"]
    assert set(statuses) == {"Completed"}
    assert page.locator("#jobs .cell.s-full").count() == run["progress"]["total"]
    shoot(page, artifacts, "run-1280-light")


def test_phone_width_and_dark_theme_toggle(seeded_server: Any, page: Any, artifacts: Path) -> None:
    server, runs = seeded_server
    page.set_viewport_size({"width": 390, "height": 844})
    episode = runs["seed-reference"][0]
    for name, path in [
        ("leaderboard", "/"),
        ("benchmarks", "/benchmarks"),
        ("episodes", "/episodes"),
        ("episode", f"/executions/{episode.execution_id}"),
    ]:
        open_page(page, server.url + path)
        # Wide tables scroll inside their box; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shoot(page, artifacts, f"{name}-390-light")
    page.click("#theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    open_page(page, server.url + "/")  # the choice persists across pages
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(230, 237, 243)"
    shoot(page, artifacts, "leaderboard-390-dark")
    page.click("#theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"


def test_mermaid_is_served_gzip_with_its_licence(seeded_server: Any) -> None:
    server, _ = seeded_server
    raw = httpx.get(
        server.url + "/static/vendor/mermaid.min.js",
        headers={"Accept-Encoding": "gzip"},
    )
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["content-type"].startswith("text/javascript")
    plain = httpx.get(
        server.url + "/static/vendor/mermaid.min.js", headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    assert plain.content == gzip.decompress(
        (Path(__file__).parents[2] / "src/reev/web/static/vendor/mermaid.min.js.gz").read_bytes()
    )
    assert b"mermaid" in plain.content[:5000].lower() or len(plain.content) > 1_000_000
    licence = httpx.get(server.url + "/static/vendor/mermaid.LICENSE").text
    assert "MIT License" in licence
    flow_page = server.get(f"/api/v1/flows/{_any_episode(server)}?format=html").text
    assert 'src="/static/vendor/mermaid.min.js"' in flow_page


def _any_episode(server: Any) -> str:
    return str(server.get("/api/v1/episodes?limit=1").json()["items"][0]["execution_id"])
