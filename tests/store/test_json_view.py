"""A result's one-pass JSON (`to_json_view` encoded by `fast_json`) is its `to_json_dict`
form, and the store keeps the strict refusals of the plain form."""

from __future__ import annotations

import json
import math

import pytest

from reev.results.errors import error_result
from reev.results.records import EpisodeResult
from reev.store.engine import EncodedJson, fast_json, strict_json
from reev.store.rows import episode_rows


def test_every_result_of_a_suite_run_encodes_to_its_json_dict(
    suite_results: list[EpisodeResult],
) -> None:
    results = [*suite_results, error_result("b", "agent", 3, "crashed", kind="infrastructure")]
    steps = [step for r in suite_results for step in r.steps]
    assert any(s.transactions for s in steps) and any(not s.transactions for s in steps)
    assert any(tx.status == "failure" for s in steps for tx in s.transactions)
    for result in results:
        encoded = fast_json(result.to_json_view())
        assert encoded is not None
        assert json.loads(encoded) == result.to_json_dict(), result.benchmark_id


def test_the_json_dict_is_the_model_dump_with_each_steps_last_transaction(
    suite_results: list[EpisodeResult],
) -> None:
    for result in suite_results:
        data = result.to_json_dict()
        for step, raw in zip(result.steps, data["steps"], strict=True):
            tx = step.transaction
            assert raw.pop("transaction") == (
                tx.model_dump(mode="json", exclude={"instructions"}) if tx else None
            )
        assert data == result.model_dump(mode="json"), result.benchmark_id


def test_a_row_without_model_calls_carries_its_encoded_json(
    suite_results: list[EpisodeResult],
) -> None:
    result = suite_results[0]
    row = episode_rows("r", result)
    assert type(row["result_json"]) is EncodedJson
    assert strict_json(row["result_json"]) is row["result_json"]  # stored as it is
    assert json.loads(row["result_json"]) == result.to_json_dict()
    assert (row["prompt_tokens"], row["completion_tokens"], row["cost_usd"]) == (0, 0, None)


@pytest.mark.parametrize("number", [math.nan, math.inf])
def test_a_row_holding_nan_or_infinity_keeps_the_plain_form_the_column_refuses(
    suite_results: list[EpisodeResult], number: float
) -> None:
    result = suite_results[0].model_copy(deep=True)
    result.steps[0].duration_ms = number
    row = episode_rows("r", result)
    assert type(row["result_json"]) is dict
    with pytest.raises(ValueError):
        strict_json(row["result_json"])


def test_text_naming_nan_is_encoded_the_strict_way(suite_results: list[EpisodeResult]) -> None:
    result = suite_results[0].model_copy(update={"prompt": "Send NaN SOL to Infinity"})
    row = episode_rows("r", result)
    assert json.loads(strict_json(row["result_json"]))["prompt"] == "Send NaN SOL to Infinity"
