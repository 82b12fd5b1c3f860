"""pydantic models of the benchmark format: reev's keys, kept whole, plus reev's extensions.

Keys that the Rust reev parsed but ignored (`min_score`, `success_criteria`, …) are typed
fields here so that nothing in a file is silently dropped. Unknown keys are rejected with
a message naming them: a typo in a benchmark must not pass unnoticed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reev.programs.raw import RawInstruction

SYSTEM_PROGRAM_ID = "11111111111111111111111111111111"
TOKEN_PROGRAM_ID = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM_ID = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
TOKEN_PROGRAM_IDS = frozenset({TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID})

U64_MAX = 2**64 - 1


def _to_u64(value: Any) -> int:
    """reev writes token amounts as strings ("50000000"); accept those and plain integers."""
    if isinstance(value, bool):
        raise ValueError("expected an unsigned integer, got a boolean")
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text.isdigit():
            raise ValueError(f"expected an unsigned integer, got {value!r}")
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected an unsigned integer, got {value!r}")
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"expected an unsigned integer, got {type(value).__name__}")
    if not 0 <= value <= U64_MAX:
        raise ValueError(f"{value} is outside the u64 range")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TokenAccountData(_Strict):
    """The `data:` block of a token-account item: which mint, whose account, how much."""

    mint: str
    owner: str
    amount: int = 0
    delegate: str | None = None
    delegated_amount: int = 0

    @field_validator("amount", "delegated_amount", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int:
        return _to_u64(v)


class MintData(_Strict):
    """reev extension: a mint declared by the benchmark (`mint:` on an item)."""

    decimals: int = Field(ge=0, le=255)
    supply: int | None = None  # default: the sum of the declared token accounts of this mint
    mint_authority: str | None = None
    freeze_authority: str | None = None

    @field_validator("supply", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int | None:
        return None if v is None else _to_u64(v)


class InitialStateItem(_Strict):
    """One account of the initial state: a wallet, a token account, a mint or any account."""

    pubkey: str
    owner: str = SYSTEM_PROGRAM_ID
    lamports: int | None = None
    data: TokenAccountData | None = None
    # reev extensions
    mint: MintData | None = None
    data_base64: str | None = None
    executable: bool = False

    @field_validator("lamports", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int | None:
        return None if v is None else _to_u64(v)

    @model_validator(mode="after")
    def _one_kind(self) -> InitialStateItem:
        kinds = [k for k in ("data", "mint", "data_base64") if getattr(self, k) is not None]
        if len(kinds) > 1:
            raise ValueError(f"an item has one of data, mint, data_base64; got {', '.join(kinds)}")
        if (self.data is not None or self.mint is not None) and self.owner not in TOKEN_PROGRAM_IDS:
            what = "a token account (data:)" if self.data is not None else "a mint (mint:)"
            raise ValueError(
                f"{what} must be owned by SPL Token ({TOKEN_PROGRAM_ID}) or Token-2022 "
                f"({TOKEN_2022_PROGRAM_ID}), not {self.owner}"
            )
        return self

    @property
    def is_token_account(self) -> bool:
        return self.data is not None and self.owner in TOKEN_PROGRAM_IDS

    @property
    def is_mint(self) -> bool:
        return self.mint is not None


class AddressDerivation(_Strict):
    """Where an assertion's account is: the associated token account of (owner, mint)."""

    type: Literal["AssociatedTokenAccount"]
    owner: str
    mint: str
    token_program: str = TOKEN_PROGRAM_ID


class _AssertionBase(_Strict):
    pubkey: str
    weight: float = Field(default=1.0, ge=0)


class SolBalanceAssertion(_AssertionBase):
    """Final lamports of `pubkey` equal `expected`."""

    type: Literal["SolBalance"]
    expected: int

    @field_validator("expected", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int:
        return _to_u64(v)


class SolBalanceChangeAssertion(_AssertionBase):
    """Final minus initial lamports lies within [expected_change_gte, expected_change_lte]."""

    type: Literal["SolBalanceChange"]
    expected_change_gte: int | None = None
    expected_change_lte: int | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> SolBalanceChangeAssertion:
        if self.expected_change_gte is None and self.expected_change_lte is None:
            raise ValueError(
                "SolBalanceChange needs expected_change_gte and/or expected_change_lte"
            )
        return self


class TokenAccountBalanceAssertion(_AssertionBase):
    """The token amount of an account equals / is at least / is at most a value."""

    type: Literal["TokenAccountBalance"]
    expected: int | None = None
    expected_gte: int | None = None
    expected_lte: int | None = None
    address_derivation: AddressDerivation | None = None
    mint: str | None = None  # present in reev's 200; informative only

    @field_validator("expected", "expected_gte", "expected_lte", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int | None:
        return None if v is None else _to_u64(v)

    @model_validator(mode="after")
    def _some_bound(self) -> TokenAccountBalanceAssertion:
        if self.expected is None and self.expected_gte is None and self.expected_lte is None:
            raise ValueError("TokenAccountBalance needs expected, expected_gte or expected_lte")
        return self


StateAssertion = Annotated[
    SolBalanceAssertion | SolBalanceChangeAssertion | TokenAccountBalanceAssertion,
    Field(discriminator="type"),
]

ASSERTION_TYPES: tuple[str, ...] = ("SolBalance", "SolBalanceChange", "TokenAccountBalance")


class ExpectedAccount(_Strict):
    """One expected account of an expected instruction (compared by position)."""

    pubkey: str
    is_signer: bool = False
    is_writable: bool = False
    weight: float = 1.0


class ExpectedInstruction(_Strict):
    """One instruction of reev's `expected_instructions`, with its scoring weights."""

    program_id: str
    program_id_weight: float = 1.0
    accounts: list[ExpectedAccount] = Field(default_factory=list)
    data: str | None = None
    data_weight: float | None = None

    @property
    def data_scored(self) -> bool:
        """reev scores data only when present, not "...", and a data_weight is set."""
        return self.data is not None and self.data.strip() != "..." and self.data_weight is not None


class ToolCallSpec(_Strict):
    """A tool call of a reference solution: tool name and its arguments."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class ReferenceStep(_Strict):
    """reev extension: what the reference agent does for one step.

    Either raw instructions (executed as one transaction) or tool calls (each executed
    as its own transaction, as an LLM agent's would be).
    """

    instructions: list[RawInstruction] | None = None
    tool_calls: list[ToolCallSpec] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ReferenceStep:
        if (self.instructions is None) == (self.tool_calls is None):
            raise ValueError("a reference step has either instructions or tool_calls")
        return self


class GroundTruth(_Strict):
    """What a correct run looks like; reev's ignored keys are kept as typed data."""

    transaction_status: str = "Success"
    final_state_assertions: list[StateAssertion]
    expected_instructions: list[ExpectedInstruction] = Field(default_factory=list)
    skip_instruction_validation: bool = False
    min_score: float | None = Field(default=None, ge=0, le=1)
    success_criteria: list[dict[str, Any]] = Field(default_factory=list)
    expected_api_calls: list[dict[str, Any]] = Field(default_factory=list)
    response_validation: list[dict[str, Any]] = Field(default_factory=list)
    expected_data_structure: list[dict[str, Any]] = Field(default_factory=list)
    tool_validation: list[dict[str, Any]] = Field(default_factory=list)


class FlowStep(_Strict):
    """One step of a multi-step (`flow:`) benchmark."""

    step: int = Field(ge=1)
    description: str = ""
    prompt: str
    critical: bool = False
    timeout: int | None = Field(default=None, ge=1)
    depends_on: list[str] = Field(default_factory=list)
    ground_truth: GroundTruth | None = None


class Benchmark(_Strict):
    """A whole benchmark file."""

    id: str = Field(min_length=1)
    description: str
    tags: list[str]
    initial_state: list[InitialStateItem]
    prompt: str
    flow: list[FlowStep] | None = None
    ground_truth: GroundTruth
    # reev extensions
    difficulty: str | None = None
    reference_solution: list[ReferenceStep] | None = None

    @model_validator(mode="after")
    def _check(self) -> Benchmark:
        if not any(item.pubkey == "USER_WALLET_PUBKEY" for item in self.initial_state):
            raise ValueError("initial_state must declare USER_WALLET_PUBKEY (the fee payer)")
        seen: set[str] = set()
        for item in self.initial_state:
            if item.pubkey in seen:
                raise ValueError(f"initial_state declares {item.pubkey} twice")
            seen.add(item.pubkey)
        if self.flow is not None:
            numbers = [s.step for s in self.flow]
            if numbers != list(range(1, len(numbers) + 1)):
                raise ValueError(f"flow steps must be numbered 1..n in order, got {numbers}")
        if self.reference_solution is not None and len(self.reference_solution) != self.step_count:
            raise ValueError(
                f"reference_solution has {len(self.reference_solution)} step(s); "
                f"the benchmark has {self.step_count}"
            )
        return self

    @property
    def step_count(self) -> int:
        return len(self.flow) if self.flow else 1

    @property
    def step_prompts(self) -> list[str]:
        """The prompt of each step: the flow's prompts, or the single prompt."""
        return [s.prompt for s in self.flow] if self.flow else [self.prompt]
