"""Named registries (agents, tools, executors…) that installed packages can add to.

Each part keeps its own `Registry` (`reev.agents.registry.AGENTS`,
`reev.tools.registry.TOOLS`, `reev.runner.executors.EXECUTORS`). A registry is a read-only
mapping from name to entry; the first time any registry is read, every entry point of the
`reev` group is loaded once (`importlib.metadata`), and each one adds its entries:

    # pyproject.toml of a plugin package
    [project.entry-points.reev]
    my_plugin = "my_plugin:register"      # a function called with no arguments

    # my_plugin/__init__.py
    from reev.agents.registry import AGENTS, AgentSpec
    def register() -> None:
        AGENTS.add("my-agent", AgentSpec("my-agent", "what it is", "nothing", make))

A name is registered once through `add`: a plugin cannot silently replace a built-in
(PluginError). A
plugin that fails to load is an error naming it, never skipped. docs/plugins.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

ENTRY_POINT_GROUP = "reev"

T = TypeVar("T")


class PluginError(Exception):
    """A plugin that cannot be loaded, or a name registered twice."""


class Registry(MutableMapping[str, T], Generic[T]):
    """Entries of one kind by name, completed by the installed plugins on first read.

    `add`/`register` refuse a taken name (what plugins use); `registry[name] = entry`
    and `del registry[name]` replace or remove one explicitly (tests use them through
    `monkeypatch.setitem`).
    """

    def __init__(self, kind: str, entries: Mapping[str, T] | None = None) -> None:
        self.kind = kind
        self._entries: dict[str, T] = dict(entries or {})
        self._origins: dict[str, str] = {}  # name → the plugin (entry point) that added it
        _REGISTRIES.append(self)

    def add(self, name: str, entry: T) -> T:
        """Register `entry` under `name`; PluginError when the name is taken."""
        if not name:
            raise PluginError(f"a {self.kind} needs a name")
        if name in self._entries:
            raise PluginError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        if _CURRENT:
            self._origins[name] = _CURRENT[-1]
        return entry

    def origin(self, name: str) -> str | None:
        """The entry point of the plugin that registered `name` (None: reev's own)."""
        load_plugins()
        return self._origins.get(name)

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of `add`: `@TOOLS.register("my_tool")`."""

        def decorate(entry: T) -> T:
            return self.add(name, entry)

        return decorate

    def require(self, name: str) -> T:
        """The entry called `name`; PluginError naming the known ones otherwise."""
        load_plugins()
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries)) or "none"
            raise PluginError(
                f"unknown {self.kind} {name!r}; known {self.kind}s: {known}"
            ) from None

    def __getitem__(self, name: str) -> T:
        load_plugins()
        return self._entries[name]

    def __setitem__(self, name: str, entry: T) -> None:
        load_plugins()
        self._entries[name] = entry

    def __delitem__(self, name: str) -> None:
        load_plugins()
        del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        load_plugins()
        return iter(list(self._entries))

    def __len__(self) -> int:
        load_plugins()
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        load_plugins()
        return name in self._entries


_LOADED = False
_LOADING = threading.RLock()
_SOURCES: dict[str, str] = {}
_CURRENT: list[str] = []  # the entry point being loaded (what `add` credits)
_REGISTRIES: list[Registry[Any]] = []  # every registry made (what `contributions` reads)


def load_plugins() -> None:
    """Load every `reev` entry point once (later calls return at once)."""
    global _LOADED
    if _LOADED:
        return
    with _LOADING:
        if _LOADED:
            return
        _LOADED = True  # set first: a plugin that reads a registry while loading is fine
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            _load(ep)


def _load(ep: EntryPoint) -> None:
    where = f"{ep.name} = {ep.value}"
    if ep.dist is not None:
        where += f" (package {ep.dist.name} {ep.dist.version})"
    _CURRENT.append(ep.name)
    try:
        target = ep.load()
        if callable(target):
            target()
    except PluginError as exc:
        raise PluginError(f"reev plugin {where}: {exc}") from exc
    except Exception as exc:
        raise PluginError(
            f"reev plugin {where} failed to load: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        _CURRENT.pop()
    _SOURCES[ep.name] = where


def contributions(plugin: str) -> dict[str, list[str]]:
    """What the plugin (entry-point name) registered: registry kind → names."""
    load_plugins()
    out: dict[str, list[str]] = {}
    for registry in _REGISTRIES:
        names = [n for n, origin in registry._origins.items() if origin == plugin]
        if names:
            known = out.setdefault(registry.kind, [])
            known.extend(n for n in names if n not in known)
    return out


def loaded_plugins() -> dict[str, str]:
    """Entry-point name → where it came from, for every plugin loaded so far."""
    load_plugins()
    return dict(_SOURCES)
