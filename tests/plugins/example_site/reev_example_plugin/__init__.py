"""An example reev plugin: one tool, one agent that uses it, one executor.

Installed as a distribution (see the `.dist-info` beside it), it is found through the
`reev` entry-point group; `register` adds its entries to reev's registries.
docs/plugins.md walks through it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.agents.base import AgentHarness, StepTask
from reev.agents.registry import AGENTS, AgentSpec
from reev.benchmark.model import Benchmark
from reev.programs import system
from reev.results.instruction import RawInstruction
from reev.runner.executors import EXECUTORS, Executor, LocalExecutor
from reev.runner.upstreams import Upstreams
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
