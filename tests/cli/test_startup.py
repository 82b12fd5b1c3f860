"""`reev --help` and friends load only what the command needs; help stays complete.

What is loaded is checked through `sys.modules` in a fresh interpreter, not by timing
(`bench/end_to_end.py --startup-only` measures the time): the commands are a lazy group,
so only the invoked command's module is imported, and the library parts load inside the
command that runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.core import TyperOption
from typer.testing import CliRunner

from reev import __version__
from reev.cli.app import COMMANDS, SUMMARIES, app, build_command

ROOT = Path(__file__).resolve().parents[2]
ONE_FILE = ROOT / "benchmarks" / "001-sol-transfer.yml"
NAMES = [name for name, _, _ in COMMANDS]

# Parts whose import costs tenths of a second (or that only one command needs).
HEAVY = (
    "openai",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "textual",
    "httpx",
    "opentelemetry",
    "pydantic",
    "yaml",
    "solders",
    "asyncio",
    "reev.store",
    "reev.agents",
    "reev.runner",
    "reev.chain",
    "reev.benchmark",
    "reev.scoring",
    "reev.results",
    "reev.tracing",
    "reev.api",
    "reev.tui",
)
# What `reev validate FILE` needs: the benchmark loader and what it stands on. Not solders:
# telling a pubkey from a placeholder is plain Python (reev.benchmark.keys).
LOADER = ("pydantic", "yaml", "reev.benchmark", "reev.results")
COMMAND_MODULES = sorted({target.split(":")[0] for _, target, _ in COMMANDS})


def _matching(modules: list[str], prefixes: tuple[str, ...] | list[str]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def _loaded_after_reev(tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    """(exit code, sorted sys.modules) after `reev ARGS` through the console-script entry
    point, in a fresh interpreter."""
    out = tmp_path / "modules.json"
    probe = (
        "import json, sys\n"
        f"sys.argv = ['reev', *{list(args)!r}]\n"
        "from reev.cli.app import main\n"
        "code = 0\n"
        "try:\n    main()\n"
        "except SystemExit as e:\n    code = e.code if isinstance(e.code, int) else 1\n"
        f"open({str(out)!r}, 'w').write(json.dumps([code, sorted(sys.modules)]))\n"
    )
    subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    code, modules = json.loads(out.read_text())
    return code, modules


def test_importing_the_cli_loads_no_command_and_no_library_part() -> None:
    probe = "import reev.cli.app, json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert "typer" in loaded and "reev.cli.app" in loaded  # the probe saw the app
    assert _matching(loaded, HEAVY) == []
    assert _matching(loaded, COMMAND_MODULES) == []


def test_help_imports_no_command_module_rich_or_library_part(tmp_path: Path) -> None:
    code, loaded = _loaded_after_reev(tmp_path, "--help")
    assert code == 0 and "reev.cli.app" in loaded
    assert _matching(loaded, COMMAND_MODULES) == []
    # Plain help: neither Typer's Rich help (rich.markdown, markdown_it, pygments) nor Rich.
    assert _matching(loaded, ["rich", "typer.rich_utils", "markdown_it", "pygments"]) == []
    assert _matching(loaded, HEAVY) == []


def test_version_imports_no_command_module(tmp_path: Path) -> None:
    code, loaded = _loaded_after_reev(tmp_path, "--version")
    assert code == 0
    assert _matching(loaded, COMMAND_MODULES) == []
    assert _matching(loaded, [*HEAVY, "rich"]) == []


def test_a_commands_help_imports_only_that_command(tmp_path: Path) -> None:
    code, loaded = _loaded_after_reev(tmp_path, "run", "--help")
    assert code == 0
    assert "reev.cli.run_cmd" in loaded
    others = [m for m in COMMAND_MODULES if m != "reev.cli.run_cmd"]
    assert _matching(loaded, others) == []
    # Typer itself coerces a command's parameters through pydantic: only that is allowed.
    assert [m for m in _matching(loaded, HEAVY) if not m.startswith("pydantic")] == []
    assert "typer.rich_utils" not in loaded


def test_validate_loads_the_benchmark_loader_but_not_the_store_vm_or_agents(
    tmp_path: Path,
) -> None:
    code, loaded = _loaded_after_reev(tmp_path, "validate", str(ONE_FILE))
    assert code == 0
    assert "reev.benchmark.loader" in loaded  # it did validate
    heavy = [h for h in HEAVY if h not in LOADER]
    assert _matching(loaded, heavy) == []
    assert "litesvm" not in loaded and "reev.chain" not in loaded
    assert _matching(loaded, ["rich"]) == []  # plain lines (print_marked)
    others = [m for m in COMMAND_MODULES if m != "reev.cli.benchmarks_cmd"]
    assert _matching(loaded, others) == []


@pytest.mark.parametrize(("given", "seen"), [(None, "__all__"), ("", ""), ("logfire", "logfire")])
def test_pydantic_plugins_are_off_unless_the_user_says(given: str | None, seen: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given
    probe = (
        "import os, sys\n"
        "sys.argv = ['reev', '--version']\n"
        "from reev.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.stdout.splitlines()[-1] == repr(seen)


def test_help_lists_every_command_with_its_whole_summary() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for name, _, summary in COMMANDS:
        assert f" {name} {summary}" in text, name
    assert "..." not in text.split("Commands:")[1]  # no summary cut short


@pytest.mark.parametrize("name", NAMES)
def test_the_listed_summary_is_the_first_paragraph_of_the_commands_help(name: str) -> None:
    command = build_command(name)
    assert command.name == name
    assert command.help is not None
    first_paragraph = " ".join(command.help.split("\n\n")[0].split())
    assert SUMMARIES[name] == first_paragraph


@pytest.mark.parametrize("name", NAMES)
def test_a_commands_help_shows_all_its_options(name: str) -> None:
    command = build_command(name)
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: reev {name} ")
    for param in command.params:
        if isinstance(param, TyperOption):
            for opt in [*param.opts, *param.secondary_opts]:
                assert opt in result.output, (name, opt)
        else:  # an argument: by its name (in the usage line or its metavar)
            assert param.name and param.name.lower() in result.output.lower(), (name, param)
    assert "--help" in result.output
    assert "--install-completion" not in result.output


def test_a_group_lists_its_subcommands() -> None:
    result = CliRunner().invoke(app, ["cache", "--help"])
    assert result.exit_code == 0
    assert "clear" in result.output and "stats" in result.output


def test_every_listed_command_is_a_function_or_a_typer_group() -> None:
    from reev.cli.app import load_command

    for name in NAMES:
        target = load_command(name)
        assert isinstance(target, typer.Typer) or callable(target), name


def test_a_mistyped_command_is_a_usage_error_with_suggestions() -> None:
    result = CliRunner().invoke(app, ["valdate", str(ONE_FILE)])
    assert result.exit_code == 2
    assert "No such command 'valdate'" in result.output
    assert "'validate'" in result.output


def test_an_unexpected_exception_prints_pythons_traceback_and_exits_1() -> None:
    # Typer's pretty (Rich) exceptions are off: a crash is Python's plain traceback.
    probe = (
        "import sys\n"
        "import reev.benchmark.loader as loader\n"
        "def boom(paths):\n    raise RuntimeError('boom from the test')\n"
        "loader.load_benchmark_files = boom\n"
        f"sys.argv = ['reev', 'validate', {str(ONE_FILE)!r}]\n"
        "from reev.cli.app import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert done.stderr.rstrip().endswith("RuntimeError: boom from the test")
    assert "╭" not in done.stderr  # no Rich panel


def test_defaults_written_in_the_cli_match_the_library() -> None:
    from reev.cli.gates_cmd import DEFAULT_SEEDS
    from reev.runner.gates import PARAMETRIC_SEEDS

    assert len(PARAMETRIC_SEEDS) == DEFAULT_SEEDS


def test_version_flag() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reev", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"reev {__version__}"


def test_package_version_matches_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert version("reev") == __version__
