"""Parametric benchmarks: values drawn from the seed reach prompt, state, assertions and
reference solution; different seeds give different requests; bad templates are located."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import BenchmarkLoadError, load_benchmark, parse_benchmark
from reev.benchmark.model import SolBalanceChangeAssertion
from reev.benchmark.params import BenchmarkTemplate, draw_values, evaluate, ui
from reev.cli.app import app
from reev.runner.episode import run_episode

TEMPLATE = """
id: t-param
description: parametric test
tags: [parametric]
difficulty: easy
parameters:
  who: {{ choice: [ALICE, BOB] }}
  lamports: {{ min: 10000000, max: 900000000, step: 1000000 }}
  double: {{ expr: "lamports * 2" }}
initial_state:
  - {{ pubkey: USER_WALLET_PUBKEY, lamports: 5000000000 }}
  - {{ pubkey: ALICE, lamports: 1000000000 }}
  - {{ pubkey: BOB, lamports: 1000000000 }}
prompt: "Send {{{{ sol(lamports) }}}} SOL to {{{{ who }}}} ({{{{ double }}}})."
ground_truth:
  final_state_assertions:
    - {{ type: SolBalanceChange, pubkey: "{{{{ who }}}}", expected_change_gte: "{{{{ lamports }}}}", expected_change_lte: "{{{{ lamports }}}}" }}
reference_solution:
  - tool_calls:
      - tool: sol_transfer
        args: {{ user_pubkey: USER_WALLET_PUBKEY, recipient_pubkey: "{{{{ who }}}}", amount: "{{{{ lamports }}}}" }}
{extra}
"""


def template(extra: str = "") -> str:
    return TEMPLATE.format(extra=extra)


def test_values_are_typed_and_reach_every_part() -> None:
    b = parse_benchmark(template())
    assert b.is_parametric
    for seed in range(5):
        inst = b.instantiate(seed)
        values = inst.parameter_values
        assert values["who"] in ("ALICE", "BOB") and values["double"] == 2 * values["lamports"]
        assert (
            inst.prompt
            == f"Send {ui(values['lamports'], 9)} SOL to {values['who']} ({values['double']})."
        )
        [a] = inst.ground_truth.final_state_assertions
        assert isinstance(a, SolBalanceChangeAssertion)
        assert a.pubkey == values["who"] and a.expected_change_gte == values["lamports"]
        assert inst.reference_solution is not None
        [call] = inst.reference_solution[0].tool_calls or []
        assert call.args["amount"] == values["lamports"] and isinstance(call.args["amount"], int)


def test_same_seed_same_request_other_seeds_differ() -> None:
    b = parse_benchmark(template())
    assert b.instantiate(7).prompt == parse_benchmark(template()).instantiate(7).prompt
    prompts = {b.instantiate(s).prompt for s in range(10)}
    assert len(prompts) >= 8
    assert b.instantiate(0).model_dump() == b.model_dump()  # the loaded instance is seed 0


def test_the_reference_solves_every_drawn_instance() -> None:
    b = parse_benchmark(template())
    for seed in (0, 1, 2, 3):
        result = asyncio.run(run_episode(b.instantiate(seed), DeterministicAgent(), seed=seed))
        assert result.passed and result.score == 1.0, (seed, result.error)


def test_non_parametric_benchmarks_are_their_own_instances(bundled: Path) -> None:
    b = load_benchmark(bundled / "001-sol-transfer.yml")
    assert not b.is_parametric and b.instantiate(3) is b and b.parameter_values == {}


def test_unknown_parameter_is_located() -> None:
    text = template().replace('"Send {{ sol(lamports) }}', '"Send {{ sol(lamprts) }}')
    with pytest.raises(BenchmarkLoadError) as info:
        parse_benchmark(text, "p.yml")
    [issue] = info.value.issues
    assert issue.field == "prompt" and "unknown parameter 'lamprts'" in issue.message
    assert (
        issue.line
        == text.splitlines().index(next(ln for ln in text.splitlines() if ln.startswith("prompt")))
        + 1
    )


def test_disallowed_expressions_and_bad_specs_are_errors() -> None:
    with pytest.raises(ValueError, match="do not allow"):
        evaluate("__import__('os')", {})
    with pytest.raises(ValueError, match="do not allow"):
        evaluate("lamports ** 2", {"lamports": 3})
    bad = template().replace(
        "{ min: 10000000, max: 900000000, step: 1000000 }", "{ min: 9, max: 1 }"
    )
    with pytest.raises(BenchmarkLoadError) as info:
        parse_benchmark(bad, "p.yml")
    assert info.value.issues[0].field.startswith("parameters.lamports")
    both = template().replace("{ choice: [ALICE, BOB] }", "{ choice: [ALICE], min: 1, max: 2 }")
    with pytest.raises(BenchmarkLoadError, match="exactly one of"):
        parse_benchmark(both, "p.yml")


def test_an_invalid_instance_names_its_seed() -> None:
    data = yaml.safe_load(
        template().replace("lamports: 5000000000 }", 'lamports: "{{ -lamports }}" }')
    )
    with pytest.raises(ValueError, match="invalid for seed 4"):
        BenchmarkTemplate(data).instantiate(4)


def test_draws_are_independent_per_parameter_and_stable() -> None:
    b = parse_benchmark(template())
    assert b.parameters is not None
    first = draw_values(b.parameters, "t-param", 11)
    assert first == draw_values(b.parameters, "t-param", 11)
    assert ui(12_500_000, 6) == "12.5" and ui(3, 0) == "3" and ui(1, 9) == "0.000000001"


def test_reev_list_shows_the_drawn_prompt(bundled: Path) -> None:
    path = str(bundled / "600-param-sol-transfer.yml")
    runner = CliRunner()
    rows = {}
    for seed in (1, 2):
        result = runner.invoke(app, ["list", path, "--seed", str(seed), "--json"])
        assert result.exit_code == 0, result.output
        [row] = json.loads(result.output)
        rows[seed] = row
        assert "{{" not in row["prompt"] and row["parameters"]["lamports"] > 0
    assert rows[1]["prompt"] != rows[2]["prompt"]
