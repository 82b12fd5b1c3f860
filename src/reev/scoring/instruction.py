"""reev's instruction score, exactly as coded in its `instruction_score.rs`.

Expected and actual instructions are paired by position; per pair the program id
(literal comparison), the data (only when scored: present, not "...", data_weight set)
and each account by position (pubkey, signer and writable flags) earn their weights.
No expected instructions ⇒ 1.0, whatever the agent did (reev's behaviour, kept for the
`reev` profile only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import base58

from reev.benchmark.model import ExpectedInstruction
from reev.results.instruction import RawInstruction


def instruction_score(
    expected: Sequence[ExpectedInstruction],
    actual: Sequence[RawInstruction],
    key_map: Mapping[str, str],
) -> float:
    """The weighted share of expected instruction parts that the actual ones match."""
    if not expected:
        return 1.0
    total = 0.0
    for e in expected:
        total += e.program_id_weight
        if e.data_scored and e.data_weight is not None:
            total += e.data_weight
        total += sum(a.weight for a in e.accounts)
    if total == 0:
        return 1.0
    achieved = 0.0
    for e, g in zip(expected, actual, strict=False):
        if g.program_id == e.program_id:
            achieved += e.program_id_weight
        if e.data_scored and e.data_weight is not None and _data_matches(e.data or "", g):
            achieved += e.data_weight
        for ea, ga in zip(e.accounts, g.accounts, strict=False):
            if (
                key_map.get(ea.pubkey, ea.pubkey) == key_map.get(ga.pubkey, ga.pubkey)
                and ea.is_signer == ga.is_signer
                and ea.is_writable == ga.is_writable
            ):
                achieved += ea.weight
    return achieved / total


def _data_matches(expected_b58: str, actual: RawInstruction) -> bool:
    try:
        want = bytes(base58.b58decode(expected_b58.strip()))
        got = actual.data_bytes()
    except ValueError:
        return False
    return want == got
