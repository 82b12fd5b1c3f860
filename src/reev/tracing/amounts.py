"""Amounts and addresses people can read: `1.5 SOL (1,500,000,000 lamports)`,
`15 USDC (15,000,000 base units)`, `RECIPIENT_WALLET_PUBKEY (GpsbfDwS…)`.

Shared by the web (through the API), the result tree, the TUI and the reports, so every
view says the same thing. A unit is named only when it is known: lamports are SOL, a
token amount is in a mint's units only when the mint is known (`reev.benchmark.mints`)
or its decimals were recorded; otherwise the base units stand alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from reev.benchmark.mints import known_mint

LAMPORTS_PER_SOL = 1_000_000_000
_PUBKEY = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$")
_LAMPORT_KEYS = ("lamports",)
_MINT_KEYS = ("mint_address", "mint", "input_mint", "output_mint")


def units(base: int, decimals: int) -> str:
    """`base` in whole units with separators and no trailing zeros: 1500000, 6 → `1.5`."""
    value = Decimal(base) / (Decimal(10) ** decimals)
    text = f"{value:,.{decimals}f}" if decimals else f"{value:,.0f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def sol(lamports: int) -> str:
    """`1.5 SOL (1,500,000,000 lamports)`."""
    return f"{units(lamports, 9)} SOL ({lamports:,} lamports)"


def token(amount: int, mint: str | None = None, decimals: int | None = None) -> str:
    """`15 USDC (15,000,000 base units)`; the base units alone when the mint is unknown."""
    known = known_mint(mint) if mint else None
    if known is not None:
        return f"{units(amount, known.decimals)} {known.symbol} ({amount:,} base units)"
    if decimals is not None:
        return f"{units(amount, decimals)} tokens ({amount:,} base units)"
    return f"{amount:,} base units"


def name_address(address: str, names: Mapping[str, str]) -> str:
    """`NAME (first8…)` for an address with a placeholder name, else the address."""
    name = names.get(address)
    if name and name != address:
        return f"{name} ({address[:8]}…)"
    return address


SOL_AMOUNT_TOOLS = frozenset({"sol_transfer"})
"""Tools whose `amount` is in lamports (others without a mint: base units alone)."""


def annotate_amounts(
    args: Mapping[str, Any], names: Mapping[str, str], tool: str | None = None
) -> dict[str, Any]:
    """Tool-call or instruction arguments for display: amounts with units next to base
    units, addresses with their placeholder names. `names` maps address → placeholder."""
    mint = next((str(args[k]) for k in _MINT_KEYS if isinstance(args.get(k), str)), None)
    out: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, bool):
            out[key] = value
        elif isinstance(value, int) and key in _LAMPORT_KEYS:
            out[key] = sol(value)
        elif isinstance(value, int) and key == "amount":
            if mint:
                out[key] = token(value, mint)
            else:
                out[key] = sol(value) if tool in SOL_AMOUNT_TOOLS else f"{value:,} base units"
        elif isinstance(value, str) and key in _MINT_KEYS and known_mint(value):
            out[key] = f"{known_mint(value).symbol} ({value[:8]}…)"  # type: ignore[union-attr]
        elif isinstance(value, str) and _PUBKEY.match(value):
            out[key] = name_address(value, names)
        else:
            out[key] = value
    return out


def instruction_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """Decoded instruction arguments for display: `lamports` in SOL, an `amount` in whole
    units when the instruction carries its `decimals` (TransferChecked), else base units."""
    decimals = args.get("decimals")
    out: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, int) and not isinstance(value, bool) and key in _LAMPORT_KEYS:
            out[key] = sol(value)
        elif isinstance(value, int) and not isinstance(value, bool) and key == "amount":
            out[key] = token(value, decimals=decimals if isinstance(decimals, int) else None)
        else:
            out[key] = value
    return out


_MINT_IN_DETAIL = re.compile(r"\bmint ([1-9A-HJ-NP-Za-km-z]{32,44})\b")


def assertion_amount(value: Any, assertion_type: str, detail: str = "") -> str:
    """An assertion's expected/actual number in the unit it measures: SOL for `Sol*`
    assertions, a known mint's units when the detail names the mint, else base units."""
    if not isinstance(value, int) or isinstance(value, bool):
        return str(value)
    if assertion_type.startswith("Sol"):
        return sol(value)
    found = _MINT_IN_DETAIL.search(detail or "")
    if "Token" in assertion_type or found:
        return token(value, found.group(1) if found else None)
    return f"{value:,}"
