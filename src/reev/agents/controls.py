"""Control agents: `null` does nothing (the floor any benchmark must not reward); `junk`
acts busily and wrongly (what no benchmark may reward either)."""

from __future__ import annotations

import hashlib
import random

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from reev.agents.base import AgentHarness, StepTask
from reev.benchmark.model import Benchmark
from reev.programs import memo, system, token
from reev.programs.ids import SYSTEM_PROGRAM
from reev.results.chain import Observation
from reev.results.instruction import RawInstruction


class NullAgent:
    """Does nothing at all: no instructions, no tool calls."""

    name = "null"
    model: str | None = None

    def start_episode(self, benchmark: Benchmark) -> None:
        """Nothing to prepare."""

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Do nothing."""


JUNK_MEMO_PREFIX = "reev junk control"


class JunkAgent:
    """Acts busily and wrongly: the control that proves a benchmark cannot be gamed.

    Every step it makes malformed tool calls (an unknown tool, invalid arguments), lands a
    harmless memo transaction, sends SOL in random wrong amounts to the other wallets it
    can see, moves a random wrong amount of each of the user's tokens, and calls a
    program that does not exist. Choices come from an RNG seeded by (seed, benchmark id),
    so a run is reproducible. A benchmark that passes this agent rewards noise, or a
    transaction that merely landed.
    """

    name = "junk"
    model: str | None = None

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rng = random.Random(seed)

    def start_episode(self, benchmark: Benchmark) -> None:
        """Seed the RNG from the benchmark id (junk never reads the ground truth)."""
        material = f"reev-junk-v1\x00{self.seed}\x00{benchmark.id}".encode()
        self._rng = random.Random(hashlib.sha256(material).digest())

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Malformed calls, then well-formed but wrong transactions."""
        rng = self._rng
        obs = task.observation
        harness.call_tool("junk_tool_that_does_not_exist", {"amount": rng.randint(1, 99)})
        harness.call_tool("sol_transfer", {"user_pubkey": "", "amount": "lots"})
        user_text = obs.key_map.get("USER_WALLET_PUBKEY")
        if user_text is None:
            return
        user = Pubkey.from_string(user_text)
        note = f"{JUNK_MEMO_PREFIX} {rng.getrandbits(32):08x}"
        harness.execute([RawInstruction.from_instruction(memo.memo(note, [user]))])
        wallets = [
            s
            for s in obs.accounts.values()
            if s.pubkey != user_text and s.owner == str(SYSTEM_PROGRAM) and s.token is None
        ]
        for state in wallets[:3]:
            lamports = rng.randint(1_000_000, 9_999_999)  # above rent-exempt minimum
            ix = system.transfer(user, Pubkey.from_string(state.pubkey), lamports)
            harness.execute([RawInstruction.from_instruction(ix)])
        self._junk_tokens(obs, user_text, harness)
        stranger_program = Pubkey.from_bytes(rng.randbytes(32))
        bogus = Instruction(stranger_program, rng.randbytes(9), [AccountMeta(user, True, True)])
        harness.execute([RawInstruction.from_instruction(bogus)])

    def _junk_tokens(self, obs: Observation, user: str, harness: AgentHarness) -> None:
        rng = self._rng
        held = [
            s
            for s in obs.accounts.values()
            if s.exists and s.token is not None and s.token.owner == user and s.token.amount > 0
        ]
        for state in held[:2]:
            assert state.token is not None and state.owner is not None
            peers = [
                s.pubkey
                for s in obs.accounts.values()
                if s.exists
                and s.token is not None
                and s.token.mint == state.token.mint
                and s.pubkey != state.pubkey
            ]
            destination = rng.choice(peers) if peers else state.pubkey
            amount = rng.randint(1, state.token.amount)
            ix = token.transfer(
                Pubkey.from_string(state.pubkey),
                Pubkey.from_string(destination),
                Pubkey.from_string(user),
                amount,
                Pubkey.from_string(state.owner),
            )
            harness.execute([RawInstruction.from_instruction(ix)])
