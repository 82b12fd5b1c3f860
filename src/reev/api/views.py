"""Text views of a stored episode for reev's routes: the result tree (`trace`), the
transaction-log tree (`logs`), the Mermaid flow diagram and its HTML page.

The tree is the CLI's Rich tree rendered without colour; the transaction logs and the
diagram come from `reev.tracing` (the same code the CLI and session files use).
"""

from __future__ import annotations

import html
import io

from rich.console import Console

from reev.results.records import EpisodeResult
from reev.tracing.mermaid import episode_diagram
from reev.tracing.render import result_tree
from reev.tracing.txlog import transaction_log_tree


def result_text(result: EpisodeResult) -> str:
    """reev's ASCII result tree of an episode, as plain text."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None, force_terminal=False)
    console.print(result_tree(result))
    return buffer.getvalue()


def transaction_logs(result: EpisodeResult, *, show_cu: bool = True) -> str:
    """reev's `🔄 TRANSACTION LOGS` tree."""
    return transaction_log_tree(result, show_cu=show_cu)


def flow_diagram(result: EpisodeResult) -> tuple[str, dict[str, object]]:
    """The Mermaid stateDiagram and reev's metadata block for it."""
    diagram = episode_diagram(result)
    tools = sum(len(step.tool_calls) for step in result.steps)
    states = sum(1 for line in diagram.splitlines() if "-->" in line)
    metadata: dict[str, object] = {
        "state_count": states,
        "tool_count": tools,
        "execution_time_ms": round(result.duration_ms),
        "benchmark_id": result.benchmark_id,
        "session_id": result.execution_id,
    }
    return diagram, metadata


def diagram_page(title: str, diagram: str, mermaid_src: str) -> str:
    """A standalone HTML page that renders `diagram` with Mermaid.js from `mermaid_src`.

    The diagram text is HTML-escaped inside `<pre class="mermaid">`; Mermaid reads the
    element's text, so labels can never inject markup.
    """
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2rem}} pre.source{{background:#f4f4f4;padding:1rem}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<pre class="mermaid">
{html.escape(diagram)}
</pre>
<details><summary>Mermaid source</summary><pre class="source">{html.escape(diagram)}</pre></details>
<p id="diagram-error" hidden></p>
<script src="{html.escape(mermaid_src)}"></script>
<script>
(async () => {{
  const box = document.querySelector("pre.mermaid");
  const error = document.getElementById("diagram-error");
  const fail = (message) => {{
    box.className = "source";  // the source stays on the page; never an error graphic
    error.textContent = "The diagram could not be drawn: " + message;
    error.hidden = false;
  }};
  if (!window.mermaid) {{ fail("Mermaid did not load"); return; }}
  mermaid.initialize({{startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true}});
  try {{
    await mermaid.parse(box.textContent);
    await mermaid.run({{nodes: [box]}});
  }} catch (e) {{ fail(e.message || String(e)); }}
}})();
</script>
</body></html>
"""
