"""Episodes: failure kind and first-call prompt tokens (issue 19).

Revision ID: 0003_failure_kind
Revises: 0002_api_jobs
Create Date: 2026-12-02 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_failure_kind"
down_revision: str | None = "0002_api_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_kind", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("first_prompt_tokens", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_episodes_failure_kind"), ["failure_kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episodes_failure_kind"))
        batch_op.drop_column("first_prompt_tokens")
        batch_op.drop_column("failure_kind")
