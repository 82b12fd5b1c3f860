"""`reev schema` describes every shipped benchmark (and rejects what the loader rejects);
`reev new` writes, for each family, a commented file that validates and whose reference
solution passes the gates on the embedded VM."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from reev.benchmark.loader import load_benchmark
from reev.benchmark.starters import STARTERS
from reev.cli.app import app
from reev.runner.gates import episode_checks

runner = CliRunner()


def _schema(tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_schema_accepts_every_shipped_benchmark(tmp_path: Path, bundled: Path) -> None:
    validator = jsonschema.Draft202012Validator(_schema(tmp_path))
    files = sorted(bundled.glob("*.yml"))
    assert len(files) >= 100
    for path in files:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, f"{path.name}: {errors[0].json_path}: {errors[0].message}"


def test_schema_rejects_unknown_keys_and_wrong_types(tmp_path: Path, bundled: Path) -> None:
    validator = jsonschema.Draft202012Validator(_schema(tmp_path))
    doc = yaml.safe_load((bundled / "001-sol-transfer.yml").read_text())
    assert validator.is_valid(doc)
    typo = dict(doc, promt="x")
    assert not validator.is_valid(typo)
    wrong = json.loads(json.dumps(doc))
    wrong["initial_state"][0]["lamports"] = "lots"
    assert not validator.is_valid(wrong)


def test_schema_prints_to_stdout() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "reev benchmark"


@pytest.mark.parametrize("family", sorted(STARTERS))
def test_new_writes_a_commented_file_that_validates_and_passes_its_gates(
    tmp_path: Path, family: str
) -> None:
    result = runner.invoke(app, ["new", f"my-{family}", "--from", family, "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / f"my-{family}.yml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=") and text.count("#") > 5
    benchmark = load_benchmark(path)
    assert benchmark.id == f"my-{family}"
    instance = benchmark.instantiate(0)
    checks = asyncio.run(episode_checks(instance, 0))
    failing = [c for c in checks if not c.ok]
    assert not failing, failing
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def test_new_refuses_an_unknown_family_and_an_existing_file(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["new", "x", "--from", "nope", "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "known" in bad.output
    assert runner.invoke(app, ["new", "x", "--dir", str(tmp_path)]).exit_code == 0
    again = runner.invoke(app, ["new", "x", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "exists" in again.output
