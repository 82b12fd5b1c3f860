"""docs/benchmarks.md, docs/tools.md and docs/assertions.md match the code and files."""

from __future__ import annotations

from pathlib import Path

from reev.benchmark.catalog import current_block, load_dir, render_block, replace_block
from reev.benchmark.model import ASSERTION_TYPES
from reev.tools.registry import TOOLS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_catalog_in_docs_matches_the_benchmark_files(bundled: Path) -> None:
    doc = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    expected = render_block(load_dir(bundled))
    assert current_block(doc) == expected, (
        "docs/benchmarks.md is out of date: run `python -m reev.benchmark.catalog benchmarks docs/benchmarks.md`"
    )
    assert replace_block(doc, expected) == doc


def test_every_tool_is_documented_with_its_parameters() -> None:
    doc = (DOCS / "tools.md").read_text(encoding="utf-8")
    offline = {
        n: t for n, t in TOOLS.items() if not t.handler.__module__.startswith("reev.tools.jupiter")
    }
    assert len(offline) >= 13
    for name, tool in offline.items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"docs/tools.md has no row for {name}"
        for param in tool.parameters_schema()["properties"]:
            assert f"`{param}`" in row, f"docs/tools.md: {name} does not mention `{param}`"


def test_every_assertion_type_has_a_section_and_an_example() -> None:
    doc = (DOCS / "assertions.md").read_text(encoding="utf-8")
    for kind in ASSERTION_TYPES:
        assert f"\n## {kind}" in doc, kind
        assert f"type: {kind}" in doc, f"no example of {kind}"
