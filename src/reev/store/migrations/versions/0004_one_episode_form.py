"""One stored form of an episode: the child tables go, `episodes.scorer_version` comes.

The `steps`, `transactions`, `tool_calls` and `model_calls` tables copied what every
episode's `result_json` already holds and nothing read them; an episode is now its
`episodes` row alone, with model calls stored once each inside `result_json`
(`reev.store.transcript`). `scorer_version` records which scorer produced an episode's
score (`reev rescore`). Episodes stored before keep their full `result_json` and read
as before. Downgrading recreates the child tables empty.

Revision ID: 0004_one_episode_form
Revises: 0003_failure_kind
Create Date: 2026-12-02 01:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_one_episode_form"
down_revision: str | None = "0003_failure_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.drop_table("transactions")
    with op.batch_alter_table("tool_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tool_calls_tool"))
    op.drop_table("tool_calls")
    op.drop_table("model_calls")
    op.drop_table("steps")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scorer_version", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_column("scorer_version")
    op.create_table(
        "steps",
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.execution_id"],
            name=op.f("fk_steps_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("episode_id", "step", name=op.f("pk_steps")),
    )
    op.create_table(
        "model_calls",
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("data", JSON_TYPE, nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id", "step"],
            ["steps.episode_id", "steps.step"],
            name=op.f("fk_model_calls_episode_id_steps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("episode_id", "step", "index", name=op.f("pk_model_calls")),
    )
    op.create_table(
        "tool_calls",
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("tool", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("args", JSON_TYPE, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("transaction_index", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id", "step"],
            ["steps.episode_id", "steps.step"],
            name=op.f("fk_tool_calls_episode_id_steps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("episode_id", "step", "index", name=op.f("pk_tool_calls")),
    )
    with op.batch_alter_table("tool_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tool_calls_tool"), ["tool"], unique=False)

    op.create_table(
        "transactions",
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("compute_units", sa.Integer(), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("instructions", JSON_TYPE, nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id", "step"],
            ["steps.episode_id", "steps.step"],
            name=op.f("fk_transactions_episode_id_steps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("episode_id", "step", "index", name=op.f("pk_transactions")),
    )
