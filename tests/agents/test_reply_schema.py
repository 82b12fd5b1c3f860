"""The grammar-mode reply schema is one self-contained document: a server that turns it into
a grammar (llama.cpp) can, and then only valid calls of the menu's tools can be decoded."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from reev.agents.tool_menu import inline_refs, reply_schema
from reev.tools.registry import TOOLS


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return reply_schema(list(TOOLS.values()))


def calls(*items: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": list(items)}


def test_no_reference_is_left_to_resolve(schema: dict[str, Any]) -> None:
    # sol_transfer_many's payments are a $ref into its own $defs: nested in the reply they
    # pointed at the reply's root, llama.cpp's converter failed, and decoding was free JSON.
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text
    jsonschema.Draft202012Validator.check_schema(schema)


def test_only_the_menus_tools_with_their_arguments_validate(schema: dict[str, Any]) -> None:
    valid = jsonschema.Draft202012Validator(schema)
    payment = {"recipient_pubkey": "RECIPIENT_WALLET_PUBKEY", "amount": 5}
    many = {"user_pubkey": "USER_WALLET_PUBKEY", "payments": [payment]}
    assert valid.is_valid(calls({"name": "sol_transfer_many", "arguments": many}))
    assert valid.is_valid({"answer": "done"})
    # the family header of the menu is not a tool (a model called `priority` this way)
    fee = {"user_pubkey": "U", "recipient_pubkey": "R", "amount": 1, "micro_lamports_per_cu": 5}
    assert not valid.is_valid(calls({"name": "priority", "arguments": fee}))
    assert valid.is_valid(calls({"name": "sol_transfer_with_priority_fee", "arguments": fee}))
    # the inlined definition still holds: a payment without its amount is not a call
    short = {"user_pubkey": "U", "payments": [{"recipient_pubkey": "R"}]}
    assert not valid.is_valid(calls({"name": "sol_transfer_many", "arguments": short}))


def test_inline_refs_refuses_what_it_cannot_inline() -> None:
    looped = {"$defs": {"A": {"items": {"$ref": "#/$defs/A"}}}, "items": {"$ref": "#/$defs/A"}}
    with pytest.raises(ValueError, match="refers to itself"):
        inline_refs(looped)
    with pytest.raises(ValueError, match="undefined"):
        inline_refs({"properties": {"x": {"$ref": "#/$defs/Missing"}}})
