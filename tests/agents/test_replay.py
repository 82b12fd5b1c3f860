"""The replay agent: predictions files scored without re-running a model."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from reev.agents.replay import PredictionsError, ReplayAgent, load_predictions
from reev.benchmark.loader import load_benchmark
from reev.runner.episode import run_episode

SOL_TRANSFER = {
    "program_id": "11111111111111111111111111111111",
    "accounts": [
        {"pubkey": "USER_WALLET_PUBKEY", "is_signer": True, "is_writable": True},
        {"pubkey": "RECIPIENT_WALLET_PUBKEY", "is_signer": False, "is_writable": True},
    ],
    "data": "3Bxs411Dtc7pkFQj",
}


def write(tmp_path: Path, *lines: object) -> Path:
    p = tmp_path / "preds.jsonl"
    p.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return p


def test_replayed_instructions_are_executed_and_scored(tmp_path: Path, originals: Path) -> None:
    preds = write(tmp_path, {"benchmark_id": "001-sol-transfer", "instructions": [SOL_TRANSFER]})
    b = load_benchmark(originals / "001-sol-transfer.yml")
    r = asyncio.run(run_episode(b, ReplayAgent.from_file(preds)))
    assert r.status == "completed" and r.score == 1.0
    assert r.steps[0].transactions[0].status == "success"


def test_steps_form(tmp_path: Path) -> None:
    preds = write(
        tmp_path,
        {"benchmark_id": "x", "steps": [{"instructions": [SOL_TRANSFER]}, {"instructions": []}]},
    )
    assert [len(s) for s in load_predictions(preds)["x"].step_instructions()] == [1, 0]


def test_missing_prediction_is_an_error_result(tmp_path: Path, originals: Path) -> None:
    preds = write(tmp_path, {"benchmark_id": "other", "instructions": []})
    b = load_benchmark(originals / "001-sol-transfer.yml")
    r = asyncio.run(run_episode(b, ReplayAgent.from_file(preds)))
    assert r.status == "error" and "no prediction for benchmark '001-sol-transfer'" in (
        r.error or ""
    )


def test_invalid_pubkey_in_prediction_is_an_error_result(tmp_path: Path, originals: Path) -> None:
    bad = dict(SOL_TRANSFER, accounts=[{"pubkey": "NOPE", "is_signer": True, "is_writable": True}])
    preds = write(tmp_path, {"benchmark_id": "001-sol-transfer", "instructions": [bad]})
    b = load_benchmark(originals / "001-sol-transfer.yml")
    r = asyncio.run(run_episode(b, ReplayAgent.from_file(preds)))
    assert r.status == "error" and r.score == 0.0
    assert "'NOPE' is neither a base58 pubkey nor a known placeholder" in (r.error or "")
    assert r.steps[0].transactions[0].status == "rejected"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "preds.jsonl:2:2: invalid JSON: Expecting property name"),
        # a refused number: the column within the line, not "(line 1, column N)"
        ('{"benchmark_id": "a", "x": NaN}', "preds.jsonl:2:28: NaN is not valid JSON"),
        ('{"benchmark_id": "a"}', "preds.jsonl:2: line: Value error, a prediction has either"),
        (
            '{"benchmark_id": "a", "instructions": [{"program_id": 5}]}',
            "preds.jsonl:2: instructions.0.program_id",
        ),
        ('{"benchmark_id": "001-sol-transfer", "instructions": []}', "second prediction"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    preds = write(tmp_path, {"benchmark_id": "001-sol-transfer", "instructions": []}, line)
    with pytest.raises(PredictionsError) as info:
        load_predictions(preds)
    assert message in str(info.value)
