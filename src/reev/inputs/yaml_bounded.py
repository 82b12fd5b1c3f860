"""YAML loaded within limits: the event stream is checked before a node is composed.

PyYAML keeps an alias as a reference, so a 2 KB "billion laughs" file loads quickly and
explodes later, when something copies or serialises the data; a 100,000-deep `[[[…]]]`
overflows the C composer's stack; a 5,000-digit integer raises in `int()`. Here the
parser's events are walked first (libyaml's parser itself does not recurse), counting
what the document will be once every alias is expanded:

* nodes after alias expansion (`max_nodes`) and nesting depth after expansion (`max_depth`);
* items of one sequence or mapping (`max_items`);
* digits of an integer (`max_int_digits`); floats must be finite (no `.inf`, `.nan`).

Only a document within every limit is constructed. A violation is a `YamlLimitError` with
the 1-based line and column of the event that crossed the limit.

With libyaml 0.2.6 or later (whose scanner refuses nesting deeper than 1,000 levels, so
PyYAML's recursive composer cannot overflow; 0.2.5, bundled with PyYAML 6.0.3, has no such
bound and a deep document crashes the process) the document is composed first, shared
nodes kept shared, and the same limits are counted on the node graph: one parse instead of
two. Only a document that crosses a limit is walked again as events, for the exact place
and message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.resolver import Resolver

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
# libyaml >= 0.2.6 bounds nesting at 1,000 levels in its scanner: composing is safe first.
# (0.2.5 does not: PyYAML 6.0.3's bundled libyaml segfaults on a 100,000-deep `[[[…`.)
_COMPOSE_FIRST = (
    getattr(yaml, "__with_libyaml__", False)
    and _Loader is not yaml.SafeLoader
    and (tuple(yaml._yaml.get_version()) >= (0, 2, 6))
)
_RESOLVER = Resolver()
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class YamlLimits:
    """Bounds on one YAML document; the defaults are far above any real benchmark
    (the largest shipped file has ~300 nodes, depth 8)."""

    max_nodes: int = 100_000
    max_depth: int = 64
    max_items: int = 10_000
    max_int_digits: int = 100


class YamlLimitError(ValueError):
    """A document over a limit (or not YAML at all); `line`/`column` are 1-based."""

    def __init__(self, line: int, column: int, message: str) -> None:
        self.line = line
        self.column = column
        self.message = message
        super().__init__(f"{line}:{column}: {message}")


@dataclass
class _Frame:
    start: int  # expanded node count when the container opened
    height: int = 1  # levels from this container down, aliases expanded
    items: int = 0
    anchor: str | None = None
    is_mapping: bool = False


def load_yaml(text: str, limits: YamlLimits | None = None) -> tuple[yaml.Node | None, Any]:
    """The node tree (with line/column marks) and the plain data of one YAML document.

    Raises YamlLimitError for a syntax error or a document over `limits`.
    """
    limits = limits or YamlLimits()
    if not _COMPOSE_FIRST:
        check_yaml(text, limits)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if _COMPOSE_FIRST and node is not None and not _within(node, limits):
            check_yaml(text, limits)  # raises with the place and reason of the event walk
            raise _at_node(node, "document over the YAML limits")
        data = loader.construct_document(node) if node is not None else None
    except YamlLimitError:
        raise
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, limits) from exc
    except (ValueError, OverflowError) as exc:  # a constructor refusing a scalar
        raise YamlLimitError(1, 1, f"invalid value: {exc}") from exc
    finally:
        loader.dispose()
    return node, data


def _within(root: yaml.Node, limits: YamlLimits) -> bool:
    """True when the composed graph is within `limits`, counted as `check_yaml` counts the
    events: a shared (anchored) node once per reference, a node inside itself (an alias to
    an anchor still open) as one value, keys included. Only numbers are checked as scalars
    (the composer has resolved every tag), so strings cost a type test."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded values, height)
    open_nodes: set[int] = set()
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode
    todo: list[tuple[yaml.Node, list[yaml.Node] | None]] = [(root, None)]
    while todo:
        node, children = todo.pop()
        key = id(node)
        if children is None:
            if key in measured or key in open_nodes:
                continue
            if node.__class__ is scalar:
                if node.tag in _NUMBER_TAGS and not _scalar_within(node, limits):
                    return False
                measured[key] = _SCALAR
                continue
            if len(node.value) > limits.max_items:
                return False
            if node.__class__ is mapping:
                children = [part for pair in node.value for part in pair]
            else:
                children = list(node.value)
            open_nodes.add(key)
            todo.append((node, children))
            todo.extend((child, None) for child in children if child.__class__ is not scalar)
            for child in children:  # scalars at once: most of a document
                if child.__class__ is scalar and id(child) not in measured:
                    if child.tag in _NUMBER_TAGS and not _scalar_within(child, limits):
                        return False
                    measured[id(child)] = _SCALAR
            continue
        open_nodes.discard(key)
        size, height = 1, 1
        for child in children:
            child_size, child_height = measured.get(id(child), _SCALAR)
            size += child_size
            if child_height >= height:
                height = child_height + 1
        if size > limits.max_nodes or height > limits.max_depth:
            return False
        measured[key] = (size, height)
    return True


_SCALAR = (1, 0)
_NUMBER_TAGS = frozenset((INT_TAG, FLOAT_TAG))


def _scalar_within(node: yaml.ScalarNode, limits: YamlLimits) -> bool:
    try:
        _check_scalar_value(node.tag, node.value, node, limits)
    except YamlLimitError:
        return False
    return True


def check_yaml(text: str, limits: YamlLimits) -> None:
    """Walk the parser events and raise at the first limit crossed."""
    stack: list[_Frame] = []
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, height)
    expanded = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                _count_item(stack, event, limits)
                expanded += 1
                stack.append(
                    _Frame(
                        start=expanded - 1,
                        anchor=event.anchor,
                        is_mapping=isinstance(event, yaml.MappingStartEvent),
                    )
                )
                if len(stack) > limits.max_depth:
                    raise _at(event, f"nested deeper than {limits.max_depth} levels")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                if stack:
                    stack[-1].height = max(stack[-1].height, frame.height + 1)
                if frame.anchor is not None:
                    anchors[frame.anchor] = (expanded - frame.start, frame.height)
            elif isinstance(event, yaml.ScalarEvent):
                _count_item(stack, event, limits)
                _check_scalar(event, limits)
                expanded += 1
                if event.anchor is not None:
                    anchors[event.anchor] = (1, 0)
            elif isinstance(event, yaml.AliasEvent):
                _count_item(stack, event, limits)
                size, height = anchors.get(event.anchor or "", (1, 0))
                expanded += size
                if stack:
                    stack[-1].height = max(stack[-1].height, height + 1)
                if len(stack) + height > limits.max_depth:
                    raise _at(
                        event,
                        f"alias *{event.anchor} nests the document deeper than "
                        f"{limits.max_depth} levels once expanded",
                    )
            else:
                continue
            if expanded > limits.max_nodes:
                raise _at(
                    event,
                    f"more than {limits.max_nodes:,} values once aliases are expanded "
                    "(an alias bomb?)",
                )
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, limits) from exc


def _count_item(stack: list[_Frame], event: Any, limits: YamlLimits) -> None:
    if not stack:
        return
    frame = stack[-1]
    frame.items += 1
    count = frame.items // 2 if frame.is_mapping else frame.items
    if count > limits.max_items:
        kind = "mapping" if frame.is_mapping else "list"
        raise _at(event, f"{kind} longer than {limits.max_items:,} items")


def _check_scalar(event: yaml.ScalarEvent, limits: YamlLimits) -> None:
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted: always a string
            return
        tag = _resolve_plain(event.value)
    _check_scalar_value(tag, event.value, event, limits)


def _check_scalar_value(tag: str, value: str, event: Any, limits: YamlLimits) -> None:
    """The scalar limits on a resolved tag (a composed node's tag is resolved already)."""
    if tag == INT_TAG:
        digits = sum(ch.isalnum() for ch in value)
        if digits > limits.max_int_digits:
            raise _at(event, f"integer with {digits:,} digits (at most {limits.max_int_digits})")
    elif tag == FLOAT_TAG:
        text = value.replace("_", "").lower()
        if len(text) > limits.max_int_digits * 2:
            raise _at(event, f"number with {len(text):,} characters")
        try:
            number = float(text.replace(".inf", "inf").replace(".nan", "nan"))
        except ValueError:
            return  # sexagesimal and other YAML 1.1 forms: PyYAML's constructor decides
        if not math.isfinite(number):
            raise _at(event, f"{value} is not a finite number")


def _resolve_plain(value: str) -> str:
    resolved: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return resolved


def _at(event: Any, message: str) -> YamlLimitError:
    mark = event.start_mark
    return YamlLimitError(mark.line + 1, mark.column + 1, message)


def _at_node(node: yaml.Node, message: str) -> YamlLimitError:
    mark = node.start_mark
    return YamlLimitError(mark.line + 1, mark.column + 1, message)


def _syntax_error(exc: yaml.YAMLError, limits: YamlLimits) -> YamlLimitError:
    """A parser error at its place; libyaml's own nesting bound (0.2.6: 1,000 levels, which
    its scanner may reach before the events get to `max_depth`) reads as our depth limit."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    if "maximum nesting depth" in problem:
        return YamlLimitError(line, col, f"nested deeper than {limits.max_depth} levels")
    return YamlLimitError(line, col, f"invalid YAML: {problem}")
