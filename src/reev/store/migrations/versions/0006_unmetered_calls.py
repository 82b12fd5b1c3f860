"""Episodes: how many model calls reported no token usage (`unmetered_calls`).

A streamed llama-cpp reply carries no usage; its tokens were stored as 0, so a report
read "0 tokens" for calls whose count is unknown. Episodes stored before this revision
keep 0 here (their result JSON still has every call).

Revision ID: 0006_unmetered_calls
Revises: 0005_run_owner
Create Date: 2026-12-02 13:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_unmetered_calls"
down_revision: str | None = "0005_run_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unmetered_calls", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_column("unmetered_calls")
