"""The cockpit's widgets: the agent bar, the benchmark navigator and the scroll panels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.widgets import DataTable, Static

from reev.tui.agents import AgentChoice
from reev.tui.render import unwrapped


class AgentBar(Static):
    """`Agent: deterministic │ null │ glm-4.6 …`: the selected tab reversed, unusable ones
    dim. When the tabs do not fit (80 columns and a model field), the leading tabs give
    way to `…` so the selected one is always on screen."""

    _shown: tuple[list[AgentChoice], int] = ([], 0)

    def show(self, choices: Sequence[AgentChoice], selected: int) -> None:
        self._shown = (list(choices), selected)
        self.update(self._render_tabs(self.size.width or 80))

    def on_resize(self) -> None:
        if self._shown[0]:
            self.update(self._render_tabs(self.size.width))

    def _render_tabs(self, width: int) -> Text:
        choices, selected = self._shown
        first = 0  # the smallest number of leading tabs to drop so the selected one fits
        while first < selected and self._tabs(first, selected + 1).cell_len > width:
            first += 1
        text = self._tabs(first, len(choices))
        current = choices[selected] if choices else None
        if current is not None and not current.runnable:
            text.append(f"   ({current.name} {current.missing})", style="italic")
        return text

    def _tabs(self, first: int, stop: int) -> Text:
        choices, selected = self._shown
        text = Text("Agent: ", style="bold")
        if first:
            text.append("… │ ", style="dim")
        for i in range(first, stop):
            choice = choices[i]
            if i > first:
                text.append(" │ ", style="dim")
            style = "" if choice.runnable else "dim strike"
            if i == selected:
                style = ("reverse bold " + style).strip()
            text.append(f" {choice.name} ", style=style)
        return text


class Navigator(DataTable[Text]):
    """Panel A: one row per benchmark file. `j/k` move like `↓/↑`; `←/→` change agent."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("left", "app.prev_agent", "Agent", key_display="←/→"),
        Binding("right", "app.next_agent", "Agent", show=False),
        Binding("enter", "app.run_selected", "Run", show=False),
        Binding("tab", "app.focus_next", "Panels"),
    ]


class ScrollPanel(ScrollableContainer):
    """Panels B and C: content scrollable both ways; `j/k` scroll like `↓/↑`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("tab", "app.focus_next", "Panels"),
    ]

    def __init__(self, *, title: str, id: str) -> None:
        super().__init__(id=id)
        self.border_title = title
        self._body = Static(classes="panel-body")

    def compose(self) -> ComposeResult:
        yield self._body

    def show(self, renderable: RenderableType) -> None:
        """Replace the content and go back to its top-left corner."""
        self._body.update(unwrapped(renderable))
        self.scroll_home(animate=False)
        self.scroll_to(x=0, animate=False)

    @property
    def body(self) -> Static:
        return self._body
