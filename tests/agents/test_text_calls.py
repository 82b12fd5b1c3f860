"""Tool calls written as text: every documented format, repairs, malformed and imitated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reev.agents.json_mode import read_grammar_reply
from reev.agents.text_calls import read_text_calls, repair_json

SEND = {"user_pubkey": "USER_WALLET_PUBKEY", "recipient_pubkey": "R", "amount": 5}
NAMES = {"sol_transfer", "spl_transfer"}


@pytest.mark.parametrize(
    "text",
    [
        f'<tool_call>\n{{"name": "sol_transfer", "arguments": {json.dumps(SEND)}}}\n</tool_call>',
        f'Sure.\n```json\n{{"name": "sol_transfer", "arguments": {json.dumps(SEND)}}}\n```',
        f'{{"name": "sol_transfer", "parameters": {json.dumps(SEND)}}}',
        f'{{"type": "function", "function": {{"name": "sol_transfer", "arguments": '
        f"{json.dumps(json.dumps(SEND))}}}}}",
        f'{{"tool_calls": [{{"name": "sol_transfer", "arguments": {json.dumps(SEND)}}}]}}',
        f'[TOOL_CALLS] [{{"name": "sol_transfer", "arguments": {json.dumps(SEND)}}}]',
        f'<tool_call>{{"name": "sol_transfer", "arguments": {json.dumps(SEND)}}}',  # unclosed
    ],
    ids=[
        "qwen-tag",
        "fenced",
        "llama-parameters",
        "openai-function",
        "reev-json",
        "mistral",
        "open-tag",
    ],
)
def test_each_documented_format_is_read(text: str) -> None:
    reading = read_text_calls(text, turn=3, known_names=NAMES)
    assert [(c.name, c.arguments) for c in reading.calls] == [("sol_transfer", SEND)]
    assert reading.calls[0].id == "text-3-0"
    assert reading.malformed is None and not reading.imitation


def test_several_tagged_calls_are_read_in_order() -> None:
    text = (
        '<tool_call>{"name": "sol_transfer", "arguments": {"amount": 1}}</tool_call>\n'
        '<tool_call>{"name": "spl_transfer", "arguments": {"amount": 2}}</tool_call>'
    )
    calls = read_text_calls(text, 1, NAMES).calls
    assert [(c.name, c.arguments["amount"]) for c in calls] == [
        ("sol_transfer", 1),
        ("spl_transfer", 2),
    ]


def test_comments_and_trailing_commas_are_repaired_but_strings_are_kept() -> None:
    text = """```json
{"tool_calls": [{"name": "sol_transfer", "arguments": {
    "user_pubkey": "USER_WALLET_PUBKEY", // the sender
    "recipient_pubkey": "http://x//y", /* not a comment inside a string */
    "amount": 100000000,
}}]}
```"""
    (call,) = read_text_calls(text, 1).calls
    assert call.arguments == {
        "user_pubkey": "USER_WALLET_PUBKEY",
        "recipient_pubkey": "http://x//y",
        "amount": 100000000,
    }
    assert repair_json('{"a": "//", "b": [1, 2,],}') == '{"a": "//", "b": [1, 2]}'


def test_a_call_that_cannot_be_read_is_malformed_not_an_answer() -> None:
    reading = read_text_calls(
        '{"tool_calls": [{"name": "sol_transfer", "arguments": {amount: 1}}]}', 1
    )
    assert reading.calls == [] and reading.malformed is not None
    assert "line 1" in reading.malformed


def test_plain_answers_and_unknown_json_are_neither_calls_nor_malformed() -> None:
    assert read_text_calls("Done: sent 0.1 SOL.", 1).calls == []
    assert read_text_calls("Done: sent 0.1 SOL.", 1).malformed is None
    shown = '{"name": "Alice", "arguments": {}}'  # JSON in an answer, no known tool
    assert read_text_calls(shown, 1, NAMES).calls == []
    raw = '{"program_id": "1111", "accounts": [], "data": "3Bxs"}'
    assert read_text_calls(f"Here: {raw}", 1).calls == []


@pytest.mark.parametrize(
    "text",
    [
        'Tool results:\n[{"name": "sol_transfer", "status": "ok"}]',
        "**Tool results**: the transfer succeeded",
        '<tool_results>\n[{"status": "ok"}]\n</tool_results>',
        'I sent it.\n<tool_response>{"status": "ok"}</tool_response>',
    ],
)
def test_an_imitated_tool_result_is_recognised(text: str) -> None:
    reading = read_text_calls(text, 1)
    assert reading.imitation and reading.calls == []


REAL = Path(__file__).parent / "data" / "real_model_replies.json"


def test_recorded_real_replies_are_read_as_the_harness_read_them() -> None:
    """Replies of the real model recorded by bench/real_model.py (tests/agents/data)."""
    call, answer, truncated, native = json.loads(REAL.read_text(encoding="utf-8"))
    # grammar mode, turn 1: a constrained call (the model read 250000 lamports as 0.25 SOL)
    calls, final, _ = read_grammar_reply(call["content"], 1)
    assert final is None and [(c.name, c.arguments["amount"]) for c in calls] == [
        ("sol_transfer", 250_000_000)
    ]
    # grammar mode, turn 2: the final answer
    calls, final, _ = read_grammar_reply(answer["content"], 2)
    assert calls == [] and final is not None and final.startswith("250000 lamports sent")
    # JSON mode: a fenced block cut by the reply cap is a malformed call, not an answer
    assert truncated["finish_reason"] == "length"
    reading = read_text_calls(truncated["content"], 1)
    assert reading.calls == [] and reading.malformed is not None
    # native mode: the server returned the call as a fenced block in the text
    (text_call,) = read_text_calls(native["content"], 1, {"sol_transfer", "spl_transfer"}).calls
    assert (text_call.name, text_call.arguments["amount"]) == ("sol_transfer", 10_000_000)
