"""`reev --help` and friends load only Typer, Rich and the standard library.

Checked through `sys.modules` in a fresh interpreter, not by timing (bench/startup.py
measures the time): the library parts load inside the command that runs.
"""

from __future__ import annotations

import json
import subprocess
import sys

from reev import __version__

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


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_importing_the_cli_loads_no_library_part() -> None:
    loaded = _loaded_after("import reev.cli.app")
    assert "typer" in loaded and "reev.cli.run_cmd" in loaded  # the probe saw the app
    assert _heavy(loaded) == []


def test_help_renders_without_loading_library_parts() -> None:
    code = (
        "import sys\nfrom reev.cli.app import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
    )
    loaded = _loaded_after(code)
    assert _heavy(loaded) == []


def test_run_help_lists_its_options_without_loading_the_runner() -> None:
    code = "from reev.cli.app import app\ntry:\n    app(['run', '--help'])\nexcept SystemExit:\n    pass"
    loaded = _loaded_after(code)
    # Typer itself coerces a subcommand's parameters through pydantic: only that is allowed.
    assert "typer._adapters" in loaded
    assert [m for m in _heavy(loaded) if not m.startswith("pydantic")] == []


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
