"""calendar links derived from a per-person generation, so the current one can be shown again

Revision ID: 0004_calendar_generation
Revises: 0003_snooze
Create Date: 2026-12-03 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_calendar_generation"
down_revision: str | None = "0003_snooze"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: links issued before (random tokens) keep working until replaced.
    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("generation", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        batch_op.drop_column("generation")
