"""Initial-state kinds for the programs beyond System and SPL Token (reev extensions).

A benchmark declares a vote account, a stake account, a durable nonce, an address
lookup table or a token multisig as data; `reev.chain.program_state` packs each into the
exact bytes the real program writes, so the embedded VM's Stake, System, Address Lookup
Table and Token programs act on them as on mainnet accounts. Token-2022 extensions of a
mint or a token account are declared the same way (`MintExtensions`, `extensions:` on a
token account).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

STAKE_PROGRAM_ID = "Stake11111111111111111111111111111111111111"
VOTE_PROGRAM_ID = "Vote111111111111111111111111111111111111111"
LOOKUP_TABLE_PROGRAM_ID = "AddressLookupTab1e1111111111111111111111111"
U64_MAX = 2**64 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def new_list() -> list[Any]:
    """A fresh empty list: the benchmark models' `default_factory` instead of `list`.

    pydantic reads every default factory's signature; for a builtin such as `list` or
    `dict`, `inspect` parses its text signature and first compiles tokenize's patterns,
    ~2% of `reev validate`'s start-up. A Python function's signature costs nothing."""
    return []


def new_dict() -> dict[str, Any]:
    """A fresh empty dict (see `new_list`)."""
    return {}


def _u64(value: Any) -> int:
    if isinstance(value, str) and value.strip().replace("_", "").isdigit():
        value = int(value.strip().replace("_", ""))
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U64_MAX:
        raise ValueError(f"expected an unsigned 64-bit integer, got {value!r}")
    return value


class VoteAccountData(_Strict):
    """A validator's vote account (Vote program): what a stake account delegates to."""

    node: str = Field(description="The validator identity (placeholder or base58).")
    authorized_withdrawer: str | None = None  # default: the node
    commission: int = Field(default=0, ge=0, le=100)


class StakeAccountData(_Strict):
    """A stake account (Stake program), initialized and optionally delegated.

    `voter` set: delegated to that vote account with `stake` lamports (default: the
    account's lamports minus its rent-exempt reserve) from `activation_epoch`;
    `deactivation_epoch` set: deactivation was requested in that epoch (a stake is
    withdrawable once the chain's epoch is past it).
    """

    staker: str
    withdrawer: str
    voter: str | None = None
    stake: int | None = None
    activation_epoch: int = Field(default=0, ge=0)
    deactivation_epoch: int | None = Field(default=None, ge=0)
    lockup_epoch: int = Field(default=0, ge=0)
    custodian: str | None = None

    @field_validator("stake", mode="before")
    @classmethod
    def _stake_u64(cls, v: Any) -> int | None:
        return None if v is None else _u64(v)

    @model_validator(mode="after")
    def _delegated(self) -> StakeAccountData:
        if self.voter is None and (self.stake is not None or self.deactivation_epoch is not None):
            raise ValueError("stake / deactivation_epoch need a voter (a delegated stake)")
        return self


class NonceAccountData(_Strict):
    """A durable nonce account (System program) with its authority; the stored nonce is
    derived from the seed and the account's name."""

    authority: str


class LookupTableData(_Strict):
    """An address lookup table with its authority (null: frozen) and addresses."""

    authority: str | None
    addresses: list[str] = Field(default_factory=new_list, max_length=256)


class MultisigData(_Strict):
    """An SPL Token multisig: `m` of the listed signers must sign."""

    m: int = Field(ge=1, le=11)
    signers: list[str] = Field(min_length=1, max_length=11)

    @model_validator(mode="after")
    def _threshold(self) -> MultisigData:
        if self.m > len(self.signers):
            raise ValueError(f"m = {self.m} is more than the {len(self.signers)} signers")
        return self


class TransferFeeData(_Strict):
    """Token-2022 transfer fee: `basis_points` of each transfer, at most `maximum_fee`."""

    basis_points: int = Field(ge=0, le=10_000)
    maximum_fee: int = 0
    authority: str | None = None
    withdraw_authority: str | None = None

    @field_validator("maximum_fee", mode="before")
    @classmethod
    def _max_u64(cls, v: Any) -> int:
        return _u64(v)


class InterestBearingData(_Strict):
    """Token-2022 interest-bearing config: an annual rate in basis points."""

    rate_bps: int = Field(ge=-32768, le=32767)
    authority: str | None = None


class TokenMetadataData(_Strict):
    """Token-2022 on-mint metadata (with a metadata pointer to the mint itself)."""

    name: str = Field(max_length=200)
    symbol: str = Field(max_length=50)
    uri: str = Field(default="", max_length=400)
    update_authority: str | None = None
    additional: dict[str, str] = Field(default_factory=new_dict)


class MintExtensions(_Strict):
    """The Token-2022 extensions of a declared mint (owner must be Token-2022)."""

    transfer_fee: TransferFeeData | None = None
    non_transferable: bool = False
    default_state: Literal["initialized", "frozen"] | None = None
    permanent_delegate: str | None = None
    interest_bearing: InterestBearingData | None = None
    metadata: TokenMetadataData | None = None
    close_authority: str | None = None


class TokenAccountExtensions(_Strict):
    """The Token-2022 extensions of a token account beyond those its mint requires."""

    memo_required: bool = False


PROGRAM_STATE_KINDS: dict[str, str] = {
    "vote": VOTE_PROGRAM_ID,
    "stake": STAKE_PROGRAM_ID,
    "nonce": "11111111111111111111111111111111",
    "lookup_table": LOOKUP_TABLE_PROGRAM_ID,
}
