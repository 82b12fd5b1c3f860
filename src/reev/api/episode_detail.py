"""Display helpers for `GET /episodes/{id}`: what the web dashboard needs to show a
transaction without re-implementing Solana decoding in JavaScript.

Each addition is computed by the product's own code (`reev.programs.decode` for
instructions, `reev.tracing.txlog` for the invoke tree), so the page, the CLI and the
session files all say the same thing. The stored JSON is read as it is; a part that does
not parse is reported as undecodable, never guessed.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from reev.benchmark.mints import known_mint
from reev.programs.decode import decode_instruction
from reev.results.instruction import RawInstruction
from reev.tracing.amounts import instruction_args, name_address, sol, token
from reev.tracing.txlog import Invocation, parse_logs, program_display_name


def decoded_instructions(
    tx: dict[str, Any], names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every instruction of a stored transaction, decoded (program, name, args, accounts),
    each account with its placeholder `name` when `names` (address → name) knows it."""
    out: list[dict[str, Any]] = []
    for raw in tx.get("instructions") or []:
        try:
            ix = RawInstruction.model_validate(raw)
        except ValidationError:
            out.append({"program_id": None, "program": None, "instruction": "undecodable"})
            continue
        decoded = decode_instruction(ix)
        decoded["args_text"] = instruction_args(decoded.get("args") or {})
        for account in decoded.get("accounts") or []:
            account["name"] = (names or {}).get(account.get("pubkey", ""))
        out.append(decoded)
    return out


def invocation_tree(tx: dict[str, Any]) -> list[dict[str, Any]]:
    """The transaction's logs as nested invocations with compute units and results."""
    logs = [line for line in tx.get("logs") or [] if isinstance(line, str)]
    return [_invocation(inv) for inv in parse_logs(logs)]


def _invocation(inv: Invocation) -> dict[str, Any]:
    return {
        "program_id": inv.program_id,
        "program": program_display_name(inv.program_id),
        "depth": inv.depth,
        "logs": inv.logs,
        "compute_units": inv.compute_units,
        "compute_limit": inv.compute_limit,
        "success": inv.success,
        "error": inv.error,
        "return_data": inv.return_data,
        "children": [_invocation(child) for child in inv.children],
    }


def _mint_name(mint: str, names: dict[str, str]) -> str:
    """`wSOL (So111111…)` for a known mint, `NAME (first8…)` for a named one."""
    known = known_mint(mint)
    return f"{known.symbol} ({mint[:8]}…)" if known else name_address(mint, names)


def _sol_text(state: dict[str, Any]) -> str | None:
    """`0.1 SOL (100,000,000 lamports)`; `absent` for an account that does not exist."""
    if not state:
        return None
    if state.get("exists") is False:
        return "absent"
    lamports = state.get("lamports")
    return sol(lamports) if isinstance(lamports, int) else None


def _token_text(state: dict[str, Any], mint: str | None, decimals: Any) -> str | None:
    amount = state.get("amount")
    if not isinstance(amount, int):
        return None
    if mint and known_mint(mint):
        return token(amount, mint)
    return token(amount, decimals=decimals if isinstance(decimals, int) else None)


def account_changes(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Accounts before → after, named by their placeholder when the key map knows it,
    with SOL and token amounts in whole units next to base units (`*_text`)."""
    before: dict[str, Any] = result.get("accounts_before") or {}
    after: dict[str, Any] = result.get("accounts_after") or {}
    names = {pubkey: name for name, pubkey in (result.get("key_map") or {}).items()}
    rows = []
    for pubkey in dict.fromkeys([*before, *after]):
        b, a = before.get(pubkey) or {}, after.get(pubkey) or {}
        b_token, a_token = b.get("token") or {}, a.get("token") or {}
        mint = a_token.get("mint") or b_token.get("mint")
        decimals = a_token.get("decimals", b_token.get("decimals"))
        rows.append(
            {
                "pubkey": pubkey,
                "name": names.get(pubkey),
                "exists": [b.get("exists"), a.get("exists")],
                "lamports": [b.get("lamports"), a.get("lamports")],
                "token_amount": [b_token.get("amount"), a_token.get("amount")],
                "mint": mint,
                "mint_name": _mint_name(mint, names) if mint else None,
                "lamports_text": [_sol_text(b), _sol_text(a)],
                "token_text": [
                    _token_text(b_token, mint, decimals),
                    _token_text(a_token, mint, decimals),
                ],
                "changed": b != a,
            }
        )
    return rows
