"""The compare view's transcripts side by side, in Debian's headless Chromium against a real
`reev serve`.

The store holds real episodes of one flow benchmark (301: a transfer, then a balance
question) by four agents: the reference, `junk` (failed tool calls), an LLM agent driven by
a scripted model on loopback (`openai:scripted`: messages, tool calls with arguments, tool
results, answers) and an agent whose endpoint refused (an error, built by the product's
`error_result`). The page must put turn n of every agent in one row, one equal column per
agent, readable at 1440 px and scrollable inside its box on a phone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from reev.agents.registry import create_agent
from reev.results.errors import error_result
from reev.results.records import EpisodeResult
from reev.runner.suite import load_all, run_suite
from reev.store import open_store
from tests.agents.test_openai_suite import solver
from tests.api.conftest import BUNDLED, ServeProcess
from tests.fakes.openai_server import ScriptedOpenAI

FLOW = "301-flow-transfer-then-report"


def run(agent: str, **options: Any) -> list[EpisodeResult]:
    loaded = load_all([BUNDLED / f"{FLOW}.yml"])
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        return pool.submit(
            asyncio.run, run_suite(loaded, lambda: create_agent(agent, **options), agent)
        ).result()


@pytest.fixture(scope="module")
def compare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    db = tmp_path_factory.mktemp("compare") / "reev.db"
    with pytest.MonkeyPatch.context() as mp, ScriptedOpenAI(solver) as llm:
        mp.setenv("OPENAI_API_KEY", "sk-compare-test")
        scripted = run("openai", model="scripted", base_url=llm.base_url)
    assert scripted[0].passed, scripted[0].error
    results = [*run("deterministic"), *run("junk"), *scripted]
    refused = error_result(
        FLOW,
        "openai",
        0,
        "AgentError: model call failed: connection refused by 127.0.0.1:9",
        model="refused",
        execution_id="refused-episode",
    )
    store = open_store(f"sqlite:///{db}")
    try:
        store.create_run("compare", config={"source": "tests/web"})
        store.record_episodes("compare", results)
        # a run of its own: in one run, agent `openai` × epoch 0 is one episode slot
        store.create_run("refused", config={"source": "tests/web"})
        store.record_episodes("refused", [refused])
    finally:
        store.close()
    server = ServeProcess(db, workers=1).start()
    yield server
    server.stop()


def open_compare(page: Any, server: ServeProcess, width: int = 1440) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.url}/compare?benchmark_id={FLOW}")
    page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
    page.wait_for_selector("#transcripts tbody tr.turn-row")


def cells(page: Any, step: int, turn: str) -> dict[str, str]:
    """The row of (step, turn): agent → its cell's text."""
    agents = page.locator("#transcripts thead th[data-agent]")
    names = [agents.nth(i).get_attribute("data-agent") for i in range(agents.count())]
    row = page.locator(f'#transcripts tr[data-step="{step}"][data-turn="{turn}"] td')
    assert row.count() == len(names)
    return {name: row.nth(i).inner_text() for i, name in enumerate(names)}


def test_transcripts_side_by_side_align_turns_across_agents(
    compare_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    open_compare(page, compare_server)
    heads = page.locator("#transcripts thead th[data-agent]")
    assert [heads.nth(i).get_attribute("data-agent") for i in range(heads.count())] == [
        "deterministic",
        "junk",
        "openai:refused",
        "openai:scripted",
    ]
    assert "error" in heads.nth(2).inner_text()  # the badge says error, not failed
    # step 1, turn 1: the reference's and the model's transfer in one row, with arguments
    # and result; junk's unknown tool beside them
    turn = cells(page, 1, "1")
    for agent in ("deterministic", "openai:scripted"):
        assert "sol_transfer ok" in turn[agent]
        assert '"amount": 100000000' in turn[agent]
        assert '"recipient_pubkey": "RECIPIENT_WALLET_PUBKEY"' in turn[agent]
        assert "result" in turn[agent]
    assert "junk_tool_that_does_not_exist" in turn["junk"] and "error" in turn["junk"]
    assert "unknown tool" in turn["junk"]
    assert turn["openai:refused"].strip() == "–"
    # the model's closing text is its own turn; the others have none there
    turn2 = cells(page, 1, "2")
    assert "Done." in turn2["openai:scripted"] and "assistant" in turn2["openai:scripted"].lower()
    assert "sol_transfer error" in turn2["junk"] and "invalid arguments" in turn2["junk"]
    assert turn2["deterministic"].strip() == "–"
    # the prompt row: the model's system and user messages, folded; none for the reference
    prompt = cells(page, 1, "prompt")
    assert "system ·" in prompt["openai:scripted"] and "user ·" in prompt["openai:scripted"]
    assert "no model" in prompt["deterministic"]
    # the refused agent never reached a step: its error leads the table, as an error
    episode = cells(page, 0, "episode")
    assert "connection refused by 127.0.0.1:9" in episode["openai:refused"]
    assert (
        "error" in episode["openai:refused"]
        and "did not run to its end" in episode["openai:refused"]
    )
    assert episode["deterministic"].strip() == "–"
    # step 2: both look the balance up in the same row; the tool result is shown
    look = cells(page, 2, "1")
    for agent in ("deterministic", "openai:scripted"):
        assert "get_account_balance ok" in look[agent]
        assert '"lamports": 100000000' in look[agent]
    assert "The balance is 0.1 SOL." in cells(page, 2, "2")["openai:scripted"]
    end2 = cells(page, 2, "end")
    assert "answer:" in end2["openai:scripted"] and "answer:" in end2["deterministic"]
    assert "critical step 1 failed" in end2["junk"]
    page.screenshot(path=str(artifacts / "compare-transcripts-1440.png"), full_page=True)


def test_transcript_columns_are_equal_and_fit_1440_px(
    compare_server: ServeProcess, page: Any
) -> None:
    open_compare(page, compare_server)
    box = page.locator(".transcripts-box")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), "4 agents fit 1440 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    heads = page.locator("#transcripts thead th[data-agent]")
    boxes = [heads.nth(i).bounding_box() for i in range(heads.count())]
    widths = [b["width"] for b in boxes]
    assert max(widths) - min(widths) <= 2 and min(widths) >= 250
    # every cell of a column starts where its header does: the columns are aligned
    for i, head in enumerate(boxes):
        column = page.locator(f"#transcripts tbody tr.turn-row td:nth-child({i + 2})")
        xs = {round(column.nth(j).bounding_box()["x"]) for j in range(column.count())}
        assert xs == {round(head["x"])}
    # long results fold; nothing overflows its cell
    overflowing = page.evaluate(
        """[...document.querySelectorAll('#transcripts td.turn')]
             .filter(td => td.scrollWidth > td.clientWidth + 1).length"""
    )
    assert overflowing == 0
    # the top table (verdicts, tool calls, transactions) fits as well, assertions matched
    # by type and account: the reference has no MissingChange, junk has no SideEffect *
    assert page.locator("#compare").evaluate(
        "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1"
    )
    rows = page.locator("#compare tbody tr.assertion")
    by_label = {
        rows.nth(i).locator("th").inner_text().replace("\n", " "): rows.nth(i)
        for i in range(rows.count())
    }
    side = next(row for label, row in by_label.items() if label.startswith("SideEffect *"))
    assert "✔ holds" in side.locator("td").nth(0).inner_text()
    assert "not recorded" in side.locator("td").nth(1).inner_text()


def test_transcripts_on_a_phone_scroll_inside_their_box(
    compare_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    open_compare(page, compare_server, width=390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(".transcripts-box")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the box scrolls, not the page
    first = page.locator("#transcripts thead th[data-agent]").first.bounding_box()
    assert first["x"] + first["width"] <= 390  # the turn label and one whole agent in view
    box.evaluate("b => { b.scrollLeft = 600; }")
    label = page.locator('#transcripts tr[data-step="1"][data-turn="1"] th').bounding_box()
    assert label["x"] >= 0 and label["x"] < 30  # the turn label stays in view (sticky)
    page.screenshot(path=str(artifacts / "compare-transcripts-390.png"), full_page=True)


def test_transcripts_in_the_dark_theme_are_readable(
    compare_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    page.emulate_media(color_scheme="dark")
    open_compare(page, compare_server)
    contrast = page.evaluate(
        """() => {
          const lum = (c) => {
            const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
              v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const bg = (n) => {
            for (; n; n = n.parentElement) {
              const c = getComputedStyle(n).backgroundColor;
              if (c && !c.startsWith('rgba(0, 0, 0, 0)')) return c;
            }
            return 'rgb(255,255,255)';
          };
          return [...document.querySelectorAll('#transcripts pre, #transcripts code')]
            .map((n) => {
              const a = lum(getComputedStyle(n).color), b = lum(bg(n));
              return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            });
        }"""
    )
    assert contrast and min(contrast) >= 4.5, contrast
    page.screenshot(path=str(artifacts / "compare-transcripts-dark.png"), full_page=True)


def test_an_errored_episode_has_no_score_on_its_page(
    compare_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    """The episode page of an error says so and shows no 0 % (nor component scores of a
    run that never was)."""
    page.goto(f"{compare_server.url}/executions/refused-episode")
    page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
    summary = page.locator("#summary").inner_text()
    assert summary.startswith("error") and "no score" in summary and "%" not in summary
    scores = page.locator("#scores").inner_text()
    assert "did not run to its end — error" in scores and "%" not in scores
    assert "connection refused by 127.0.0.1:9" in scores
    page.locator("#scores").screenshot(path=str(artifacts / "episode-error-scores.png"))


def test_leaderboard_fits_1440_px_and_keeps_errors_apart(
    compare_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(compare_server.url + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
    stats = page.locator("#stats")
    assert stats.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1")
    refused = page.locator("#stats tr[data-agent='openai:refused']")
    outcomes = refused.locator(".outcomes").inner_text()
    assert "0 failed" in outcomes and "1 error(s)" in outcomes
    # an interval never breaks inside its brackets
    for ci in page.locator("#stats .ci").all():
        box = ci.bounding_box()
        assert box is not None and box["height"] < 30, ci.inner_text()
    page.locator("#stats").screenshot(path=str(artifacts / "leaderboard-stats-1440.png"))


def test_a_cli_run_page_counts_the_four_outcomes_apart(
    compare_server: ServeProcess, page: Any
) -> None:
    page.goto(f"{compare_server.url}/runs/refused")
    page.wait_for_selector("body[data-live=false]", timeout=30_000)
    page.wait_for_function(
        "document.getElementById('counts').textContent.includes('infrastructure error')"
    )
    counts = page.locator("#counts").inner_text()
    assert "passed 0 · failed 0 · error 1 · infrastructure error 0" in counts
    page.goto(f"{compare_server.url}/runs/compare")
    page.wait_for_selector("body[data-live=false]", timeout=30_000)
    page.wait_for_function(
        "document.getElementById('counts').textContent.includes('infrastructure error')"
    )
    assert "passed 2 · failed 1 · error 0 · infrastructure error 0" in (
        page.locator("#counts").inner_text()
    )
