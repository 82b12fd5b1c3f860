"""Every stored flow diagram parses with Mermaid itself, in Chromium; most are drawn too.

The reference, null and junk agents run the whole shipped suite on the real VM; the
episodes are stored, `reev serve` serves them, and each diagram is fetched from
`GET /api/v1/flows/{id}` and given to the vendored Mermaid in headless Chromium: `parse`
for every one, `render` for the reference agent's, the hand-made one and 20 each of the
null and junk agents' (their diagrams share a shape, and drawing is the slow part). A
hand-made episode adds what the suite may not: a prompt with every character and keyword
Mermaid's grammar gives a meaning to, a tool named like the diagram's own states, and a
repeated failed transfer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reev.results.records import EpisodeResult, StepRecord, ToolCallRecord
from reev.store import open_store
from tests.api.conftest import ServeProcess
from tests.web.conftest import reference_results

HOSTILE_PROMPT = (
    'Note to AI: send "all"; 50%% of {funds} [*] --> state end class X note left of Y '
    "#quot; <b>bold</b> | `tick` \\ back; direction LR %% comment"
)
ALICE = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
BOB = "GpsbfDwSHxgqyWLxdgxtTvKb1ofhR4imzRM4jrfREzqT"

PARSE_AND_RENDER = """async (items) => {
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true });
  const out = [];
  for (const [id, text, draw] of items) {
    try {
      await mermaid.parse(text);
      if (!draw) {
        out.push({ id, ok: true });
        continue;
      }
      const { svg } = await mermaid.render("m" + out.length, text);
      const box = document.createElement("div");
      box.innerHTML = svg;
      box.querySelectorAll("style").forEach((s) => s.remove());
      out.push({ id, ok: !svg.includes("Syntax error"), text: box.textContent });
    } catch (e) {
      out.push({ id, ok: false, error: String(e.message || e) });
    }
  }
  return out;
}"""


def hostile_episode() -> EpisodeResult:
    failing = ToolCallRecord(
        tool="sol_transfer",
        args={"user_pubkey": ALICE, "recipient_pubkey": BOB, "amount": 10**9},
        status="error",
        error="transaction failure: insufficient lamports; note: {retry}",
    )
    reserved = ToolCallRecord(tool="Agent", args={"note": "end; state"}, status="ok")
    return EpisodeResult(
        benchmark_id="999-hostile-labels",
        agent="deterministic",
        seed=0,
        execution_id="hostile-labels",
        status="completed",
        prompt=HOSTILE_PROMPT,
        steps=[
            StepRecord(step=1, prompt=HOSTILE_PROMPT, tool_calls=[failing, failing, reserved]),
            StepRecord(step=2, prompt="Step1 note", tool_calls=[failing]),
        ],
    )


@pytest.fixture(scope="module")
def diagram_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    db = tmp_path_factory.mktemp("diagrams") / "reev.db"
    store = open_store(f"sqlite:///{db}")
    try:
        for agent in ("deterministic", "null", "junk"):
            store.create_run(f"suite-{agent}", config={"source": "tests/web"})
            store.record_episodes(f"suite-{agent}", reference_results(agent))
        store.create_run("hostile", config={"source": "tests/web"})
        store.record_episodes("hostile", [hostile_episode()])
    finally:
        store.close()
    server = ServeProcess(db, workers=1).start()
    yield server
    server.stop()


def _diagrams(server: ServeProcess) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    offset = 0
    with httpx.Client(base_url=server.url, timeout=30) as client:
        while True:
            page = client.get("/api/v1/episodes", params={"limit": 500, "offset": offset}).json()
            for e in page["items"]:
                flow = client.get(f"/api/v1/flows/{e['execution_id']}").json()
                out[e["execution_id"]] = (f"{e['agent']}/{e['benchmark_id']}", flow["diagram"])
            offset += len(page["items"])
            if offset >= page["total"] or not page["items"]:
                return out


def drawn_sample(diagrams: dict[str, tuple[str, str]]) -> set[str]:
    """Which diagrams are drawn as well as parsed: every diagram of the reference agent and
    the hand-made one, and for the other agents the first 20 (drawing takes Mermaid ~0.1 s
    a diagram; parsing is what finds a label its grammar misreads)."""
    drawn: set[str] = set()
    others: dict[str, int] = {}
    for key, (name, _) in diagrams.items():
        agent = name.split("/")[0]
        if agent == "junk" or agent == "null":
            others[agent] = others.get(agent, 0) + 1
            if others[agent] > 20:
                continue
        drawn.add(key)
    return drawn


def test_every_stored_diagram_parses_and_the_drawn_ones_render(
    diagram_server: ServeProcess, page: Any
) -> None:
    diagrams = _diagrams(diagram_server)
    agents = {name.split("/")[0] for name, _ in diagrams.values()}
    assert agents == {"deterministic", "null", "junk"}
    assert len(diagrams) > 3 * 50  # the whole shipped suite, three agents, plus one
    page.goto(diagram_server.url + "/runs")
    page.add_script_tag(url="/static/vendor/mermaid.min.js")
    drawn = drawn_sample(diagrams)
    items = [[k, d, k in drawn] for k, (_, d) in diagrams.items()]
    results = page.evaluate(PARSE_AND_RENDER, items)
    broken = [(diagrams[r["id"]][0], r.get("error")) for r in results if not r["ok"]]
    assert broken == []
    assert len(results) == len(diagrams)
    hostile = next(r for r in results if r["id"] == "hostile-labels")
    # the labels read as written once Mermaid decodes its entity codes
    assert "Note to AI: send" in hostile["text"]
    assert "50%% of {funds}" in hostile["text"]
    # a failed node keeps its tool name with the error beneath it
    assert (
        "sol_transfertransaction failure: insufficient lamports; note: {retry}" in (hostile["text"])
    )


def test_a_diagram_mermaid_cannot_draw_shows_its_source(
    diagram_server: ServeProcess, page: Any, artifacts: Path
) -> None:
    """The page never shows Mermaid's error graphic: the message and the source instead.
    (The route is answered by the test with a broken diagram: reev makes none any more.)"""
    broken = "stateDiagram\n    [*] --> A : x\n    A --> --> B\n"
    page.route(
        "**/api/v1/flows/hostile-labels",
        lambda route: route.fulfill(json={"session_id": "x", "diagram": broken, "metadata": {}}),
    )
    page.goto(diagram_server.url + "/executions/hostile-labels")
    page.wait_for_selector("body[data-diagram='source']")
    assert page.locator(".diagram-fallback").inner_text().strip() == broken.strip()
    assert "could not be drawn" in page.locator(".diagram-error").inner_text()
    assert page.locator("text=Syntax error").count() == 0
    assert page.locator("svg[aria-roledescription='error']").count() == 0
    page.locator("#diagram").screenshot(path=str(artifacts / "diagram-source-fallback.png"))


def test_flow_html_page_renders_the_hostile_diagram(
    diagram_server: ServeProcess, page: Any
) -> None:
    page.goto(diagram_server.url + "/api/v1/flows/hostile-labels?format=html")
    page.wait_for_selector("pre.mermaid svg, pre.mermaid[data-processed] svg", timeout=20_000)
    assert page.locator("#diagram-error").is_hidden()
    assert "Note to AI" in (page.locator("pre.mermaid svg").text_content() or "")
