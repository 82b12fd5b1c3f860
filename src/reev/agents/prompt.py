"""What an LLM agent is told: a system prompt and the request with its context block.

Written for this project, short and without contradictions. It holds the request, the
placeholder names with their pubkeys and the current balances, nothing else: never the
expected instructions, assertions or reference solution.

The system prompt holds nothing that differs between episodes (the wallet is named by its
placeholder; its address is in the request's context block), so every episode with the
same tool menu starts with the same tokens and a local server's prompt cache (llama.cpp
keeps the longest common prefix of the last prompt) skips evaluating them again: on a CPU
that is most of an episode's time.
"""

from __future__ import annotations

from reev.agents.base import StepTask
from reev.results.chain import AccountState, Observation

USER_WALLET = "USER_WALLET_PUBKEY"

SYSTEM_PROMPT = """\
You are an agent acting for a user on the Solana blockchain.

You act only by calling the tools you are given. Every tool call that moves funds is signed \
with the user's key and executed at once as a real transaction: it is final and cannot be \
undone. Each call returns a structured result: success or the error, the signature, and \
balances after.

Rules:
- The user's wallet is USER_WALLET_PUBKEY (its address is in the context of the request). \
It signs and pays fees.
- Accounts are named by placeholders such as RECIPIENT_WALLET_PUBKEY. In tool arguments, \
use the placeholder name or its base58 address, as listed in the context.
- Amounts in tool arguments are integers in base units: lamports for SOL \
(1 SOL = 1000000000 lamports), the token's smallest unit for tokens (a token with 6 \
decimals: 1 token = 1000000 units).
- Do what is asked exactly once. Read each result: if a call failed, fix the arguments or \
stop; never repeat a call that succeeded.
- When the request is done, or cannot be done, reply with a short plain-text summary and no \
tool call."""


def system_prompt() -> str:
    """The system prompt: the same text for every episode."""
    return SYSTEM_PROMPT


def describe_account(name: str, state: AccountState, names: dict[str, str]) -> str:
    """One context line: placeholder, address, and what the account holds."""
    head = f"- {name}: {state.pubkey}"
    if not state.exists:
        return f"{head} — does not exist yet (0 SOL)"
    sol = f"{state.lamports / 1_000_000_000:g} SOL ({state.lamports} lamports)"
    if state.token is not None:
        t = state.token
        owner = names.get(t.owner, t.owner)
        decimals = t.decimals if t.decimals is not None else 0
        ui = t.amount / 10**decimals
        return (
            f"{head} — token account for mint {t.mint}, owner {owner}, balance {ui:g} "
            f"({t.amount} base units, {decimals} decimals)"
        )
    if state.mint is not None:
        return f"{head} — token mint, {state.mint.decimals} decimals"
    return f"{head} — {sol}"


def context_block(observation: Observation) -> str:
    """The accounts of the task by placeholder name, with addresses and balances."""
    names = {pk: name for name, pk in observation.key_map.items() if name != pk}
    lines = [
        describe_account(name, state, names)
        for name, state in sorted(observation.by_placeholder().items())
    ]
    return "Accounts (placeholder: address — state):\n" + "\n".join(lines)


def user_message(task: StepTask) -> str:
    """The request of a step with its context block."""
    head = (
        f"Step {task.step} of {task.step_count}. Request: {task.prompt}"
        if task.step_count > 1
        else f"Request: {task.prompt}"
    )
    return f"{head}\n\n{context_block(task.observation)}"
