"""The YAML limits counted on the composed graph agree with the event walk, and a document
within them is parsed once."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from reev.inputs import yaml_bounded
from reev.inputs.yaml_bounded import YamlLimitError, YamlLimits, check_yaml, load_yaml

LIMITS = YamlLimits(max_nodes=60, max_depth=5, max_items=8, max_int_digits=10)

TEXTS = [
    "a: 1\n",
    "a: &a [1, 2]\nb: *a\n",
    "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a]\n",  # too many once expanded
    "a: &a [[[1]]]\nb: [[*a]]\n",  # too deep once expanded
    "a: &a [[[1]]]\nb: [*a]\n",  # exactly 5 levels
    "[[[[[1]]]]]\n",  # 5 levels: within
    "[[[[[[1]]]]]]\n",  # 6 levels
    "[1, 2, 3, 4, 5, 6, 7, 8]\n",  # 8 items: within
    "[1, 2, 3, 4, 5, 6, 7, 8, 9]\n",
    "{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n",  # 8 pairs: within
    "{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}\n",
    "x: 12345678901\n",  # 11 digits
    "x: 1234567890\n",
    'x: "12345678901"\n',  # a string
    "x: !!int 12345678901\n",
    "x: .inf\n",
    "x: 1.5\n",
    "a: &a [*a]\n",  # an alias inside its own anchor
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",  # a merge key
    "- - - - a\n",  # block nesting: 4 levels
    "- - - - - - a\n",  # 6 levels
    "a: &s hello\nb: [*s, *s, *s]\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_graph_count_agrees_with_the_event_walk(text: str) -> None:
    node = yaml.CSafeLoader(text).get_single_node()
    try:
        check_yaml(text, LIMITS)
        events_within = True
    except YamlLimitError:
        events_within = False
    assert yaml_bounded._within(node, LIMITS) is events_within


def test_an_over_limit_document_reports_the_event_walks_place() -> None:
    wide = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a]\n"
    with pytest.raises(YamlLimitError, match="more than 50 values") as caught:
        load_yaml(wide, YamlLimits(max_nodes=50, max_depth=5, max_items=10))
    assert (caught.value.line, caught.value.column) == (2, 17)  # the 4th *a, as before


@pytest.mark.skipif(not yaml_bounded._COMPOSE_FIRST, reason="needs libyaml >= 0.2.6")
def test_a_document_within_the_limits_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def second_parse(text: str, limits: YamlLimits) -> None:
        raise AssertionError("the event walk ran for a document within the limits")

    monkeypatch.setattr(yaml_bounded, "check_yaml", second_parse)
    node, data = load_yaml("a: &a [1, 2]\nb: *a\n")
    assert data == {"a": [1, 2], "b": [1, 2]} and node is not None


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_a_very_deep_document_is_refused_in_a_process_that_survives(opening: str) -> None:
    """A 100,000-deep document must be a limit error on whatever libyaml is installed: run
    in a child process, so a crash of the composer (libyaml 0.2.5 has no nesting bound)
    fails this test instead of killing the test worker."""
    closing = {"[": "]", "{a: ": "}", "- ": ""}[opening]
    depth = 100_000
    text = opening * depth + "1" + closing * depth  # "- - - … 1" nests block sequences
    code = (
        "import sys\n"
        "from reev.inputs.yaml_bounded import YamlLimitError, load_yaml\n"
        "try:\n"
        "    load_yaml(sys.stdin.read())\n"
        "except YamlLimitError as exc:\n"
        "    print('refused', exc.line, exc.column, exc.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])
    assert done.stdout.startswith("refused 1 "), done.stdout  # all on line 1
    assert "nested deeper than 64 levels" in done.stdout, done.stdout
