"""the Slack conversation's multi-step state (built by bot/slack/tables.py)

Revision ID: 0007_slack_conversation_states
Revises: 0006_link_attempts
Create Date: 2026-12-03 18:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_slack_conversation_states"
down_revision: str | None = "0006_link_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_conversation_states",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=140), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "user_id", name=op.f("pk_slack_conversation_states")),
    )


def downgrade() -> None:
    op.drop_table("slack_conversation_states")
