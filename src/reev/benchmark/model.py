"""pydantic models of the benchmark format: reev's keys, kept whole, plus reev's extensions.

Keys that the Rust reev parsed but ignored (`min_score`, `success_criteria`, …) are typed
fields here so that nothing in a file is silently dropped. Unknown keys are rejected with
a message naming them: a typo in a benchmark must not pass unnoticed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, Protocol, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    SerializeAsAny,
    TypeAdapter,
    field_validator,
    model_validator,
)

from reev.benchmark.keys import is_placeholder
from reev.benchmark.program_assertions import AccountFieldAssertion, ComputeBudgetAssertion
from reev.benchmark.program_state import (
    PROGRAM_STATE_KINDS,
    LookupTableData,
    MintExtensions,
    MultisigData,
    NonceAccountData,
    StakeAccountData,
    TokenAccountExtensions,
    VoteAccountData,
    new_dict,
    new_list,
)
from reev.benchmark.tool_families import known_families
from reev.plugins.registry import Registry
from reev.results.instruction import RawInstruction

SYSTEM_PROGRAM_ID = "11111111111111111111111111111111"
TOKEN_PROGRAM_ID = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM_ID = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
TOKEN_PROGRAM_IDS = frozenset({TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID})

U64_MAX = 2**64 - 1
AGENT_WALLET = "USER_WALLET_PUBKEY"  # the fee payer; always the agent's own key


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
    # reev extensions: frozen accounts, close authority, Token-2022 account extensions
    state: Literal["initialized", "frozen"] = "initialized"
    close_authority: str | None = None
    extensions: TokenAccountExtensions | None = None

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
    extensions: MintExtensions | None = None  # Token-2022 only

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
    # reev extensions: accounts of the Vote, Stake, System (nonce), Address Lookup Table
    # and Token (multisig) programs, packed by reev.chain.program_state
    vote: VoteAccountData | None = None
    stake: StakeAccountData | None = None
    nonce: NonceAccountData | None = None
    lookup_table: LookupTableData | None = None
    multisig: MultisigData | None = None

    @field_validator("lamports", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int | None:
        return None if v is None else _to_u64(v)

    @model_validator(mode="after")
    def _one_kind(self) -> InitialStateItem:
        kinds = [k for k in _ITEM_KINDS if getattr(self, k) is not None]
        if len(kinds) > 1:
            raise ValueError(f"an item has one of {', '.join(_ITEM_KINDS)}; got {', '.join(kinds)}")
        program = PROGRAM_STATE_KINDS.get(kinds[0]) if kinds else None
        if program is not None and self.owner != program:
            if "owner" in self.model_fields_set:
                raise ValueError(f"a {kinds[0]} account is owned by {program}, not {self.owner}")
            self.owner = program
        if self.multisig is not None and self.owner not in TOKEN_PROGRAM_IDS:
            if "owner" in self.model_fields_set:
                raise ValueError("a multisig (multisig:) must be owned by SPL Token or Token-2022")
            self.owner = TOKEN_PROGRAM_ID
        t22 = self.owner == TOKEN_2022_PROGRAM_ID
        if self.mint is not None and self.mint.extensions is not None and not t22:
            raise ValueError("mint extensions need a Token-2022 mint")
        if self.data is not None and self.data.extensions is not None and not t22:
            raise ValueError("token account extensions need a Token-2022 account")
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


_ITEM_KINDS = ("data", "mint", "data_base64", "vote", "stake", "nonce", "lookup_table", "multisig")


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


class TokenBalanceChangeAssertion(_AssertionBase):
    """reev extension: final minus initial token amount of an account.

    An account that does not exist counts as holding 0 (a new ATA that received 5
    tokens changed by +5; a closed account changed by minus what it held).
    """

    type: Literal["TokenBalanceChange"]
    expected_change: int | None = None
    expected_change_gte: int | None = None
    expected_change_lte: int | None = None
    address_derivation: AddressDerivation | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> TokenBalanceChangeAssertion:
        if (
            self.expected_change is None
            and self.expected_change_gte is None
            and self.expected_change_lte is None
        ):
            raise ValueError(
                "TokenBalanceChange needs expected_change, expected_change_gte or "
                "expected_change_lte"
            )
        return self


class AccountExistsAssertion(_AssertionBase):
    """reev extension: the account exists at the end, optionally with an owner program,
    and (for token accounts) a mint and a token owner."""

    type: Literal["AccountExists"]
    owner: str | None = None  # the program that owns the account
    mint: str | None = None
    token_owner: str | None = None
    address_derivation: AddressDerivation | None = None


class AccountClosedAssertion(_AssertionBase):
    """reev extension: the account does not exist at the end (closed, or never created)."""

    type: Literal["AccountClosed"]
    address_derivation: AddressDerivation | None = None


class MintSupplyAssertion(_AssertionBase):
    """reev extension: the supply of the mint `pubkey` equals / is within bounds / changed by."""

    type: Literal["MintSupply"]
    expected: int | None = None
    expected_gte: int | None = None
    expected_lte: int | None = None
    expected_change: int | None = None

    @field_validator("expected", "expected_gte", "expected_lte", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int | None:
        return None if v is None else _to_u64(v)

    @model_validator(mode="after")
    def _some_bound(self) -> MintSupplyAssertion:
        if all(
            v is None
            for v in (self.expected, self.expected_gte, self.expected_lte, self.expected_change)
        ):
            raise ValueError(
                "MintSupply needs expected, expected_gte, expected_lte or expected_change"
            )
        return self


class TokenDelegateAssertion(_AssertionBase):
    """reev extension: the delegate of a token account at the end.

    `delegate: null` (or absent) means no delegate may be set. With a delegate,
    `delegated_amount` (when given) must match exactly.
    """

    type: Literal["TokenDelegate"]
    delegate: str | None = None
    delegated_amount: int | None = None
    address_derivation: AddressDerivation | None = None

    @field_validator("delegated_amount", mode="before")
    @classmethod
    def _u64(cls, v: Any) -> int | None:
        return None if v is None else _to_u64(v)

    @model_validator(mode="after")
    def _amount_needs_delegate(self) -> TokenDelegateAssertion:
        if self.delegate is None and self.delegated_amount not in (None, 0):
            raise ValueError("TokenDelegate: delegated_amount needs a delegate")
        return self


class MemoPresentAssertion(_Strict):
    """reev extension: a successful transaction of the episode carries this memo.

    `pubkey` is the wallet that must sign the memo (the user by default);
    `match: contains` accepts a memo that contains the text. With `with_payment_to`
    (a placeholder or pubkey) the memo must be in the very transaction that pays that
    account: a System transfer to it, or a token transfer into it (or into its associated
    token account) — a payment memo annotates the payment, not some other transaction.
    At most `max_count` successful transactions may carry it (default 1): a note asked
    for once and written six times is not what the user asked (a real model did that).
    """

    type: Literal["MemoPresent"]
    memo: str = Field(min_length=1)
    match: Literal["exact", "contains"] = "exact"
    pubkey: str = "USER_WALLET_PUBKEY"
    with_payment_to: str | None = None
    max_count: int = Field(default=1, ge=1)
    weight: float = Field(default=1.0, ge=0)


class AnswerNumberAssertion(_Strict):
    """reev extension: the agent's final answer states a number.

    `expected` is in `unit`: `SOL`, `lamports`, or `token` (a UI amount). The answer
    passes when a number it states equals `expected` within `tolerance` (same unit); a
    number written with the other SOL unit ("100000000 lamports" for 0.1 SOL) is
    converted. An answer that states more than `max_numbers` distinct numbers in the
    unit fails, so listing candidates cannot win. Which answer: the step's final text
    (for a flow step's ground truth) or the last step's (for the episode's).
    """

    type: Literal["AnswerNumber"]
    expected: float | None = None
    # Or: the number must be what the chain holds when the step ends (an honest report of
    # the actual state passes whatever earlier steps did): this account's lamports, token
    # amount (a UI amount for unit `token`) or mint supply.
    state_of: str | None = None
    state_field: Literal["lamports", "amount", "supply"] = "lamports"
    unit: Literal["SOL", "lamports", "token"] = "SOL"
    # With unit `token`: `expected` is in base units and the answer in tokens (UI amount).
    decimals: int | None = Field(default=None, ge=0, le=255)
    tolerance: float = Field(default=0.0, ge=0)
    max_numbers: int = Field(default=3, ge=1)
    pubkey: str = "answer"
    weight: float = Field(default=1.0, ge=0)

    @field_validator("expected", "tolerance")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and (v != v or v in (float("inf"), float("-inf"))):
            raise ValueError("must be a finite number")
        return v

    @model_validator(mode="after")
    def _one_expectation(self) -> AnswerNumberAssertion:
        if (self.expected is None) == (self.state_of is None):
            raise ValueError("AnswerNumber needs exactly one of expected, state_of")
        if self.decimals is not None and (self.unit != "token" or self.expected is None):
            raise ValueError("AnswerNumber: decimals goes with unit: token and expected")
        return self


class AnswerMatchesAssertion(_Strict):
    """reev extension: the agent's final answer matches a regular expression.

    Placeholders in `pattern` are replaced by their pubkeys first. `forbid` (optional) is
    a pattern the answer must not match (e.g. an injected address repeated as advice).
    Searched case-insensitively unless `case_sensitive`.
    """

    type: Literal["AnswerMatches"]
    pattern: str = Field(min_length=1, max_length=2000)
    forbid: str | None = Field(default=None, max_length=2000)
    case_sensitive: bool = False
    pubkey: str = "answer"
    weight: float = Field(default=1.0, ge=0)

    @field_validator("pattern", "forbid")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return v


class UnchangedAssertion(_Strict):
    """reev extension: each listed account is identical before and after (existence,
    lamports, owner, token amount/delegate, mint supply). Not for the fee payer, whose
    lamports pay every transaction's fee."""

    type: Literal["Unchanged"]
    pubkeys: list[str] = Field(min_length=1)
    pubkey: str = ""  # set to the first of pubkeys; kept so every assertion has one
    weight: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _first(self) -> UnchangedAssertion:
        if not self.pubkey:
            self.pubkey = self.pubkeys[0]
        return self


class PluginAssertion(_Strict):
    """The base of an assertion type a plugin registers (docs/plugins.md).

    A subclass sets `type: Literal["MyType"]` and its own fields; `pubkey` is the account
    it is about (a placeholder or a base58 address: reev observes it before and after),
    `weight` its share of the outcome score. `governs` names the fields of that account
    the assertion judges (e.g. `("lamports",)`): the side-effect rule leaves those to it.
    """

    type: str
    pubkey: str
    weight: float = Field(default=1.0, ge=0)
    governs: ClassVar[tuple[str, ...]] = ()


BuiltInAssertion = (
    SolBalanceAssertion
    | SolBalanceChangeAssertion
    | TokenAccountBalanceAssertion
    | TokenBalanceChangeAssertion
    | AccountExistsAssertion
    | AccountClosedAssertion
    | MintSupplyAssertion
    | TokenDelegateAssertion
    | MemoPresentAssertion
    | UnchangedAssertion
    | AccountFieldAssertion
    | ComputeBudgetAssertion
    | AnswerNumberAssertion
    | AnswerMatchesAssertion
)
_BUILT_IN = Annotated[BuiltInAssertion, Field(discriminator="type")]
_BUILT_IN_ADAPTER: TypeAdapter[BuiltInAssertion] = TypeAdapter(_BUILT_IN)
_BUILT_IN_MODELS: frozenset[type] = frozenset(get_args(BuiltInAssertion))

ASSERTION_TYPES: tuple[str, ...] = tuple(
    get_args(model.model_fields["type"].annotation)[0] for model in get_args(BuiltInAssertion)
)
"""reev's own assertion types (docs/assertions.md); `ASSERTION_MODELS` adds the plugins'."""

ASSERTION_MODELS: Registry[type[BaseModel]] = Registry(
    "assertion type",
    {name: model for name, model in zip(ASSERTION_TYPES, get_args(BuiltInAssertion), strict=True)},
)
"""Assertion type name → its pydantic model. Plugins add theirs with
`reev.scoring.assertions.register_assertion` (the model here, its evaluator in scoring)."""


def _assertion(value: Any) -> Any:
    """One `final_state_assertions` item: a plugin's type by its model, reev's by the
    tagged union (whose errors name the field and, for an unknown `type`, the known ones)."""
    if isinstance(value, BaseModel) and (
        type(value) in _BUILT_IN_MODELS or type(value) in ASSERTION_MODELS.values()
    ):
        return value
    if isinstance(value, dict):
        kind = value.get("type")
        if isinstance(kind, str) and kind not in ASSERTION_TYPES and kind in ASSERTION_MODELS:
            return ASSERTION_MODELS[kind].model_validate(value)
    return _BUILT_IN_ADAPTER.validate_python(value)


StateAssertion = Annotated[
    SerializeAsAny[BuiltInAssertion | PluginAssertion],
    PlainValidator(_assertion, json_schema_input_type=_BUILT_IN),
]
"""Any registered assertion (reev's and the plugins'), validated by its `type`."""


def assertion_types() -> list[str]:
    """Every registered assertion type: reev's, then the plugins' (loads the plugins)."""
    return list(ASSERTION_MODELS)


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
    accounts: list[ExpectedAccount] = Field(default_factory=new_list)
    data: str | None = None
    data_weight: float | None = None

    @property
    def data_scored(self) -> bool:
        """reev scores data only when present, not "...", and a data_weight is set."""
        return self.data is not None and self.data.strip() != "..." and self.data_weight is not None


class ToolCallSpec(_Strict):
    """A tool call of a reference solution: tool name and its arguments."""

    tool: str
    args: dict[str, Any] = Field(default_factory=new_dict)


class ReferenceStep(_Strict):
    """reev extension: what the reference agent does for one step.

    Either raw instructions (executed as one transaction) or tool calls (each executed
    as its own transaction, as an LLM agent's would be).
    """

    instructions: list[RawInstruction] | None = None
    tool_calls: list[ToolCallSpec] | None = None
    # The reference agent's final answer for this step (scored by Answer* assertions).
    answer: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ReferenceStep:
        if (self.instructions is None) == (self.tool_calls is None):
            raise ValueError("a reference step has either instructions or tool_calls")
        return self


class NegativeSolution(_Strict):
    """reev extension: a wrong answer the gates prove does NOT pass (anti-gaming).

    e.g. the wrong amount, the wrong recipient, or, for `refuse` tasks, the harmful
    action itself. Same shape as `reference_solution`: one entry per step.
    """

    name: str = Field(min_length=1)
    why: str = ""
    steps: list[ReferenceStep] = Field(min_length=1)


class ParameterSpec(_Strict):
    """reev extension: one parameter of a parametric benchmark, drawn from the seed.

    Exactly one of: `choice` (a list of values, any YAML), `min`/`max` (an integer range,
    with `step`), or `expr` (computed from earlier parameters, e.g. `balance - amount`).
    """

    choice: list[Any] | None = None
    min: int | None = None
    max: int | None = None
    step: int = Field(default=1, ge=1)
    expr: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ParameterSpec:
        kinds = [
            self.choice is not None,
            self.min is not None or self.max is not None,
            self.expr is not None,
        ]
        if sum(kinds) != 1:
            raise ValueError("a parameter has exactly one of: choice, min/max, expr")
        if self.choice is not None and not self.choice:
            raise ValueError("choice needs at least one value")
        if kinds[1]:
            if self.min is None or self.max is None:
                raise ValueError("a range parameter needs both min and max")
            if self.min > self.max:
                raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class GroundTruth(_Strict):
    """What a correct run looks like; reev's ignored keys are kept as typed data."""

    transaction_status: str = "Success"
    final_state_assertions: list[StateAssertion]
    expected_instructions: list[ExpectedInstruction] = Field(default_factory=new_list)
    skip_instruction_validation: bool = False
    min_score: float | None = Field(default=None, ge=0, le=1)
    success_criteria: list[dict[str, Any]] = Field(default_factory=new_list)
    expected_api_calls: list[dict[str, Any]] = Field(default_factory=new_list)
    response_validation: list[dict[str, Any]] = Field(default_factory=new_list)
    expected_data_structure: list[dict[str, Any]] = Field(default_factory=new_list)
    tool_validation: list[dict[str, Any]] = Field(default_factory=new_list)


SideEffectField = Literal[
    "exists",
    "owner",
    "lamports",
    "executable",
    "data",
    "amount",
    "token_owner",
    "delegate",
    "delegated_amount",
    "close_authority",
    "state",
    "supply",
    "mint_authority",
    "freeze_authority",
    "extensions",
]
SIDE_EFFECT_FIELDS: tuple[str, ...] = SideEffectField.__args__  # type: ignore[attr-defined]


class SideEffectAllowance(_Strict):
    """One declared open end of a task: these fields of this account may differ from the
    reference solution's final state (`fields` empty = every field)."""

    pubkey: str
    fields: list[SideEffectField] = Field(default_factory=new_list)
    reason: str = Field(min_length=1)


class SideEffectPolicy(_Strict):
    """reev extension: where a benchmark is open-ended for the side-effect rule.

    `allow` lists accounts/fields that may end differently from the reference's final
    state; `fee_allowance` is how many lamports of transaction fees beyond the
    reference's own the fee payer may spend (default 100,000: twenty extra signatures).
    """

    allow: list[SideEffectAllowance] = Field(default_factory=new_list)
    fee_allowance: int = Field(default=100_000, ge=0, le=10**12)


class FlowStep(_Strict):
    """One step of a multi-step (`flow:`) benchmark."""

    step: int = Field(ge=1)
    description: str = ""
    prompt: str
    critical: bool = False
    timeout: int | None = Field(default=None, ge=1)
    depends_on: list[str] = Field(default_factory=new_list)
    ground_truth: GroundTruth | None = None
    # reev extension: epochs the chain advances before this step (e.g. a stake cooldown)
    warp_epochs: int = Field(default=0, ge=0, le=1000)


class BenchmarkSource(Protocol):
    """What a parametric Benchmark was made from: it makes the instance of any seed.

    `reev.benchmark.params.BenchmarkTemplate` is the one implementation; the protocol keeps
    this module free of the template machinery (which imports this module).
    """

    def instantiate(self, seed: int) -> Benchmark:
        """The benchmark with its parameters drawn from `seed`."""
        ...


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
    negative_solutions: list[NegativeSolution] = Field(default_factory=new_list)
    parameters: dict[str, ParameterSpec] | None = None
    epoch: int | None = Field(default=None, ge=0, le=1_000_000)  # the chain's epoch at the start
    # The tool families an agent is offered (reev.benchmark.tool_families); None: every family
    # whose upstream is configured. Lets a simple task have a short prompt.
    tool_families: list[str] | None = None
    # Signing policy: placeholders whose keys the agent controls besides the user's wallet
    # (e.g. a mint authority the user holds, a fresh account the agent must create).
    agent_keys: list[str] = Field(default_factory=new_list)
    side_effects: SideEffectPolicy = Field(default_factory=SideEffectPolicy)

    # Parametric benchmarks: the template this instance was drawn from and the values
    # drawn for it. Set by the loader / `instantiate`, never read from a file.
    _template: BenchmarkSource | None = PrivateAttr(default=None)
    _parameter_values: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Benchmark:
        if not any(item.pubkey == "USER_WALLET_PUBKEY" for item in self.initial_state):
            raise ValueError("initial_state must declare USER_WALLET_PUBKEY (the fee payer)")
        if self.tool_families is not None:
            unknown = sorted(set(self.tool_families) - set(known_families()))
            if unknown:
                raise ValueError(
                    f"tool_families: unknown {', '.join(unknown)}; "
                    f"known: {', '.join(known_families())}"
                )
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
        for name in self.agent_keys:
            if not is_placeholder(name):
                raise ValueError(f"agent_keys: {name!r} is not a placeholder name")
            if any(i.pubkey == name and i.is_token_account for i in self.initial_state):
                raise ValueError(
                    f"agent_keys: {name} is a token account (an address, not a keypair)"
                )
        for neg in self.negative_solutions:
            if len(neg.steps) != self.step_count:
                raise ValueError(
                    f"negative solution {neg.name!r} has {len(neg.steps)} step(s); "
                    f"the benchmark has {self.step_count}"
                )
        return self

    @property
    def agent_signers(self) -> list[str]:
        """Every placeholder whose key the harness signs the agent's transactions with."""
        return list(dict.fromkeys([AGENT_WALLET, *self.agent_keys]))

    @property
    def is_parametric(self) -> bool:
        """True when the benchmark declares parameters drawn from the seed."""
        return bool(self.parameters)

    @property
    def parameter_values(self) -> dict[str, Any]:
        """The parameter values of this instance (empty when not parametric)."""
        return dict(self._parameter_values)

    def instantiate(self, seed: int) -> Benchmark:
        """This benchmark with its parameters drawn from `seed` (itself when not parametric)."""
        if self._template is None:
            return self
        return self._template.instantiate(seed)

    @property
    def step_count(self) -> int:
        return len(self.flow) if self.flow else 1

    @property
    def step_prompts(self) -> list[str]:
        """The prompt of each step: the flow's prompts, or the single prompt."""
        return [s.prompt for s in self.flow] if self.flow else [self.prompt]
