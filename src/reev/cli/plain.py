"""Result trees written fast when nobody looks at colours: piped output, files, CI logs.

Rich lays a Tree out (wrapping, cropping, styles) at ~4 ms a tree, more than an episode
takes; a 1,120-episode run spent most of its time there. When the console has no colour
system (not a terminal, or NO_COLOR), the same tree is written as plain lines with the
same guides instead, one line per node, never wrapped, so logs stay grep-able. A
terminal still gets Rich's rendering.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import RE_TAGS
from rich.text import Text
from rich.tree import Tree


def tree_lines(tree: Tree) -> list[str]:
    """The tree as plain text lines, with Rich's default guides (`├── `, `│   `, `└── `)."""
    out: list[str] = []
    _walk(tree, "", True, True, out)
    return out


def _label(tree: Tree) -> str:
    label = tree.label
    if isinstance(label, Text):
        return label.plain
    if isinstance(label, str):
        return _plain_markup(label)
    return str(label)


def _plain_markup(label: str) -> str:
    """`Text.from_markup(label).plain`, without parsing a label that holds no markup: no
    tag, no escape, no `:emoji:` code (two colons) and no control code Rich strips leave
    the text as it is. Most labels (`[ 0] 🖋️ ➕ …` account lines included: a tag starts
    with a letter, `#`, `/` or `@`) are such, and parsing them was most of a plain tree's
    cost."""
    if (
        "\\" not in label
        and label.count(":") < 2
        and _STRIPPED.search(label) is None
        and ("[" not in label or RE_TAGS.search(label) is None)
    ):
        return label
    return Text.from_markup(label).plain


_STRIPPED = re.compile("[\x07\x08\x0b\x0c\r]")  # rich.control.strip_control_codes


def _walk(tree: Tree, prefix: str, last: bool, root: bool, out: list[str]) -> None:
    label_lines = _label(tree).split("\n")
    head = "" if root else prefix + ("└── " if last else "├── ")
    child_prefix = "" if root else prefix + ("    " if last else "│   ")
    out.append(head + label_lines[0])
    for extra in label_lines[1:]:  # a multi-line label keeps its guide column
        out.append(child_prefix + ("│   " if tree.children else "    ") + extra)
    for i, child in enumerate(tree.children):
        _walk(child, child_prefix, i == len(tree.children) - 1, False, out)


def print_tree(console: Console, tree: Tree) -> None:
    """Rich's rendering on a colour terminal; plain lines (fast) everywhere else."""
    if console.color_system is None:
        console.file.write("\n".join(tree_lines(tree)) + "\n")
    else:
        console.print(tree)
