"""Connected provider accounts, their webhook events, OAuth state, sync log, calendar tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, Timestamped


class ConnectedAccount(Timestamped, Base):
    __tablename__ = "connected_accounts"
    __table_args__ = (UniqueConstraint("provider", "provider_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_user_id: Mapped[str] = mapped_column(String(64))
    # Fernet tokens (core.crypto); never the plain provider token.
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column()
    scopes: Mapped[str] = mapped_column(String(255), default="")
    sync_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # active / disconnecting (the athlete asked; revoke at the provider pending) / revoked
    status: Mapped[str] = mapped_column(String(16), default="active")
    last_sync_at: Mapped[datetime | None] = mapped_column()
    backfill: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    delayed_notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)


class ProviderPreference(Base):
    """The provider an athlete prefers per sport when two copies of a session arrive."""

    __tablename__ = "provider_preferences"
    __table_args__ = (UniqueConstraint("user_id", "sport"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sport: Mapped[str] = mapped_column(String(24))
    provider: Mapped[str] = mapped_column(String(16))


class WebhookEvent(Base):
    """A provider webhook delivery, stored raw and once (redeliveries are no-ops)."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    processed_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class OAuthState(Timestamped, Base):
    """Single-use OAuth `state`, bound to the person who started the connection.

    The same table holds the two steps before it (see `core.sync.connections`): the record
    of an opened connect link (born used) and the browser session that link opened,
    which waits until the person confirms its code in their own chat.
    """

    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_verifier: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    # An OAuth state: the hash of the browser cookie it was issued to; the callback must
    # come from the same browser.
    browser_hash: Mapped[str | None] = mapped_column(String(64))
    # A browser session: the hash of the code its page shows, confirmed in the owner's chat.
    confirm_code_hash: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AccountTransfer(Timestamped, Base):
    """A provider account another person connected, waiting for its current owner's yes.

    Holds the newcomer's tokens (encrypted) so that nothing moves before the owner agrees.
    """

    __tablename__ = "account_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("connected_accounts.id", ondelete="CASCADE"), index=True
    )
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column()
    scopes: Mapped[str] = mapped_column(String(255), default="")
    # pending / accepted / refused / expired
    status: Mapped[str] = mapped_column(String(16), default="pending")
    expires_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()


class SyncLog(Base):
    __tablename__ = "sync_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("connected_accounts.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))  # backfill / webhook / poll / refresh
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="running")
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)


class CalendarToken(Timestamped, Base):
    """A private calendar link: its generation (the token is derived from it with the
    secret key, `core.calendar.links.derive_token`) and the token's hash for look-ups; revoked
    links stay for audit. `generation` is None for links issued as random tokens."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    generation: Mapped[int | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
