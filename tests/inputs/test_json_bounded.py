"""`load_json` refuses what is over a limit and says where, before building anything."""

from __future__ import annotations

import pytest

from reev.inputs.json_bounded import JsonLimitError, JsonLimits, load_json


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[\n" + "  [" * 70 + "]" * 70 + "\n]",
            "nested deeper than 64 levels (line 2, column 192)",
        ),
        (
            '{"a": "NaN",\n "b": NaN}',
            "NaN is not valid JSON (numbers must be finite) (line 2, column 7)",
        ),
        ('{"x":\n  ' + "9" * 200 + "}", "integer with 200 digits (at most 100) (line 2, column 3)"),
        ('{"a": "1e999", "b": 1e999}', "1e999 is not a finite number (line 1, column 21)"),
    ],
)
def test_a_refusal_names_the_limit_and_its_line_and_column(text: str, message: str) -> None:
    with pytest.raises(JsonLimitError) as refused:
        load_json(text)
    assert str(refused.value).endswith(message)
    line, column = refused.value.position or (0, 0)  # also as data, for file:line:col
    assert message.endswith(f"(line {line}, column {column})")
    assert str(refused.value) == f"{refused.value.reason} (line {line}, column {column})"


def test_a_syntax_error_says_where_in_the_same_words() -> None:
    with pytest.raises(JsonLimitError) as refused:
        load_json('{"a": 1,\n "b" 2}')
    assert str(refused.value) == "invalid JSON: Expecting ':' delimiter (line 2, column 6)"
    assert refused.value.position == (2, 6)


def test_brackets_and_numbers_inside_strings_are_text() -> None:
    deep_text = '{"s": "' + "[" * 500 + '", "n": "' + "9" * 500 + '"}'
    assert load_json(deep_text, JsonLimits(max_depth=2))["s"] == "[" * 500


def test_the_size_limit_comes_before_parsing() -> None:
    with pytest.raises(JsonLimitError, match="larger than 10 bytes"):
        load_json("[" * 11, JsonLimits(max_bytes=10))
