"""`reev schema`: the JSON Schema of the benchmark format, from the pydantic models.

Editors validate and complete benchmark YAML with it (VS Code's YAML extension reads a
`# yaml-language-server: $schema=...` first line; see docs/benchmark-format.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from reev.cli.common import console

SCHEMA_ID = "https://reev.dev/schema/benchmark.json"


def benchmark_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one benchmark file, with the assertion types
    installed plugins registered."""
    from reev.benchmark.model import ASSERTION_MODELS, ASSERTION_TYPES, Benchmark

    schema: dict[str, Any] = Benchmark.model_json_schema(mode="validation")
    items = schema["$defs"]["GroundTruth"]["properties"]["final_state_assertions"]["items"]
    for name, model in ASSERTION_MODELS.items():
        if name in ASSERTION_TYPES:
            continue
        own = model.model_json_schema(mode="validation", ref_template="#/$defs/{model}")
        schema["$defs"].update(own.pop("$defs", {}))
        schema["$defs"][model.__name__] = own
        items["oneOf"].append({"$ref": f"#/$defs/{model.__name__}"})
        items["discriminator"]["mapping"][name] = f"#/$defs/{model.__name__}"
    schema = _lenient(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "reev benchmark"
    return schema


_TEMPLATE = {"type": "string", "pattern": r"^\s*\{\{.+\}\}\s*$"}
_DIGITS = {"type": "string", "pattern": r"^\s*[0-9_]+\s*$"}


def _lenient(node: Any) -> Any:
    """What the loader accepts beyond the models' types: integers written as digit strings
    (reev writes amounts as "50000000") and, in parametric files, `{{ }}` templates in
    place of any number or boolean."""
    if isinstance(node, list):
        return [_lenient(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _lenient(v) for k, v in node.items()}
    kind = out.get("type")
    if kind in ("integer", "number", "boolean"):
        scalar = {
            k: out.pop(k)
            for k in list(out)
            if k in ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
        }
        extra = [_DIGITS] if kind == "integer" else []
        out["anyOf"] = [scalar, *extra, _TEMPLATE]
    return out


def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the schema to this file instead of stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema of the benchmark format (for editors: see docs/benchmark-format.md)."""
    text = json.dumps(benchmark_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"wrote {output}", highlight=False)
