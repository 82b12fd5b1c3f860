"""Hostile benchmark files, each small on disk and built to hang, crash or exhaust a loader
that does not bound its input (see issue 15)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
SOL_TRANSFER = (BENCHMARKS / "001-sol-transfer.yml").read_text(encoding="utf-8")
PARAMETRIC = (BENCHMARKS / "600-param-sol-transfer.yml").read_text(encoding="utf-8")


def laughs(indent: str, levels: int = 9) -> str:
    """A "billion laughs" list chain: 9 items per level, 9**levels strings once expanded."""
    lines = [f"{indent}- &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"{indent}- &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def with_id(text: str, new_id: str) -> str:
    return text.replace("id: 001-sol-transfer", f"id: {new_id}", 1)


def bomb_in_parameters() -> str:
    """A valid `choice` parameter whose choices are an alias bomb (1.8 KB)."""
    block = "  bomb:\n    choice:\n" + laughs("      ")
    return PARAMETRIC.replace("parameters:\n", "parameters:\n" + block, 1).replace(
        "id: 600-param-sol-transfer", "id: hostile-bomb-parameters", 1
    )


def bomb_in_tool_args() -> str:
    """An alias bomb inside reference-solution tool arguments: valid to a naive loader."""
    marker = "        args:\n"
    block = marker + "          junk:\n" + laughs("            ")
    return with_id(SOL_TRANSFER.replace(marker, block, 1), "hostile-bomb-args")


def huge_integer() -> str:
    return with_id(SOL_TRANSFER.replace("weight: 1.0", "weight: " + "9" * 5000, 1), "hostile-int")


def infinite_weight() -> str:
    return with_id(SOL_TRANSFER.replace("weight: 1.0", "weight: .inf", 1), "hostile-inf")


def nan_weight() -> str:
    return with_id(SOL_TRANSFER.replace("weight: 1.0", "weight: .nan", 1), "hostile-nan")


def deep_nesting(levels: int = 100_000) -> str:
    return with_id(SOL_TRANSFER, "hostile-deep") + "extra: " + "[" * levels + "]" * levels + "\n"


def long_list_over_size(megabytes: int = 50) -> str:
    return (
        with_id(SOL_TRANSFER, "hostile-big") + "extra:\n" + "  - 1\n" * (megabytes * 1_000_000 // 6)
    )


def long_list_within_size(items: int = 20_000) -> str:
    """Under the size limit, over the list-length limit: `[1,1,1,…]` in 40 KB."""
    return with_id(SOL_TRANSFER, "hostile-list") + "extra: [" + ",".join(["1"] * items) + "]\n"


# name → (text, the message `reev validate` must print for it; `a|b`: either)


def says(text: str, message: str) -> bool:
    """True when `text` holds the expected message (or one of its `|` alternatives)."""
    return any(part in text for part in message.split("|"))


HOSTILE = {
    "bomb-parameters.yml": (bomb_in_parameters, "once aliases are expanded"),
    "bomb-args.yml": (bomb_in_tool_args, "once aliases are expanded"),
    "huge-int.yml": (huge_integer, "integer with 5,000 digits (at most 100)"),
    "inf.yml": (infinite_weight, ".inf is not a finite number"),
    "nan.yml": (nan_weight, ".nan is not a finite number"),
    # reev's own limit, or libyaml's when a newer PyYAML stops the parse first (6.0.4)
    "deep.yml": (deep_nesting, "nested deeper than 64 levels|exceeded maximum nesting depth"),
    "big.yml": (long_list_over_size, "the limit is 1,048,576 bytes"),
    "long-list.yml": (long_list_within_size, "list longer than 10,000 items"),
}


def write_hostile(folder: Path) -> dict[Path, str]:
    """Write every hostile file into `folder`; path → expected message."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (make, message) in HOSTILE.items():
        path = folder / name
        path.write_text(make(), encoding="utf-8")
        out[path] = message
    return out
