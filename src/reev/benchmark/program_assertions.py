"""Assertion types for the programs beyond SPL Token basics (reev extensions).

* `AccountField`: one decoded field of an account at the end (a stake's voter and status,
  a token account's frozen state or close authority, a mint's authorities or Token-2022
  extensions, a nonce's stored value, a lookup table's addresses), compared with a value,
  bounds, or its value at the start.
* `ComputeBudget`: a successful transaction of the episode carried this compute-unit
  price (and limit), read from the instructions it really executed.

Evaluated in `reev.scoring.program_assertions`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AccountFieldDerivation(_Strict):
    type: Literal["AssociatedTokenAccount"]
    owner: str
    mint: str
    token_program: str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"


class LookupTableDerivation(_Strict):
    """The address lookup table `authority` creates at `recent_slot` (a PDA)."""

    type: Literal["LookupTable"]
    authority: str
    recent_slot: int = Field(ge=0)


class AccountFieldAssertion(_Strict):
    """`field` (a dotted path, e.g. `stake.voter`, `token.state`, `mint.mint_authority`,
    `mint.extensions.transfer_fee.basis_points`, `lookup_table.count`) of the account
    at the end equals `expected` (placeholders resolve to pubkeys; null: absent/none),
    lies within `expected_gte`/`expected_lte`, and/or changed (or not) since the start."""

    type: Literal["AccountField"]
    pubkey: str
    field: str = Field(min_length=1, max_length=200)
    expected: Any = None
    expected_gte: int | None = None
    expected_lte: int | None = None
    changed: bool | None = None
    weight: float = Field(default=1.0, ge=0)
    address_derivation: AccountFieldDerivation | LookupTableDerivation | None = Field(
        default=None, discriminator="type"
    )

    @model_validator(mode="after")
    def _some_check(self) -> AccountFieldAssertion:
        given = self.model_fields_set & {"expected", "expected_gte", "expected_lte", "changed"}
        if not given:
            raise ValueError(
                "AccountField needs expected, expected_gte, expected_lte and/or changed"
            )
        return self


class ComputeBudgetAssertion(_Strict):
    """A successful transaction signed by `pubkey` set this compute-unit price (and
    limit, when given) and, with `with_transfer_to`, also moved SOL to that account."""

    type: Literal["ComputeBudget"]
    pubkey: str = "USER_WALLET_PUBKEY"
    micro_lamports_per_cu: int | None = Field(default=None, ge=0)
    compute_unit_limit: int | None = Field(default=None, ge=1)
    with_transfer_to: str | None = None
    weight: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _some_check(self) -> ComputeBudgetAssertion:
        if self.micro_lamports_per_cu is None and self.compute_unit_limit is None:
            raise ValueError("ComputeBudget needs micro_lamports_per_cu and/or compute_unit_limit")
        return self
