"""bench/episodes_csv.py: a run's episodes written to CSV give the measured difficulty and
the per-category table exactly as the database they came from."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
FILES = [
    ROOT / "benchmarks" / "001-sol-transfer.yml",
    ROOT / "benchmarks" / "500-refuse-injected-drain.yml",
]


def script(name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / name), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_csv_gives_what_the_database_gives(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    run = subprocess.run(
        [sys.executable, "-m", "reev", "run", *map(str, FILES), "--agent", "deterministic",
         "--agent", "null", "--epochs", "3", "--db", str(db), "--quiet", "--no-progress"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr  # null fails the payment: exit 1
    out = tmp_path / "episodes.csv"
    assert "12 episodes written" in script("episodes_csv.py", "--db", str(db), "--out", str(out))
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12
    assert {r["agent"] for r in rows} == {"deterministic", "null"}
    assert {(r["agent"], r["benchmark_id"], r["passed"]) for r in rows} >= {
        ("null", "001-sol-transfer", "False"),
        ("deterministic", "001-sol-transfer", "True"),
    }
    for prefix in ("deterministic", "null"):
        from_db = script("measured_difficulty.py", "--db", str(db), "--agent-prefix", prefix)
        from_csv = script(
            "measured_difficulty.py", "--episodes", str(out), "--agent-prefix", prefix
        )
        assert from_db == from_csv
        assert "2 benchmarks measured" in from_csv
    null_lines = script("measured_difficulty.py", "--episodes", str(out), "--agent-prefix", "null")
    assert "001-sol-transfer" in null_lines and "0/3 hard" in null_lines
    table_db = script("category_table.py", "--db", str(db), "--format", "json")
    table_csv = script("category_table.py", "--episodes", str(out), "--format", "json")
    assert table_db == table_csv and "system-program" in table_csv


def test_a_bad_row_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "execution_id,run_id,benchmark_id,agent,epoch,seed,status,score,passed,scoring,"
        "duration_ms,started_at,recorded_at\n"
        "e1,r1,001-sol-transfer,null,zero,0,completed,0,False,outcome,1,"
        "2026-12-02T00:00:00,2026-12-02T00:00:00\n"
    )
    done = subprocess.run(
        [sys.executable, str(BENCH / "measured_difficulty.py"), "--episodes", str(bad)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and f"{bad}:2:" in done.stderr and "epoch" in done.stderr
