"""Hostile benchmark files: every case answers with `path:line:col: message`, in a child
process capped at MEMORY_CAP_MB of address space and TIME_LIMIT_S seconds (issue 15)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from reev.benchmark.loader import BenchmarkLoadError, load_benchmark_files, parse_benchmark
from reev.inputs import YamlLimitError, YamlLimits, load_yaml
from tests.hostile.capped import python, reev
from tests.hostile.hostile_files import (
    BENCHMARKS,
    HOSTILE,
    PARAMETRIC,
    SOL_TRANSFER,
    infinite_weight,
    says,
    with_id,
    write_hostile,
)


def hostile_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Every hostile file, a FIFO, a link to /dev/zero, a link loop, a folder named *.yml
    and two files with one id; name → the message `reev validate` must print."""
    folder = tmp_path / "hostile"
    expected = {p.name: m for p, m in write_hostile(folder).items()}
    os.mkfifo(folder / "fifo.yml")
    expected["fifo.yml"] = "skipped: a FIFO (named pipe), not a regular file"
    (folder / "zero.yml").symlink_to("/dev/zero")
    expected["zero.yml"] = "skipped: a character device, not a regular file"
    (folder / "loop-a.yml").symlink_to(folder / "loop-b.yml")
    (folder / "loop-b.yml").symlink_to(folder / "loop-a.yml")
    expected["loop-a.yml"] = "cannot read file: Too many levels of symbolic links"
    (folder / "folder.yml").mkdir()
    (folder / "one.yml").write_text(with_id(SOL_TRANSFER, "twin"), encoding="utf-8")
    (folder / "two.yml").write_text(with_id(SOL_TRANSFER, "twin"), encoding="utf-8")
    expected["two.yml"] = f"id: duplicate benchmark id 'twin': {folder / 'one.yml'} has it too"
    return folder, expected


def test_validate_answers_every_hostile_file_with_its_place_and_reason(tmp_path: Path) -> None:
    folder, expected = hostile_folder(tmp_path)
    done = reev("validate", str(folder))
    assert done.returncode == 1, done.output
    lines = done.stdout.splitlines()
    for name, message in expected.items():
        hits = [line for line in lines if f"{folder / name}:" in line and says(line, message)]
        assert hits, f"{name}: no line with {message!r} in:\n{done.stdout}"
        assert "Traceback" not in done.output
    assert f"✓ {folder / 'one.yml'}: twin" in done.stdout
    assert not any("folder.yml" in line for line in lines)  # a folder is not a benchmark
    assert "1/14 valid" in done.stdout  # 8 hostile, fifo, zero, 2 loops, one, two
    # `reev list` and `reev run` read the same folder through the same bounded loader
    listed = reev("list", str(folder))
    assert listed.returncode == 1 and "Traceback" not in listed.output, listed.output
    for name in ("bomb-args.yml", "huge-int.yml", "fifo.yml", "zero.yml", "big.yml"):
        hits = [line for line in listed.output.splitlines() if f"{folder / name}:" in line]
        assert hits and says(hits[0], expected[name]), (name, listed.output)
    out = tmp_path / "run.json"
    db = tmp_path / "reev.db"
    ran = reev("run", str(folder), "--db", str(db), "--json", str(out), "--run-id", "h", "-q")
    assert ran.returncode == 1 and "Traceback" not in ran.output, ran.output
    results = json.loads(out.read_text())["results"]
    assert len(results) == 14 and sum(r["status"] == "completed" for r in results) == 1
    errors = {r["benchmark_id"]: r["error"] for r in results if r["status"] == "error"}
    assert says(errors["bomb-parameters"], expected["bomb-parameters.yml"]), errors
    assert says(errors["fifo"], expected["fifo.yml"]) and says(errors["big"], expected["big.yml"])
    with sqlite3.connect(db) as conn:
        status = conn.execute("SELECT status FROM runs WHERE id='h'").fetchone()[0]
    assert status == "completed"


def test_each_hostile_text_is_refused_before_it_is_built() -> None:
    for name, (make, message) in HOSTILE.items():
        if name == "big.yml":
            continue  # a size limit: see the file test
        with pytest.raises(BenchmarkLoadError) as caught:
            parse_benchmark(make(), name)
        issue = caught.value.issues[0]
        assert says(issue.message, message), (name, issue)
        assert issue.line > 1 and issue.column >= 1, (name, issue)


def test_alias_limits_count_expanded_depth_and_size() -> None:
    limits = YamlLimits(max_nodes=50, max_depth=5, max_items=10)
    nested = "a: &a [[[1]]]\nb: [[*a]]\n"  # depth 3 + 3 once expanded
    with pytest.raises(YamlLimitError, match="alias \\*a nests the document deeper than 5"):
        load_yaml(nested, limits)
    wide = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a]\n"
    with pytest.raises(YamlLimitError, match="more than 50 values") as caught:
        load_yaml(wide, limits)
    assert (caught.value.line, caught.value.column) == (2, 17)  # the 4th *a: 14 + 4 × 10
    node, data = load_yaml("a: &a [1, 2]\nb: *a\n", limits)  # within: built once
    assert data == {"a": [1, 2], "b": [1, 2]} and node is not None
    for text, reason in [
        ("x: 1.0e+999\n", "1.0e+999 is not a finite number"),
        ("x: -.inf\n", "-.inf is not a finite number"),
        ("x: !!int " + "1" * 101 + "\n", "integer with 101 digits"),
        ("x: 0x" + "f" * 120 + "\n", "integer with 122 digits"),
    ]:
        with pytest.raises(YamlLimitError, match=re.escape(reason)):
            load_yaml(text, limits)
    assert load_yaml('x: "' + "9" * 500 + '"\n', limits)[1] == {"x": "9" * 500}  # a string


def test_unreadable_folder_is_reported_not_raised(tmp_path: Path) -> None:
    """Permissions do not bind root, so the child drops to `nobody` after importing."""
    if os.geteuid() != 0 and os.access("/", os.W_OK):
        pytest.skip("needs either root (to drop privileges) or an ordinary user")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.yml").write_text(SOL_TRANSFER, encoding="utf-8")
    locked.chmod(0o000)
    tmp_path.chmod(0o755)
    code = f"""
import os, sys
from reev.benchmark.loader import load_benchmark_files
from reev.runner.suite import load_all
if os.geteuid() == 0:
    os.setgid(65534); os.setuid(65534)
for item in load_all([{str(locked)!r}, {str(locked / "a.yml")!r}]):
    print(item.benchmark_id, "|", item.error)
"""
    try:
        done = python(code, cwd=Path("/"))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 0, done.output
    assert f"{locked}:1:1: cannot read file: Permission denied" in done.stdout, done.stdout
    assert f"{locked / 'a.yml'}:1:1: cannot read file: Permission denied" in done.stdout


def test_a_run_with_broken_files_stores_every_episode_and_ends_final(tmp_path: Path) -> None:
    """Issue 15: the 56 shipped episodes plus `.inf` and duplicate-id files were 0 stored,
    a traceback, no --json and a run left `running`."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "inf.yml").write_text(infinite_weight(), encoding="utf-8")
    # a copy of 001 named like 002: it must neither replace 001 nor take 002's place
    (extra / "002-spl-transfer.yml").write_text(SOL_TRANSFER, encoding="utf-8")
    shipped = sorted(p for p in BENCHMARKS.glob("*.yml"))
    db = tmp_path / "reev.db"
    out = tmp_path / "results.json"
    done = reev(
        "run",
        str(BENCHMARKS),
        str(extra),
        "--db",
        str(db),
        "--json",
        str(out),
        "--run-id",
        "hostile",
        "--quiet",
        "--no-session-files",
    )
    assert "Traceback" not in done.output, done.output
    results = json.loads(out.read_text())["results"]
    assert len(results) == len(shipped) + 2
    by_id = {r["benchmark_id"]: r for r in results}
    assert len(by_id) == len(results)  # every episode under its own id
    broken = by_id[str(extra / "002-spl-transfer.yml")]
    assert (
        broken["status"] == "error"
        and "duplicate benchmark id '001-sol-transfer'" in broken["error"]
    )
    assert (
        by_id["inf"]["status"] == "error" and ".inf is not a finite number" in by_id["inf"]["error"]
    )
    assert by_id["002-spl-transfer"]["status"] == "completed"
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM episodes WHERE run_id='hostile'").fetchone()
        status = conn.execute("SELECT status FROM runs WHERE id='hostile'").fetchone()
    assert stored[0] == len(results)
    assert status[0] == "completed"
    assert done.returncode == 1  # some episodes could not run: exit 1, not a crash


def test_load_benchmark_files_lists_each_path_once(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_text(SOL_TRANSFER, encoding="utf-8")
    files = load_benchmark_files([path, tmp_path, tmp_path / "." / "a.yml"])
    assert [f.path for f in files] == [path]
    assert files[0].benchmark is not None and files[0].error is None


def test_template_expressions_are_bounded_before_they_are_computed() -> None:
    from reev.benchmark.params import evaluate

    for expression, reason in [
        ('"x" * 1000000000', "would be a string of 1,000,000,000 characters"),
        (" * ".join(["99999999999999999999"] * 30), "would be an integer of over 256 bits"),
        ("1" + " + 1" * 400, "expression of 1,601 characters (at most 1,000)"),
        ("ui(1, 1000000000)", "decimals must be 0-255"),
    ]:
        with pytest.raises(ValueError, match=re.escape(reason)):
            evaluate(expression, {})
    assert evaluate("ui(a * 2, 6)", {"a": 6_250_000}) == "12.5"
    bomb = PARAMETRIC.replace(
        'prompt: "Send {{ sol(lamports) }} SOL', 'prompt: "Send {{ \\"x\\" * 1000000000 }} SOL', 1
    )
    with pytest.raises(BenchmarkLoadError, match="would be a string of 1,000,000,000 characters"):
        parse_benchmark(bomb, "bomb.yml")


CLI_AS_NOBODY = """
import os, sys
import typer.rich_utils  # noqa: F401 - loaded before privileges drop (it is imported lazily)
from reev.cli.app import app

def cli(*args):
    try:
        app(list(args), prog_name="reev")
    except SystemExit as stop:
        return stop.code
    return 0

good, locked, db, session = sys.argv[1:5]
bad = good.replace("good.yml", "bad.yml")  # an error line: Rich's width tables for ✗
for warm in (["validate", good], ["list", good], ["list", bad],
             ["run", good, "--db", db + ".warm", "-q"], ["flow", good.replace(".yml", ".json")]):
    # every module the commands import lazily is loaded now, as root (an installed
    # site-packages under /root cannot be read once the process is nobody)
    cli(*warm)
os.setgid(65534); os.setuid(65534)
for args in (["validate", locked], ["list", locked], ["run", locked, "--db", db, "-q"],
             ["flow", session]):
    print("EXIT", args[0], cli(*args), flush=True)
unreachable = os.path.join(os.path.dirname(locked), "sub", "reev.db")
print("EXIT db", cli("report", "--db", unreachable), flush=True)
"""


def test_unreadable_paths_on_the_command_line_are_messages() -> None:
    """`Path.exists()` and `mkdir` raise PermissionError under a folder that cannot be
    searched: `reev validate/list/run/flow` say so instead of a traceback."""
    if os.geteuid() != 0:
        pytest.skip("needs root (to drop privileges after importing)")
    base = Path(tempfile.mkdtemp(prefix="reev-unreadable-", dir="/tmp"))  # nobody reaches it
    try:
        base.chmod(0o755)
        locked = base / "locked"
        locked.mkdir()
        (locked / "a.yml").write_text(SOL_TRANSFER, encoding="utf-8")
        db = base / "db"
        db.mkdir()
        db.chmod(0o777)
        (base / "good.json").write_text("{}", encoding="utf-8")
        good = base / "good.yml"
        good.write_text(SOL_TRANSFER, encoding="utf-8")
        (base / "bad.yml").write_text("id: [unclosed\n", encoding="utf-8")
        locked.chmod(0o000)
        args = [str(good), str(locked / "a.yml"), str(db / "reev.db"), str(locked / "s.json")]
        done = python(
            CLI_AS_NOBODY, cwd=Path("/"), env={"REEV_HOME": str(db)}, args=args, timeout=300
        )
        locked.chmod(0o755)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    out = done.output
    assert "Traceback" not in out, out
    assert f"{locked / 'a.yml'}:1:1: cannot read file: Permission denied" in out
    assert "EXIT validate 1" in out and "EXIT list 1" in out and "EXIT run 1" in out, out
    assert "EXIT flow 2" in out and "EXIT db 2" in out, out
    flat = " ".join(out.split())
    assert f"{locked / 's.json'}: cannot read the session file: cannot read file: Permission" in (
        flat
    )
    assert f"cannot create the database folder {locked / 'sub'}: Permission denied" in flat
