"""JSON loaded within limits: size and nesting checked before parsing, numbers while parsing.

`json.loads` recurses once per nesting level (a 2,000-deep array is a RecursionError),
turns `NaN`/`Infinity`/`1e400` into non-finite floats and converts integers of any length
(a 5,000-digit one is a ValueError deep inside). `load_json` refuses all of these with a
`JsonLimitError` saying which limit and where (line and column), before anything is
built from the data.
"""

from __future__ import annotations

import array
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reev.inputs.files import read_text_file

_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes


@dataclass(frozen=True)
class JsonLimits:
    """Bounds on one JSON document."""

    max_bytes: int = 1_048_576
    max_depth: int = 64
    max_int_digits: int = 100


class JsonLimitError(ValueError):
    """A JSON document that is malformed or over a limit (the message says which).

    `reason` is the message without its place; `position` is (line, column), 1-based,
    when known, so a caller reading one document per line (JSONL) can say `file:line:col`.
    """

    def __init__(self, reason: str, position: tuple[int, int] | None = None) -> None:
        place = f" (line {position[0]}, column {position[1]})" if position else ""
        super().__init__(reason + place)
        self.reason = reason
        self.position = position


class JsonSyntaxError(JsonLimitError):
    """Not JSON at all (as opposed to JSON over a limit)."""


def nesting_depth(data: bytes) -> int:
    """The deepest `[`/`{` nesting outside strings, computed at C speed (a regex removes
    strings, `translate` keeps brackets as +1/-1, `accumulate` sums them)."""
    brackets = _STRINGS.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    steps = array.array("b", brackets.translate(_STEPS))
    return max(0, max(itertools.accumulate(steps)))


def _depth_place(data: bytes, max_depth: int) -> tuple[int, int] | None:
    """Where the nesting first goes past `max_depth` (only called when it does)."""
    depth = 0
    for match in _TOKENS.finditer(data):
        token = match.group()
        if token[:1] == b'"':
            continue
        depth += 1 if token in (b"[", b"{") else -1
        if depth > max_depth:
            return _place(data, match.start())
    return None


def _token_place(data: bytes, text: str) -> tuple[int, int] | None:
    """Where the number or constant `text` first stands outside a string."""
    wanted = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|' + re.escape(text.encode()), re.DOTALL)
    for match in wanted.finditer(data):
        if match.group()[:1] != b'"':
            return _place(data, match.start())
    return None


def _place(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def load_json(raw: str | bytes, limits: JsonLimits | None = None) -> Any:
    """Parse one JSON document within `limits` (JsonLimitError otherwise)."""
    lim = limits or JsonLimits()
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data) > lim.max_bytes:
        raise JsonLimitError(f"JSON larger than {lim.max_bytes:,} bytes")
    if nesting_depth(data) > lim.max_depth:
        place = _depth_place(data, lim.max_depth)
        raise JsonLimitError(f"JSON nested deeper than {lim.max_depth} levels", place)

    def parse_int(text: str) -> int:
        if len(text.lstrip("-")) > lim.max_int_digits:
            raise JsonLimitError(
                f"integer with {len(text.lstrip('-')):,} digits (at most {lim.max_int_digits})",
                _token_place(data, text),
            )
        return int(text)

    def parse_float(text: str) -> float:
        if len(text) > lim.max_int_digits * 2:
            raise JsonLimitError(f"number with {len(text):,} characters", _token_place(data, text))
        value = float(text)
        if not math.isfinite(value):
            raise JsonLimitError(f"{text} is not a finite number", _token_place(data, text))
        return value

    def parse_constant(text: str) -> Any:
        raise JsonLimitError(
            f"{text} is not valid JSON (numbers must be finite)", _token_place(data, text)
        )

    try:
        return json.loads(
            data, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant
        )
    except JsonLimitError:
        raise
    except RecursionError as exc:  # cannot happen within max_depth; kept as a backstop
        raise JsonLimitError("JSON nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(f"invalid JSON: {exc.msg}", (exc.lineno, exc.colno)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonSyntaxError(f"invalid JSON: {exc}") from exc


def read_json_file(path: str | Path, limits: JsonLimits | None = None) -> Any:
    """The JSON document in the regular file `path`, read within `limits` (its size limit
    is the file's). InputFileError (not a regular file, unreadable, too big, not UTF-8)
    or JsonLimitError (not JSON, over a limit); neither message names the path, so the
    caller says `path: message`."""
    lim = limits or JsonLimits()
    return load_json(read_text_file(path, lim.max_bytes), lim)
