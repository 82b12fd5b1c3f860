"""A real installed plugin: a distribution on sys.path whose `reev` entry point adds a
tool, an agent, an executor, an assertion type and a scoring profile, found by
importlib.metadata like any installed package."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import reev.plugins.registry as plugin_registry
from reev.agents.base import AgentError
from reev.agents.registry import AGENTS, create_agent
from reev.benchmark.loader import BenchmarkLoadError, load_benchmark
from reev.benchmark.model import ASSERTION_MODELS
from reev.cli.app import app
from reev.cli.schema_cmd import benchmark_schema
from reev.plugins.registry import PluginError, Registry
from reev.runner.executors import EXECUTORS, make_executor
from reev.runner.suite import AgentEntry, load_all, run_matrix
from reev.scoring.assertions import ASSERTIONS
from reev.scoring.profiles import PROFILES
from reev.store import open_store
from reev.tools.registry import TOOLS

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__file__).parent / "example_site"
B1 = ROOT / "benchmarks" / "001-sol-transfer.yml"
REGISTRIES = (AGENTS, TOOLS, EXECUTORS, ASSERTION_MODELS, ASSERTIONS, PROFILES)


def with_plugin_assertion(folder: Path, minimum: int) -> Path:
    """001 with one more assertion, of the plugin's type, on the recipient's lamports."""
    text = B1.read_text(encoding="utf-8")
    marker = "  final_state_assertions:\n"
    assert marker in text
    extra = (
        f"{marker}    - type: LamportsAtLeast\n      pubkey: RECIPIENT_WALLET_PUBKEY\n"
        f"      minimum: {minimum}\n"
    )
    path = folder / f"001-at-least-{minimum}.yml"
    path.write_text(
        text.replace(marker, extra, 1).replace("id: 001-sol-transfer", f"id: x-{minimum}")
    )
    return path


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example distribution on sys.path, registries restored afterwards."""
    monkeypatch.syspath_prepend(str(SITE))
    for registry in REGISTRIES:
        monkeypatch.setattr(registry, "_entries", dict(registry._entries))
        monkeypatch.setattr(registry, "_origins", dict(registry._origins))
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
    out = " ".join(CliRunner().invoke(app, ["agents"], env={"COLUMNS": "200"}).output.split())
    assert "example-tenth" in out and "deterministic" in out
    assert "reev-example-plugin" in out
    assert "all-or-nothing" in out and "outcome" in out and "LamportsAtLeast" in out
    assert "assertion types LamportsAtLeast" in out and "scoring profiles all-or-nothing" in out


def test_the_plugin_s_assertion_type_and_scoring_profile_score_episodes(
    installed: None, tmp_path: Path
) -> None:
    held, missed = with_plugin_assertion(tmp_path, 1), with_plugin_assertion(tmp_path, 10**15)
    assert CliRunner().invoke(app, ["validate", str(held), str(missed)]).exit_code == 0
    schema = benchmark_schema()  # editors learn the plugin's type too
    items = schema["$defs"]["GroundTruth"]["properties"]["final_state_assertions"]["items"]
    assert items["discriminator"]["mapping"]["LamportsAtLeast"] == "#/$defs/LamportsAtLeast"
    assert "minimum" in schema["$defs"]["LamportsAtLeast"]["properties"]
    db = f"sqlite:///{tmp_path / 'reev.db'}"
    base = ["run", str(held), str(missed), "--db", db, "-q", "--no-progress"]
    out = CliRunner().invoke(app, [*base, "--run-id", "outcome"])
    assert out.exit_code == 0, out.output
    out = CliRunner().invoke(app, [*base, "--run-id", "strict", "--scoring", "all-or-nothing"])
    assert out.exit_code == 0, out.output
    with open_store(db) as store:
        scores = {
            (e.run_id, e.benchmark_id): (e.score, e.passed, e.scoring)
            for e in store.list_episodes()
        }
        found = store.get_episode(store.list_episodes(run_id="outcome")[0].execution_id)
    # outcome: the weighted share of assertions that hold (all, then all but the plugin's)
    n = len(load_benchmark(B1).ground_truth.final_state_assertions) + 1
    assert scores[("outcome", "x-1")] == (1.0, True, "outcome")
    assert scores[("outcome", f"x-{10**15}")] == ((n - 1) / n, False, "outcome")
    # the plugin's profile: all or nothing
    assert scores[("strict", "x-1")] == (1.0, True, "all-or-nothing")
    assert scores[("strict", f"x-{10**15}")] == (0.0, False, "all-or-nothing")
    assert found is not None
    plugin = [a for a in found.assertions if a.type == "LamportsAtLeast"]
    assert len(plugin) == 1 and plugin[0].actual is not None and plugin[0].actual > 0
    # the side-effect rule leaves the lamports the plugin's assertion governs to it
    assert not [a for a in found.assertions if a.type == "SideEffect" and not a.passed]


def test_without_the_plugin_its_assertion_type_and_profile_are_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plugin_registry, "_LOADED", True)
    path = with_plugin_assertion(tmp_path, 1)
    with pytest.raises(BenchmarkLoadError, match="unknown assertion type 'LamportsAtLeast'"):
        load_benchmark(path)
    out = CliRunner().invoke(app, ["run", str(B1), "--scoring", "all-or-nothing", "-q"])
    assert out.exit_code == 2 and "--scoring must be one of outcome, reev" in out.output


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
