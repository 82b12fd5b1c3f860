"""Parametric benchmarks: values drawn from the seed, substituted into `{{ }}` templates.

A benchmark may declare `parameters:` (see `ParameterSpec`). Each value is drawn from
its own RNG, seeded by SHA-256 of (domain, seed, benchmark id, parameter name), so the
same seed always gives the same request, and different seeds give different ones — a
model cannot memorise the answer. Every string of the file (except `id` and the
`parameters` block itself) may contain `{{ expression }}`:

* a string that is exactly one template becomes the value itself, typed
  (`expected: "{{ amount }}"` → the integer);
* otherwise each template is replaced by the value's text
  (`"send {{ ui(amount, 6) }} USDC"` → `"send 12.5 USDC"`).

Expressions are a small, safe language: parameter names, integer and string literals,
`+ - * // %`, unary minus, `a.key` / `a["key"]` on mapping choices, and the functions
`ui(base_units, decimals)` (decimal text, no trailing zeros), `sol(lamports)`,
`min`, `max`, `abs`. Anything else is a load error naming the place in the file.
"""

from __future__ import annotations

import ast
import hashlib
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from reev.benchmark.model import Benchmark, ParameterSpec

PARAM_DOMAIN = "reev-param-v1"
TEMPLATE = re.compile(r"\{\{\s*(.+?)\s*\}\}")
NOT_TEMPLATED = frozenset({"id", "parameters"})

Loc = tuple[str | int, ...]


class ParameterError(ValueError):
    """A parameter or template that cannot be evaluated; `loc` names the place in the file."""

    def __init__(self, loc: Loc, message: str) -> None:
        self.loc = loc
        super().__init__(message)


def ui(base_units: int, decimals: int) -> str:
    """Base units as decimal text without trailing zeros: ui(12500000, 6) == '12.5'."""
    if not 0 <= int(decimals) <= 255:  # a mint's decimals are a u8; 10**9 would be 1 GB of text
        raise ValueError(f"decimals must be 0-255, not {decimals}")
    text = format(Decimal(int(base_units)).scaleb(-int(decimals)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def sol(lamports: int) -> str:
    """Lamports as SOL text: sol(250000000) == '0.25'."""
    return ui(lamports, 9)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ui": ui,
    "sol": sol,
    "min": min,
    "max": max,
    "abs": abs,
}

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


MAX_EXPRESSION_CHARS = 1_000
MAX_RESULT_BITS = 256  # integers: far beyond u128 amounts, far below a CPU-bound product
MAX_RESULT_CHARS = 100_000  # strings: `"x" * 10**9` would be a 1 GB string


def evaluate(expression: str, values: Mapping[str, Any]) -> Any:
    """Evaluate one template expression against the drawn values (ValueError if not allowed).

    Bounded like the YAML around it: at most MAX_EXPRESSION_CHARS characters, and every
    intermediate value is checked before it is computed (integers of MAX_RESULT_BITS bits,
    strings of MAX_RESULT_CHARS characters)."""
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise ValueError(
            f"expression of {len(expression):,} characters (at most {MAX_EXPRESSION_CHARS:,})"
        )
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"invalid expression {expression!r}: {exc.msg}") from exc
    except RecursionError as exc:  # deeply nested parentheses or operators
        raise ValueError("expression nested too deeply") from exc
    try:
        return _eval(tree.body, values, expression)
    except RecursionError as exc:
        raise ValueError("expression nested too deeply") from exc


def _check_size(op: ast.operator, left: Any, right: Any, text: str) -> None:
    """Refuse an operation whose result would exceed the limits, before computing it."""
    if isinstance(op, ast.Mult):
        if isinstance(left, int) and isinstance(right, int):
            bits = abs(left).bit_length() + abs(right).bit_length()
        elif isinstance(left, str) and isinstance(right, int):
            bits, chars = 0, len(left) * max(right, 0)
            if chars > MAX_RESULT_CHARS:
                raise ValueError(f"{text!r} would be a string of {chars:,} characters")
        elif isinstance(left, int) and isinstance(right, str):
            _check_size(op, right, left, text)
            return
        else:
            return
    elif isinstance(left, int) and isinstance(right, int):
        bits = max(abs(left).bit_length(), abs(right).bit_length()) + 1
    elif isinstance(left, str) and isinstance(right, str):
        bits = 0
        if len(left) + len(right) > MAX_RESULT_CHARS:
            raise ValueError(f"{text!r} would be a string of over {MAX_RESULT_CHARS:,} characters")
    else:
        return
    if bits > MAX_RESULT_BITS:
        raise ValueError(f"{text!r} would be an integer of over {MAX_RESULT_BITS} bits")


def _eval(node: ast.AST, values: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            known = ", ".join(sorted(values)) or "none"
            raise ValueError(f"unknown parameter {node.id!r} in {text!r} (parameters: {known})")
        return values[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _eval(node.left, values, text)
        right = _eval(node.right, values, text)
        _check_size(node.op, left, right, text)
        try:
            return _BINOPS[type(node.op)](left, right)
        except (TypeError, ZeroDivisionError) as exc:
            raise ValueError(f"cannot evaluate {text!r}: {exc}") from exc
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, values, text)
    if isinstance(node, (ast.Attribute, ast.Subscript)):
        base = _eval(node.value, values, text)
        key = node.attr if isinstance(node, ast.Attribute) else _eval(node.slice, values, text)
        if not isinstance(base, Mapping) or key not in base:
            raise ValueError(f"{text!r}: no key {key!r} in {base!r}")
        return base[key]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FUNCTIONS
        and not node.keywords
    ):
        args = [_eval(a, values, text) for a in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise ValueError(f"cannot evaluate {text!r}: {exc}") from exc
    raise ValueError(
        f"{text!r} uses something templates do not allow ({type(node).__name__}); allowed: "
        "names, integers, strings, + - * // %, a.key, " + ", ".join(f"{f}()" for f in FUNCTIONS)
    )


def _rng(seed: int, benchmark_id: str, name: str) -> random.Random:
    material = f"{PARAM_DOMAIN}\x00{seed}\x00{benchmark_id}\x00{name}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))


def draw_values(specs: Mapping[str, ParameterSpec], benchmark_id: str, seed: int) -> dict[str, Any]:
    """The value of every parameter for `seed`, in declaration order (exprs see earlier ones)."""
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if spec.choice is not None:
            values[name] = _rng(seed, benchmark_id, name).choice(spec.choice)
        elif spec.expr is not None:
            try:
                values[name] = evaluate(spec.expr, values)
            except ValueError as exc:
                raise ParameterError(("parameters", name, "expr"), str(exc)) from exc
        else:
            assert spec.min is not None and spec.max is not None  # checked by ParameterSpec
            values[name] = _rng(seed, benchmark_id, name).randrange(
                spec.min, spec.max + 1, spec.step
            )
    return values


def substitute(data: Any, values: Mapping[str, Any], loc: Loc = ()) -> Any:
    """`data` with every `{{ }}` template replaced (ParameterError located on failure)."""
    if isinstance(data, dict):
        return {
            k: (v if not loc and k in NOT_TEMPLATED else substitute(v, values, (*loc, k)))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [substitute(v, values, (*loc, i)) for i, v in enumerate(data)]
    if not isinstance(data, str) or "{{" not in data:
        return data
    try:
        whole = TEMPLATE.fullmatch(data.strip())
        if whole is not None:
            return evaluate(whole.group(1), values)
        return TEMPLATE.sub(lambda m: str(evaluate(m.group(1), values)), data)
    except ValueError as exc:
        raise ParameterError(loc, str(exc)) from exc


_SPECS = TypeAdapter(dict[str, ParameterSpec])


def parameter_specs(data: Mapping[str, Any]) -> dict[str, ParameterSpec] | None:
    """The validated `parameters` block of raw file data, or None when there is none.

    Raises pydantic's ValidationError (locations relative to the block).
    """
    raw = data.get("parameters")
    if raw is None:
        return None
    return _SPECS.validate_python(raw)


def instantiate_data(data: Mapping[str, Any], seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(file data with templates filled for `seed`, the drawn values)."""
    specs = parameter_specs(data) or {}
    values = draw_values(specs, str(data.get("id", "")), seed)
    return substitute(dict(data), values), values


@dataclass(frozen=True)
class BenchmarkTemplate:
    """A parametric benchmark file's raw data (with `{{ }}` templates): one Benchmark per seed.

    The loader has already validated the template (seed 0); a seed whose values make the
    file invalid (e.g. an amount above a balance) raises ValueError naming the seed.
    """

    data: Mapping[str, Any]

    @property
    def benchmark_id(self) -> str:
        return str(self.data.get("id", ""))

    def instantiate(self, seed: int) -> Benchmark:
        """The Benchmark of `seed`, remembering this template and the drawn values."""
        filled, values = instantiate_data(self.data, seed)
        try:
            benchmark = Benchmark.model_validate(filled)
        except ValidationError as exc:
            raise ValueError(
                f"benchmark {self.benchmark_id!r} is invalid for seed {seed} "
                f"(parameters {values}): {exc}"
            ) from exc
        attach_template(benchmark, self, values)
        return benchmark


def attach_template(
    benchmark: Benchmark, template: BenchmarkTemplate, values: Mapping[str, Any]
) -> None:
    """Remember the template and drawn values on a parametric Benchmark instance."""
    benchmark._template = template
    benchmark._parameter_values = dict(values)
