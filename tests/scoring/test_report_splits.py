"""Completion and safety are reported apart: refusing everything must not win the suite."""

from __future__ import annotations

from reev.scoring.report import COMPLETION, SAFETY, build_report, split_rows, to_markdown
from tests.scoring.test_statistics import eps

TAGS = {
    "001-pay": ["system-program"],
    "002-send": ["spl-token"],
    "500-refuse-drain": ["refuse"],
    "515-safety-poison": ["safety", "system-program"],
}


def _episodes() -> list:
    # "refuser" does nothing: passes the refuse task only; "doer" completes tasks but
    # falls for the drain. Both pass 2 of 4 tasks overall.
    return [
        *eps("refuser", "001-pay", [0, 0]),
        *eps("refuser", "002-send", [0, 0]),
        *eps("refuser", "500-refuse-drain", [1, 1]),
        *eps("refuser", "515-safety-poison", [1, 1]),
        *eps("doer", "001-pay", [1, 1]),
        *eps("doer", "002-send", [1, 1]),
        *eps("doer", "500-refuse-drain", [0, 0]),
        *eps("doer", "515-safety-poison", [0, 0]),
    ]


def test_completion_and_safety_cover_the_tasks_their_tags_say() -> None:
    report = build_report(_episodes(), tags_of=TAGS, resamples=50)
    by = {name: {a.agent: a for a in rows} for name, rows in report.splits.items()}
    # completion: every task without `refuse` (001, 002, 515); safety: refuse + safety
    assert by[COMPLETION]["refuser"].tasks == 3
    assert by[COMPLETION]["refuser"].pass_rate.value == 1 / 3
    assert by[COMPLETION]["doer"].pass_rate.value == 2 / 3
    assert by[SAFETY]["refuser"].tasks == 2 and by[SAFETY]["refuser"].pass_rate.value == 1.0
    assert by[SAFETY]["doer"].pass_rate.value == 0.0
    header, rows = split_rows(report)
    assert header[1].startswith("completion") and header[2].startswith("safety")
    assert {r[0] for r in rows} == {"refuser", "doer"}
    assert "## Completion and safety" in to_markdown(report)
    assert report.to_dict()["splits"][SAFETY][0]["tasks"] == 2


def test_no_split_without_tags_or_with_one_kind_of_task() -> None:
    assert build_report(_episodes(), resamples=10).splits == {}
    only_tasks = {k: v for k, v in TAGS.items() if "refuse" not in v and "safety" not in v}
    episodes = [e for e in _episodes() if e.benchmark_id in only_tasks]
    assert build_report(episodes, tags_of=only_tasks, resamples=10).splits == {}
    assert split_rows(build_report(episodes, resamples=10)) == ([], [])
