"""The JSON columns' encoder: the fast serializer's text, and every refusal of `json.dumps`."""

from __future__ import annotations

import json
import math

import pytest

from reev.store.engine import strict_json


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1.5, None, True], "c": {"d": "é ünï ✓"}},
        {"amount": 10**30, "neg": -(2**70)},  # beyond 64 bits, as an agent may write
        {"text": "NaN and Infinity as words", "n": 1},  # the words alone are no number
        {"lone": "\ud800"},  # a lone surrogate: json.dumps escapes it
        [],
        "plain",
    ],
)
def test_it_encodes_what_json_encodes_to_the_same_value(value: object) -> None:
    assert json.loads(strict_json(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_it_refuses_nan_and_infinities_wherever_they_are(number: float) -> None:
    for value in (number, {"score": number}, {"steps": [{"args": {"x": [number]}}]}):
        with pytest.raises(ValueError):
            strict_json(value)


def test_it_refuses_a_value_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        strict_json({"blob": object()})
