"""A real installed plugin: a distribution on sys.path whose `reev` entry point adds a
tool, an agent and an executor, found by importlib.metadata like any installed package."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import reev.plugins.registry as plugin_registry
from reev.agents.base import AgentError
from reev.agents.registry import AGENTS, create_agent
from reev.benchmark.loader import load_benchmark
from reev.cli.app import app
from reev.plugins.registry import PluginError, Registry
from reev.runner.executors import EXECUTORS, make_executor
from reev.runner.suite import AgentEntry, load_all, run_matrix
from reev.tools.registry import TOOLS

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__file__).parent / "example_site"
B1 = ROOT / "benchmarks" / "001-sol-transfer.yml"


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example distribution on sys.path, registries restored afterwards."""
    monkeypatch.syspath_prepend(str(SITE))
    for registry in (AGENTS, TOOLS, EXECUTORS):
        monkeypatch.setattr(registry, "_entries", dict(registry._entries))
    monkeypatch.setattr(plugin_registry, "_LOADED", False)
    monkeypatch.setattr(plugin_registry, "_SOURCES", {})
    yield


def test_the_entry_point_adds_an_agent_a_tool_and_an_executor(installed: None) -> None:
    assert "example-tenth" in AGENTS
    assert "example_send_tenth" in TOOLS and "example-inline" in EXECUTORS
    assert "reev-example-plugin 0.1.0" in plugin_registry.loaded_plugins()["example"]
    benchmark = load_benchmark(B1)
    from reev.runner.episode import run_episode

    result = asyncio.run(run_episode(benchmark, create_agent("example-tenth")))
    assert result.passed, result.error
    assert result.steps[0].tool_calls[0].tool == "example_send_tenth"
    executor = make_executor("example-inline")
    outcome = asyncio.run(
        run_matrix(
            load_all([B1]),
            [AgentEntry("example-tenth", lambda: create_agent("example-tenth"))],
            executor=executor,
        )
    )
    assert outcome.results[0].passed


def test_reev_agents_lists_installed_plugins(installed: None) -> None:
    out = CliRunner().invoke(app, ["agents"]).output
    assert "example-tenth" in out and "deterministic" in out
    assert "reev-example-plugin" in out


def test_without_the_plugin_its_names_are_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugin_registry, "_LOADED", True)
    with pytest.raises(
        AgentError, match=r"unknown agent 'example-tenth'; known agents: .*deterministic"
    ):
        create_agent("example-tenth")


def test_a_name_is_registered_once_and_a_broken_plugin_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry: Registry[int] = Registry("thing", {"a": 1})
    with pytest.raises(PluginError, match="thing 'a' is already registered"):
        registry.add("a", 2)
    assert registry.register("b")(3) == 3 and dict(registry) == {"a": 1, "b": 3}
    dist = tmp_path / "broken-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[reev]\nbroken = no_such_module:register\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugin_registry, "_LOADED", False)
    with pytest.raises(PluginError, match="reev plugin broken = no_such_module:register"):
        plugin_registry.load_plugins()
