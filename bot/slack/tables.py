"""slack_sdk's own tables (installations, bots, OAuth states) on a MetaData of ours, and
the Slack conversation's state (`bot.slack.conversation.DatabaseConversationState`).

slack_sdk's SQLAlchemy stores create their tables with `create_tables()`; we keep them in
Alembic instead, built by the stores' own `build_*_table` functions so their columns are
exactly what the stores read and write. They live apart from `core.db.models.Base`
because core must not import slack_sdk; `migrations/env.py` adds `slack_metadata` to its
target metadata.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import JSON, Column, MetaData, String, Table

INSTALLATIONS_TABLE = AsyncSQLAlchemyInstallationStore.default_installations_table_name
BOTS_TABLE = AsyncSQLAlchemyInstallationStore.default_bots_table_name
STATES_TABLE = AsyncSQLAlchemyOAuthStateStore.default_table_name

slack_metadata = MetaData()
installations = AsyncSQLAlchemyInstallationStore.build_installations_table(
    slack_metadata, INSTALLATIONS_TABLE
)
bots = AsyncSQLAlchemyInstallationStore.build_bots_table(slack_metadata, BOTS_TABLE)
oauth_states = AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(slack_metadata, STATES_TABLE)

CONVERSATION_STATES_TABLE = "slack_conversation_states"
# Where each Slack user's multi-step exchange stands (`bot.conversation.state.StateKey`):
# a small JSON dict, read and written in the conversation's unit of work.
conversation_states = Table(
    CONVERSATION_STATES_TABLE,
    slack_metadata,
    Column("chat_id", String(64), primary_key=True),
    Column("user_id", String(140), primary_key=True),
    Column("data", JSON, nullable=False),
)
