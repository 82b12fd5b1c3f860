"""The `reev` command: exit codes, JSON output, session files, validate and list."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from reev.cli.app import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_run_natives_writes_json_and_sessions(tmp_path: Path, originals: Path) -> None:
    out = tmp_path / "r.json"
    natives = [str(originals / f) for f in sorted(p.name for p in originals.glob("00*.yml"))]
    code, text = invoke(
        "run",
        *natives,
        "--scoring",
        "reev",
        "--json",
        str(out),
        "--out-dir",
        str(tmp_path / "logs"),
    )
    assert code == 0, text
    assert "001-sol-transfer" in text and "4/4 passed" in text
    results = json.loads(out.read_text())["results"]
    assert [round(r["score"], 4) for r in results] == [1.0, 1.0, 0.75, 0.7857]
    first = results[0]
    for key in (
        "benchmark_id",
        "agent",
        "seed",
        "epoch",
        "execution_id",
        "status",
        "error",
        "score",
        "passed",
        "scoring",
        "scores",
        "assertions",
        "steps",
        "duration_ms",
    ):
        assert key in first
    assert set(first["scores"]) == {"instruction", "onchain", "outcome"}
    assert set(first["assertions"][0]) >= {
        "type",
        "pubkey",
        "expected",
        "actual",
        "passed",
        "weight",
    }
    tx = first["steps"][0]["transaction"]
    assert set(tx) >= {"status", "error", "signature", "logs", "compute_units", "fee"}
    assert tx["fee"] == 5000
    session = tmp_path / "logs" / "sessions" / f"session_{first['execution_id']}.json"
    doc = json.loads(session.read_text())
    assert doc["final_result"]["score"] == 1.0
    third = json.loads(
        (tmp_path / "logs" / "sessions" / f"session_{results[2]['execution_id']}.json").read_text()
    )
    assert third["final_result"]["score"] == 0.75  # the real score, not a success flag


def test_run_exit_1_when_a_benchmark_cannot_run(tmp_path: Path, originals: Path) -> None:
    shutil.copy(originals / "001-sol-transfer.yml", tmp_path / "a.yml")
    (tmp_path / "b.yml").write_text("id: [broken\n")
    out = tmp_path / "r.json"
    code, _text = invoke("run", str(tmp_path), "--json", str(out), "--no-session-files")
    assert code == 1
    results = json.loads(out.read_text())["results"]
    assert [r["status"] for r in results] == ["completed", "error"]
    assert "invalid YAML" in results[1]["error"] and "b.yml:2" in results[1]["error"]


def test_run_usage_errors_exit_2(originals: Path) -> None:
    assert invoke("run", str(originals / "001-sol-transfer.yml"), "--agent", "gpt-nonsense")[0] == 2
    code, text = invoke("run", str(originals / "001-sol-transfer.yml"), "--scoring", "best")
    assert code == 2 and "--scoring" in text
    assert invoke("run", str(originals / "001-sol-transfer.yml"), "--agent", "replay")[0] == 2


def test_failing_score_still_exits_0(originals: Path) -> None:
    code, _ = invoke(
        "run", str(originals / "001-sol-transfer.yml"), "--agent", "null", "--no-session-files"
    )
    assert code == 0


def test_replay_prediction_for_unknown_benchmark(tmp_path: Path, originals: Path) -> None:
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"benchmark_id": "999-nope", "instructions": []}) + "\n")
    out = tmp_path / "r.json"
    code, _ = invoke(
        "run",
        str(originals / "001-sol-transfer.yml"),
        "--predictions",
        str(preds),
        "--json",
        str(out),
        "--no-session-files",
    )
    assert code == 1
    results = {r["benchmark_id"]: r for r in json.loads(out.read_text())["results"]}
    assert "no prediction" in results["001-sol-transfer"]["error"]
    assert "unknown benchmark '999-nope'" in results["999-nope"]["error"]


def test_validate(tmp_path: Path, originals: Path) -> None:
    code, text = invoke("validate", str(originals))
    assert code == 0 and "13/13 valid" in text
    (tmp_path / "bad.yml").write_text(
        (originals / "001-sol-transfer.yml")
        .read_text()
        .replace("type: SolBalance", "type: Nope", 1)
    )
    code, text = invoke("validate", str(tmp_path))
    assert code == 1
    assert "bad.yml:23:7" in text and "unknown assertion type 'Nope'" in text


def test_validate_writes_user_text_as_it_is_one_plain_line_each(tmp_path: Path) -> None:
    # Rich used to read `[bold]…[/bold]` in a file's text as markup and drop it.
    source = Path(__file__).resolve().parents[2] / "benchmarks" / "001-sol-transfer.yml"
    (tmp_path / "bad.yml").write_text(
        source.read_text().replace("type: SolBalance", "type: '[bold]Nope[/bold]'", 1)
    )
    code, text = invoke("validate", str(tmp_path))
    assert code == 1
    [issue, summary] = text.splitlines()  # never wrapped, however long
    assert issue.startswith(f"✗ {tmp_path / 'bad.yml'}:20:7: ")
    assert "unknown assertion type '[bold]Nope[/bold]'" in issue
    assert "\x1b[" not in text  # no colour when not a terminal
    assert summary == "0/1 valid"
    code, text = invoke("validate", str(source))
    assert code == 0 and text == f"✓ {source}: 001-sol-transfer\n1/1 valid\n"


def test_list_shows_the_prompt_as_agents_see_it(originals: Path) -> None:
    code, text = invoke("list", str(originals / "001-sol-transfer.yml"), "--json")
    assert code == 0
    [row] = json.loads(text)
    assert row["id"] == "001-sol-transfer"
    assert "RECIPIENT_WALLET_PUBKEY" not in row["prompt"]  # resolved to its pubkey
    assert row["tags"] == ["system-program", "transfer", "t2"]
