"""Initial schema: benchmark versions, runs, episodes, steps, transactions, tool calls,
model calls and the model-call cache.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 23:29:45.525018
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "benchmark_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("benchmark_id", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tags", JSON_TYPE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_versions")),
        sa.UniqueConstraint(
            "benchmark_id",
            "content_hash",
            name=op.f("uq_benchmark_versions_benchmark_id_content_hash"),
        ),
    )
    with op.batch_alter_table("benchmark_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benchmark_versions_benchmark_id"), ["benchmark_id"], unique=False
        )

    op.create_table(
        "model_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("response", JSON_TYPE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_model_cache")),
    )
    with op.batch_alter_table("model_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_cache_model"), ["model"], unique=False)

    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("config", JSON_TYPE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "episodes",
        sa.Column("execution_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=100), nullable=False),
        sa.Column("benchmark_version_id", sa.Integer(), nullable=True),
        sa.Column("benchmark_id", sa.String(length=200), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_kind", sa.String(length=40), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("scoring", sa.String(length=20), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result_json", JSON_TYPE, nullable=False),
        sa.ForeignKeyConstraint(
            ["benchmark_version_id"],
            ["benchmark_versions.id"],
            name=op.f("fk_episodes_benchmark_version_id_benchmark_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_episodes_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("execution_id", name=op.f("pk_episodes")),
        sa.UniqueConstraint(
            "run_id",
            "agent",
            "benchmark_id",
            "epoch",
            name=op.f("uq_episodes_run_id_agent_benchmark_id_epoch"),
        ),
    )
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_episodes_benchmark_id"), ["benchmark_id"], unique=False
        )
        batch_op.create_index("ix_episodes_run_id_agent", ["run_id", "agent"], unique=False)

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


def downgrade() -> None:
    op.drop_table("transactions")
    with op.batch_alter_table("tool_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tool_calls_tool"))

    op.drop_table("tool_calls")
    op.drop_table("model_calls")
    op.drop_table("steps")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_episodes_run_id_agent")
        batch_op.drop_index(batch_op.f("ix_episodes_benchmark_id"))

    op.drop_table("episodes")
    op.drop_table("runs")
    with op.batch_alter_table("model_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_cache_model"))

    op.drop_table("model_cache")
    with op.batch_alter_table("benchmark_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benchmark_versions_benchmark_id"))

    op.drop_table("benchmark_versions")
