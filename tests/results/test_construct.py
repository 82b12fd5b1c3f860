"""`trusted(Model)` builds what `Model.model_construct` builds, and refuses models it
cannot build that way."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field, PrivateAttr

from reev.results.chain import AccountState, MintState, TokenState
from reev.results.construct import trusted
from reev.results.instruction import RawAccountMeta, RawInstruction

CASES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (AccountState, {"pubkey": "P", "exists": False}),
    (AccountState, {"pubkey": "P", "exists": True, "lamports": 5, "owner": "O", "details": {}}),
    (
        AccountState,
        {"pubkey": "P", "exists": True, "mint": MintState(decimals=6, supply=1), "token": None},
    ),
    (MintState, {"decimals": 9, "supply": 0, "mint_authority": "A"}),
    (TokenState, {"mint": "M", "owner": "O", "amount": 3, "decimals": None}),
    (RawAccountMeta, {"pubkey": "K", "is_signer": True}),
    (RawInstruction, {"program_id": "11111111111111111111111111111111"}),
    (RawInstruction, {"program_id": "P", "accounts": [RawAccountMeta(pubkey="K")], "data": "3"}),
]


@pytest.mark.parametrize(("model", "values"), CASES)
def test_the_same_instance_as_model_construct(
    model: type[BaseModel], values: dict[str, Any]
) -> None:
    fast = trusted(model)(**values)
    slow = model.model_construct(**values)
    assert type(fast) is model
    assert fast.__dict__ == slow.__dict__ and list(fast.__dict__) == list(slow.__dict__)
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump() == slow.model_dump() and fast == slow


def test_mutable_defaults_are_not_shared() -> None:
    make = trusted(RawInstruction)
    first, second = make(program_id="P"), make(program_id="P")
    first.accounts.append(RawAccountMeta(pubkey="K"))
    assert second.accounts == []


def test_models_with_aliases_or_private_state_are_refused() -> None:
    class Aliased(BaseModel):
        value: int = Field(alias="v")

    class Private(BaseModel):
        value: int = 0
        _cache: dict[str, int] = PrivateAttr(default_factory=dict)

    for model in (Aliased, Private):
        with pytest.raises(TypeError, match="not a plain record model"):
            trusted(model)
