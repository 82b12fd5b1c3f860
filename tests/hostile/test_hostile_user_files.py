"""Hostile JSON files a user names (or that sit where reev looks): session files for
`reev flow FILE` and `$REEV_HOME/sessions/`, `--results` files, cassettes, predictions.
Each is bounded before parsing like a benchmark file and answers `path: message`, exit 2,
in a capped child process (issue 15)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from reev.chain.cassette import Cassette, CassetteError
from reev.cli.flow_cmd import EpisodeNotFound, FlowInputError, find_episode
from tests.hostile.capped import reev
from tests.hostile.hostile_files import BENCHMARKS

SOL = str(BENCHMARKS / "001-sol-transfer.yml")
DEEP = "[" * 100_000 + "]" * 100_000
HUGE_INT = '{"results": [' + "9" * 5000 + "]}"

# name → (content, the message after `path: `)
JSON_CASES: dict[str, tuple[str, str]] = {
    "deep.json": (DEEP, "JSON nested deeper than 64 levels"),
    "huge-int.json": (HUGE_INT, "integer with 5,000 digits (at most 100)"),
    "nan.json": ('{"results": [NaN]}', "NaN is not valid JSON (numbers must be finite)"),
    "inf.json": ('{"results": [1e999]}', "1e999 is not a finite number"),
    "not-json.json": ("{'results': 1", "invalid JSON: Expecting property name"),
    "binary.json": ("\udcff", "not UTF-8 text"),
}


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


def special_files(folder: Path) -> dict[Path, str]:
    fifo = folder / "fifo.json"
    os.mkfifo(fifo)
    zero = folder / "zero.json"
    zero.symlink_to("/dev/zero")
    (folder / "dir.json").mkdir()
    return {
        fifo: "skipped: a FIFO (named pipe), not a regular file",
        zero: "skipped: a character device, not a regular file",
        folder / "dir.json": "skipped: a directory, not a regular file",
    }


def test_flow_session_file_argument_is_bounded_and_exits_2(tmp_path: Path) -> None:
    cases = {write(tmp_path / n, text): m for n, (text, m) in JSON_CASES.items()}
    special = special_files(tmp_path)
    cases |= special
    cases[write(tmp_path / "list.json", "[1, 2]")] = "document: expected an object, not list"
    cases[write(tmp_path / "steps.json", '{"final_result": {"data": {"steps": [1]}}}')] = (
        "final_result.data.steps[0]: expected an object, not int"
    )
    for path, message in cases.items():  # in this process: O_NONBLOCK keeps a FIFO harmless
        with pytest.raises(FlowInputError) as caught:
            find_episode(str(path))
        assert str(caught.value).startswith(f"{path}: "), caught.value
        assert message in str(caught.value), (message, caught.value)
    # the command line, capped: the special files and one over a limit (each child costs
    # seconds of start-up on a shared machine, so not every case)
    for path in [*special, tmp_path / "deep.json"]:
        done = reev("flow", str(path))
        text = " ".join(done.stderr.split())
        assert done.returncode == 2, (path, done.output)
        assert "Traceback" not in done.output, done.output
        assert f"error: {path}: " in text and cases[path] in text, (path, text)


def test_session_files_of_the_wrong_shape_name_the_field(tmp_path: Path) -> None:
    tool_call = {"depth": 1, "event_type": "ToolCall", "data": {"tool": 5}}
    for document, where in [
        ({"final_result": []}, "final_result: expected an object, not list"),
        ({"final_result": {"data": {"steps": {}}}}, "final_result.data.steps: expected a list"),
        ({"final_result": {"data": {"steps": [{"step": "x"}]}}}, "steps[0].step: Input should"),
        ({"events": 3}, "events: expected a list, not int"),
        ({"events": [[1]]}, "events[0]: expected an object, not list"),
        (
            {"final_result": {"data": {"steps": [{}]}}, "events": [tool_call]},
            "events[0].data.",
        ),
        ({"final_result": {"score": "high"}}, "score: Input should be a valid number"),
    ]:
        path = write(tmp_path / "s.json", json.dumps(document))
        with pytest.raises(FlowInputError) as caught:
            find_episode(str(path))
        assert str(caught.value).startswith(f"{path}: not a session file: "), caught.value
        assert where in str(caught.value), (where, caught.value)


def test_implicit_session_file_and_results_file_are_bounded(tmp_path: Path) -> None:
    sessions = tmp_path / "home" / "sessions"
    sessions.mkdir(parents=True)
    write(sessions / "session_abc.json", DEEP)
    env = {"REEV_HOME": str(tmp_path / "home")}
    done = reev("flow", "abc", env=env)
    assert done.returncode == 2 and "Traceback" not in done.output, done.output
    assert f"{sessions / 'session_abc.json'}: not a session file: JSON nested deeper" in (
        " ".join(done.stderr.split())
    )
    (sessions / "session_zero.json").symlink_to("/dev/zero")
    done = reev("flow", "zero", env=env)
    assert done.returncode == 2 and "a character device" in done.stderr, done.output
    # no such session file and no such episode: exit 1 (not found), as before
    done = reev("flow", "nothing-here", env=env)
    assert done.returncode == 1 and "no episode 'nothing-here'" in done.stderr, done.output

    results: Callable[[str], Path] = lambda text: write(tmp_path / "r.json", text)  # noqa: E731
    for text, message in [(t, m) for t, m in JSON_CASES.values()] + [
        ('{"results": 5}', "not a results file: no `results` list"),
        ('{"results": [{"execution_id": "x", "score": []}]}', "results[0]."),
    ]:
        path = results(text)
        with pytest.raises(FlowInputError) as caught:
            find_episode("x", results=path)
        assert str(caught.value).startswith(f"{path}: "), caught.value
        assert message in str(caught.value), (message, caught.value)
    with pytest.raises(EpisodeNotFound, match="holds no episode 'x'"):
        find_episode("x", results=results('{"results": []}'))
    fifo = tmp_path / "results-fifo.json"
    os.mkfifo(fifo)
    done = reev("flow", "x", "--results", str(fifo))
    assert done.returncode == 2 and "a FIFO (named pipe)" in done.stderr, done.output


def test_hostile_cassettes_are_path_messages_and_exit_2(tmp_path: Path) -> None:
    cases = {write(tmp_path / n, text): m for n, (text, m) in JSON_CASES.items()}
    cases |= special_files(tmp_path)
    head = '{"format": "reev-cassette", "version": 1, '
    for name, body, message in [
        ("upstream.json", '"upstream": [1]}', "upstream: expected an object, not list"),
        ("accounts.json", '"accounts": [1]}', "accounts: expected an object, not list"),
        ("account.json", '"accounts": {"11111111111111111111111111111111": 5}}', "expected an"),
        ("http.json", '"http": [{"method": "GET"}]}', "missing field 'path'"),
        ("clock.json", '"clock": [1]}', "clock: expected an object, not list"),
    ]:
        cases[write(tmp_path / name, head + body)] = message
    for path, message in cases.items():
        with pytest.raises(CassetteError) as caught:
            Cassette.load(path)
        assert str(caught.value).startswith(f"{path}: "), caught.value
        assert message in str(caught.value), (message, caught.value)
    fifo = tmp_path / "fifo.json"
    for args in (["--cassette", str(fifo)], ["--cassette", str(tmp_path / "upstream.json")]):
        done = reev("run", SOL, "--db", str(tmp_path / "reev.db"), "--quiet", *args)
        assert done.returncode == 2 and "Traceback" not in done.output, done.output
        assert f"error: {args[1]}: " in " ".join(done.stderr.split()), done.output
    # recording into a cassette that does not exist yet starts an empty one
    fresh = Cassette.open(tmp_path / "new.json")
    assert fresh.path == tmp_path / "new.json" and not fresh.dirty


def test_hostile_predictions_files_exit_2_from_the_cli(tmp_path: Path) -> None:
    special = special_files(tmp_path)
    good = json.dumps({"benchmark_id": "001-sol-transfer", "instructions": []})
    lines = write(tmp_path / "p.jsonl", good + "\n" + "[" * 3000 + "]" * 3000 + "\n")
    for path, message in [*special.items(), (lines, ":2:65: JSON nested deeper than 64 levels")]:
        done = reev("run", SOL, "--predictions", str(path), "--db", str(tmp_path / "r.db"))
        assert done.returncode == 2 and "Traceback" not in done.output, done.output
        text = " ".join(done.stderr.split())
        assert f"error: {path}:" in text and message in text, (path, text)
