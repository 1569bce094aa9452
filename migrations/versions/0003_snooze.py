"""coach snoozes an athlete in the digest

Revision ID: 0003_snooze
Revises: 0002_slack
Create Date: 2026-11-28 09:08:36.691895
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_snooze"
down_revision: str | None = "0002_slack"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coaching_relationships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snoozed_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coaching_relationships", schema=None) as batch_op:
        batch_op.drop_column("snoozed_until")
