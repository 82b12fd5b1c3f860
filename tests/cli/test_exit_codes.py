"""Exit codes as README states them, and where `reev run` writes its files by default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reev.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SOL = ROOT / "benchmarks" / "001-sol-transfer.yml"
runner = CliRunner()


@pytest.mark.parametrize("command", ["run", "validate", "list", "gates"])
def test_a_missing_path_is_a_usage_error_and_stores_nothing(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "missing.yml"
    result = runner.invoke(app, [command, str(missing)])
    assert result.exit_code == 2, result.output
    # the whole path on one line, however long (no wrapping at the console width)
    assert f"no such file or directory: {missing}\n" in result.output
    home = Path(os.environ["REEV_HOME"])
    assert not (home / "reev.db").exists()  # no run was created


def test_missing_path_next_to_a_good_one_runs_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(SOL), str(tmp_path / "typo.yml")])
    assert result.exit_code == 2
    assert not (Path(os.environ["REEV_HOME"]) / "reev.db").exists()


def test_unknown_option_and_unknown_command_exit_2() -> None:
    assert runner.invoke(app, ["run", str(SOL), "--no-such-option"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_no_session_files_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["run", str(SOL), "-q", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []  # nothing in the working directory
    assert not (Path(os.environ["REEV_HOME"]) / "sessions").exists()


def test_session_files_go_under_reev_home_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["run", str(SOL), "-q", "--no-progress", "--session-files"])
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []
    sessions = list((Path(os.environ["REEV_HOME"]) / "sessions").glob("session_*.json"))
    assert len(sessions) == 1


def test_out_dir_writes_session_files_there_unless_told_not_to(tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    assert runner.invoke(app, ["run", str(SOL), "-q", "--out-dir", str(out)]).exit_code == 0
    assert len(list((out / "sessions").glob("session_*.json"))) == 1
    other = tmp_path / "other"
    args = ["run", str(SOL), "-q", "--out-dir", str(other), "--no-session-files"]
    assert runner.invoke(app, args).exit_code == 0
    assert not other.exists()
