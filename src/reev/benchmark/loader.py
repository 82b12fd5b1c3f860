"""Load benchmark YAML into typed models, with `path:line:column: field.path: message` errors.

The YAML is read within limits (`reev.inputs`: regular files only, at most
`MAX_BENCHMARK_BYTES`; alias expansion, depth, list length and integer size checked on the
parser's events before anything is built), then composed once into PyYAML's node tree,
which keeps the line and column of every key and value so a validation error can point at
the place in the file that caused it, and constructed into plain data for pydantic.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from reev.benchmark.keys import is_placeholder
from reev.benchmark.mints import known_mint
from reev.benchmark.model import Benchmark, assertion_types
from reev.benchmark.params import (
    BenchmarkTemplate,
    ParameterError,
    attach_template,
    instantiate_data,
)
from reev.inputs import InputFileError, YamlLimitError, YamlLimits, load_yaml, read_text_file

MAX_BENCHMARK_BYTES = 1_048_576
YAML_LIMITS = YamlLimits()

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadIssue:
    """One problem in a benchmark file, located as precisely as the YAML allows."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class BenchmarkLoadError(Exception):
    """A benchmark file that cannot be used; `issues` says every place that is wrong."""

    def __init__(self, issues: Sequence[LoadIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def load_benchmark(path: str | Path) -> Benchmark:
    """Read, parse and validate one benchmark file."""
    return parse_benchmark(read_benchmark_text(path), str(path))


def read_benchmark_text(path: str | Path) -> str:
    """The text of a benchmark file: a regular file of at most MAX_BENCHMARK_BYTES.
    FIFOs, devices and unreadable paths are a BenchmarkLoadError, never a hang or a raise."""
    try:
        return read_text_file(path, MAX_BENCHMARK_BYTES)
    except InputFileError as exc:
        raise BenchmarkLoadError([LoadIssue(str(path), 1, 1, "", str(exc))]) from exc


def parse_benchmark(text: str, source: str = "<string>") -> Benchmark:
    """Validate benchmark YAML text; `source` names it in error messages."""
    return _parse(text, source)[0]


def _parse(text: str, source: str) -> tuple[Benchmark, yaml.Node | None]:
    if len(text) > MAX_BENCHMARK_BYTES:  # characters ≤ bytes: a cheap first bound
        raise BenchmarkLoadError(
            [LoadIssue(source, 1, 1, "", f"larger than {MAX_BENCHMARK_BYTES:,} bytes")]
        )
    try:
        node, data = load_yaml(text, YAML_LIMITS)
    except YamlLimitError as exc:
        raise BenchmarkLoadError(
            [LoadIssue(source, exc.line, exc.column, "", exc.message)]
        ) from exc
    if not isinstance(data, dict):
        raise BenchmarkLoadError(
            [LoadIssue(source, 1, 1, "", "a benchmark file must be a YAML mapping (id, prompt, …)")]
        )
    template = data
    values: dict[str, Any] | None = None
    if "parameters" in data:  # parametric: validate the instance drawn for seed 0
        try:
            data, values = instantiate_data(template, 0)
        except ValidationError as exc:
            raise BenchmarkLoadError(
                [
                    _issue(source, node, ("parameters", *err["loc"]), _message(err))
                    for err in exc.errors()
                ]
            ) from exc
        except ParameterError as exc:
            raise BenchmarkLoadError([_issue(source, node, exc.loc, str(exc))]) from exc
    try:
        benchmark = Benchmark.model_validate(data)
    except ValidationError as exc:
        issues = [
            _issue(source, node, tuple(err["loc"]), _message(err), err["type"] == "extra_forbidden")
            for err in exc.errors()
        ]
        raise BenchmarkLoadError(issues) from exc
    problems = list(_reference_problems(benchmark))
    if problems:
        raise BenchmarkLoadError([_issue(source, node, loc, msg) for loc, msg in problems])
    if values is not None:
        attach_template(benchmark, BenchmarkTemplate(template), values)
    return benchmark, node


@dataclass(frozen=True)
class LoadedFile:
    """One file named by a run: its benchmark, or why it cannot be used."""

    path: Path
    benchmark: Benchmark | None
    error: BenchmarkLoadError | None = None


def load_benchmark_files(paths: Iterable[str | Path]) -> list[LoadedFile]:
    """Load every benchmark under `paths` (see `discover_benchmark_files`).

    Ids are unique in what is returned: a file whose id an earlier file already has is a
    load error naming both files (results are stored by id, so two files with one id
    would overwrite each other's results, or break the store).
    """
    out: list[LoadedFile] = []
    first: dict[str, Path] = {}
    for path in discover_benchmark_files(paths):
        try:
            benchmark, node = _parse(read_benchmark_text(path), str(path))
        except BenchmarkLoadError as exc:
            out.append(LoadedFile(path, None, exc))
            continue
        if benchmark.id in first:
            issue = _issue(
                str(path),
                node,
                ("id",),
                f"duplicate benchmark id {benchmark.id!r}: {first[benchmark.id]} has it too "
                "(ids must be unique in a run)",
            )
            out.append(LoadedFile(path, None, BenchmarkLoadError([issue])))
            continue
        first[benchmark.id] = path
        out.append(LoadedFile(path, benchmark))
    return out


def discover_benchmark_files(paths: Iterable[str | Path]) -> list[Path]:
    """Benchmark files named by `paths`: files as given, directories' *.yml/*.yaml sorted.

    Every path is listed once. A folder that cannot be listed is returned itself, and a
    *.yml entry that is not a regular file (a FIFO, a device, a dangling link) is returned
    too, so that loading it reports why it was skipped instead of this function raising
    or silently dropping it. Nothing here opens a file.
    """
    found: list[Path] = []
    seen: set[str] = set()

    def add(p: Path) -> None:
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            found.append(p)

    for raw in paths:
        p = Path(raw)
        try:
            is_dir = stat.S_ISDIR(p.stat().st_mode)
        except OSError:
            is_dir = False  # missing or unreachable: loading it says why
        if not is_dir:
            add(p)
            continue
        try:
            entries = sorted(f for f in p.iterdir() if f.suffix in {".yml", ".yaml"})
        except OSError:
            add(p)  # cannot list it: loading the folder reports the reason
            continue
        for f in entries:
            try:
                if stat.S_ISDIR(f.stat().st_mode):
                    continue  # a folder named *.yml is not a benchmark
            except OSError:
                pass
            add(f)
    return found


def _message(err: Any) -> str:
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown key (not part of the benchmark format)"
    if err["type"] == "union_tag_invalid":
        ctx = err.get("ctx", {})
        loc = tuple(err.get("loc", ()))
        if len(loc) < 2 or loc[-2] != "final_state_assertions":  # another tagged union
            return f"unknown type {ctx.get('tag')!r}; known types: {ctx.get('expected_tags')}"
        known = ", ".join(repr(t) for t in assertion_types())
        return f"unknown assertion type {ctx.get('tag')!r}; known types: {known}"
    if err["type"] == "union_tag_not_found":
        return f"an assertion needs a `type` ({', '.join(assertion_types())})"
    return msg.removeprefix("Value error, ")


def _issue(
    source: str, root: yaml.Node | None, loc: Loc, message: str, at_key: bool = False
) -> LoadIssue:
    node, clean = _locate(root, loc, at_key)
    line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
    return LoadIssue(source, line, col, _format_loc(clean), message)


def _locate(root: yaml.Node | None, loc: Loc, at_key: bool) -> tuple[yaml.Node | None, Loc]:
    """The deepest YAML node along `loc`, and the part of loc that names real keys.

    pydantic puts a tagged union's tag into `loc` (e.g. 'SolBalance'); such parts are
    dropped. With `at_key`, the last part points at the key rather than its value.
    """
    node = root
    clean: list[str | int] = []
    for n, part in enumerate(loc):
        nxt = _child(node, part, at_key and n == len(loc) - 1)
        if nxt is None:
            if isinstance(part, str) and part[:1].isupper():
                continue  # discriminator tag such as 'SolBalance'
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                clean.append(part)  # missing key: point at its parent mapping
                continue
            clean.append(part)
            continue
        node = nxt
        clean.append(part)
    return node, tuple(clean)


def _child(node: yaml.Node | None, part: str | int, key_node: bool = False) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if key.value == part:
                found: yaml.Node = value
                if key_node or (isinstance(value, yaml.ScalarNode) and value.value == ""):
                    found = key
                return found
        return None
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        child: yaml.Node = node.value[part]
        return child
    return None


def _format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _reference_problems(b: Benchmark) -> Iterable[tuple[Loc, str]]:
    """Cross-field checks: placeholders used by token accounts exist, mints are known."""
    declared = {item.pubkey for item in b.initial_state}
    declared_mints = {item.pubkey for item in b.initial_state if item.is_mint}
    for i, item in enumerate(b.initial_state):
        if item.data is None:
            continue
        if is_placeholder(item.data.owner) and item.data.owner not in declared:
            yield (
                ("initial_state", i, "data", "owner"),
                f"token account owner {item.data.owner!r} is a placeholder not declared in initial_state",
            )
        mint = item.data.mint
        if is_placeholder(mint):
            if mint not in declared_mints:
                yield (
                    ("initial_state", i, "data", "mint"),
                    f"mint {mint!r} is a placeholder but no initial_state item declares it with `mint:`",
                )
        elif mint not in declared_mints and known_mint(mint) is None:
            yield (
                ("initial_state", i, "data", "mint"),
                f"unknown mint {mint}: not declared in initial_state and not a well-known mainnet "
                "mint; declare it with an item that has `mint: {decimals: N}`",
            )
