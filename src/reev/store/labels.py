"""One agent label, `NAME[:MODEL]`, whatever interface recorded the episode.

`reev run --agent openai:MODEL` stores the agent as `openai:MODEL`; the API, the web
form and `reev run --agent openai --model MODEL` store `openai` plus a `model` field.
Readers must not see these as different agents (nor three models as one): every read
query selects `episode_label` as the episode's `agent`, and filters on it. The stored
columns are left as written (resume and retries match on them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, literal

from reev.store.models import Episode


def agent_label(agent: str, model: str | None) -> str:
    """`NAME:MODEL` when a model is known and the name does not already carry one."""
    if model and ":" not in agent:
        return f"{agent}:{model}"
    return agent


def _label_expression() -> Any:
    return case(
        (
            and_(
                Episode.model.is_not(None),
                Episode.model != "",
                Episode.agent.not_like("%:%"),
            ),
            Episode.agent + literal(":") + Episode.model,
        ),
        else_=Episode.agent,
    )


episode_label: Any = _label_expression()
"""SQL for `agent_label(episodes.agent, episodes.model)` (SQLite and PostgreSQL)."""
