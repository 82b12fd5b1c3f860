"""An example reev plugin: one tool, one agent that uses it, one executor, one assertion
type and one scoring profile.

Installed as a distribution (see the `.dist-info` beside it), it is found through the
`reev` entry-point group; `register` adds its entries to reev's registries.
docs/plugins.md walks through it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from reev.agents.base import AgentHarness, StepTask
from reev.agents.registry import AGENTS, AgentSpec
from reev.benchmark.model import Benchmark, PluginAssertion
from reev.programs import system
from reev.results.instruction import RawInstruction
from reev.results.scoring import AssertionResult
from reev.runner.executors import EXECUTORS, Executor, LocalExecutor
from reev.runner.upstreams import Upstreams
from reev.scoring.assertions import AssertionContext, register_assertion
from reev.scoring.profiles import PROFILES, Profile, ProfileInputs
from reev.tools.base import Tool, ToolContext, ToolOutput, resolve
from reev.tools.registry import TOOLS

TENTH_OF_A_SOL = 100_000_000


class SendTenthArgs(BaseModel):
    recipient: str = Field(description="Who gets 0.1 SOL (placeholder name or base58).")


def _send_tenth(args: SendTenthArgs, ctx: ToolContext) -> ToolOutput:
    sender = resolve(ctx, "USER_WALLET_PUBKEY", "user")
    recipient = resolve(ctx, args.recipient, "recipient")
    ix = system.transfer(sender, recipient, TENTH_OF_A_SOL)
    return ToolOutput(instructions=[RawInstruction.from_instruction(ix)])


SEND_TENTH = Tool(
    name="example_send_tenth",
    description="Send 0.1 SOL from the user's wallet to a recipient.",
    args_model=SendTenthArgs,
    handler=_send_tenth,
)


class TenthAgent:
    """Always sends 0.1 SOL to RECIPIENT_WALLET_PUBKEY through the plugin's tool."""

    name = "example-tenth"
    model: str | None = None

    def start_episode(self, benchmark: Benchmark) -> None:
        return None

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        harness.call_tool("example_send_tenth", {"recipient": "RECIPIENT_WALLET_PUBKEY"})


def _inline_executor(
    *, ray_address: str | None = None, upstreams: Upstreams | None = None
) -> Executor:
    return LocalExecutor(reuse_vms=False, upstreams=upstreams)


class LamportsAtLeast(PluginAssertion):
    """The account ends with at least `minimum` lamports."""

    type: Literal["LamportsAtLeast"]
    minimum: int = Field(ge=0)
    governs: ClassVar[tuple[str, ...]] = ("lamports", "exists")


def _lamports_at_least(a: LamportsAtLeast, ctx: AssertionContext) -> AssertionResult:
    address = ctx.address(a)
    final = ctx.after.accounts.get(address)
    lamports = final.lamports if final is not None and final.exists else 0
    return AssertionResult(
        type=a.type,
        pubkey=a.pubkey,
        address=address,
        expected={"minimum": a.minimum},
        actual=lamports,
        passed=lamports >= a.minimum,
        weight=a.weight,
        detail=f"{lamports} lamports",
    )


def _all_or_nothing(i: ProfileInputs) -> tuple[float, bool]:
    """1 when every assertion holds and the last transaction succeeded, else 0."""
    held = bool(i.assertions) and all(a.passed for a in i.assertions) and i.onchain == 1.0
    return (1.0 if held else 0.0), held


ALL_OR_NOTHING = Profile(
    "all-or-nothing",
    "example plugin: 1 when every assertion holds and the last transaction succeeded, else 0",
    _all_or_nothing,
    side_effects=True,
)


def register() -> None:
    """The entry point: reev calls it once, the first time a registry is read."""
    TOOLS.add(SEND_TENTH.name, SEND_TENTH)
    AGENTS.add(
        "example-tenth",
        AgentSpec(
            "example-tenth",
            "example plugin: sends 0.1 SOL with its own tool",
            "nothing",
            lambda **_: TenthAgent(),
        ),
    )
    EXECUTORS.add("example-inline", _inline_executor)
    register_assertion("LamportsAtLeast", LamportsAtLeast, _lamports_at_least)
    PROFILES.add(ALL_OR_NOTHING.name, ALL_OR_NOTHING)
