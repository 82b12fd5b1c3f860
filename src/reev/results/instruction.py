"""reev's RawInstruction JSON: the wire form of an instruction.

`{"program_id": b58, "accounts": [{"pubkey", "is_signer", "is_writable"}], "data": b58}`.
Agents, predictions files and reference solutions all speak this form; pubkeys may be
placeholder names, which the harness resolves before execution.

solders is imported by the conversions that use it, not with the model: validating a
benchmark file (`reev validate`) reads RawInstructions without loading it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

import base58
from pydantic import BaseModel, ConfigDict, Field

from reev.results.construct import trusted

if TYPE_CHECKING:
    from solders.instruction import Instruction
    from solders.pubkey import Pubkey


class InstructionError(ValueError):
    """An instruction that cannot be turned into a real Solana instruction."""


class RawAccountMeta(BaseModel):
    """One account of a RawInstruction."""

    model_config = ConfigDict(extra="forbid")

    pubkey: str
    is_signer: bool = False
    is_writable: bool = False


class RawInstruction(BaseModel):
    """An instruction in reev's JSON form (base58 data)."""

    model_config = ConfigDict(extra="forbid")

    program_id: str
    # A Python factory, not `list`: pydantic reads a factory's signature, and a builtin's
    # is slow to read the first time (see reev.benchmark.program_state.new_list).
    accounts: list[RawAccountMeta] = Field(default_factory=lambda: [])
    data: str = ""

    @classmethod
    def from_instruction(cls, ix: Instruction) -> RawInstruction:
        """The wire form of a solders instruction.

        Built without validation: every field comes typed from solders (str, bool), and a
        transaction's instructions are converted several times per episode."""
        meta = _RAW_ACCOUNT_META
        return _RAW_INSTRUCTION(
            program_id=str(ix.program_id),
            accounts=[
                meta(pubkey=str(a.pubkey), is_signer=a.is_signer, is_writable=a.is_writable)
                for a in ix.accounts
            ],
            data=_b58encode(bytes(ix.data)),
        )

    def data_bytes(self) -> bytes:
        """The decoded instruction data; raises InstructionError when it is not base58."""
        try:
            return _b58decode(self.data) if self.data else b""
        except ValueError as exc:
            raise InstructionError(f"instruction data is not valid base58: {self.data!r}") from exc

    def to_instruction(self, key_map: Mapping[str, str]) -> Instruction:
        """A solders instruction, with placeholder names resolved through key_map."""
        from solders.instruction import AccountMeta, Instruction

        program = resolve_pubkey(self.program_id, key_map, "program_id")
        metas = [
            AccountMeta(
                resolve_pubkey(a.pubkey, key_map, f"accounts[{i}].pubkey"),
                is_signer=a.is_signer,
                is_writable=a.is_writable,
            )
            for i, a in enumerate(self.accounts)
        ]
        return Instruction(program, self.data_bytes(), metas)

    def resolved(self, key_map: Mapping[str, str]) -> RawInstruction:
        """The same instruction with every placeholder replaced by its base58 pubkey."""
        return RawInstruction.from_instruction(self.to_instruction(key_map))


_RAW_ACCOUNT_META = trusted(RawAccountMeta)
_RAW_INSTRUCTION = trusted(RawInstruction)


# Instruction data repeats across episodes (the same transfer, the same memo): the
# pure-Python base58 codec is the slow part of converting it, so results are kept.
@functools.lru_cache(maxsize=8192)
def _b58encode(data: bytes) -> str:
    return base58.b58encode(data).decode()


@functools.lru_cache(maxsize=8192)
def _b58decode(text: str) -> bytes:
    return bytes(base58.b58decode(text))


def resolve_pubkey(text: str, key_map: Mapping[str, str], what: str = "pubkey") -> Pubkey:
    """A pubkey from base58 or from a placeholder name known to key_map."""
    from solders.pubkey import Pubkey

    value = key_map.get(text, text)
    try:
        return Pubkey.from_string(value)
    except ValueError as exc:
        raise InstructionError(
            f"{what}: {text!r} is neither a base58 pubkey nor a known placeholder"
        ) from exc
