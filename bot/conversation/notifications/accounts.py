"""Provider accounts (sync news, transfers between people) and coach-athlete events."""

from __future__ import annotations

from bot.conversation.callbacks import Scope, cb
from bot.conversation.notifications.common import day_or_empty, payload_of
from bot.conversation.notifications.view import NotificationView
from bot.conversation.types import Button, Buttons, Reply
from core.outbox.payloads import RelationshipPayload, SyncStatusPayload
from core.words import has_key, say, sport_name


def render_sync_status(view: NotificationView) -> Reply:
    p = payload_of(view, SyncStatusPayload)
    if p.transfer:
        return _transfer(view.locale, p)
    return Reply.of(_sync_text(view.locale, p))


def _transfer(t: str, p: SyncStatusPayload) -> Reply:
    """A provider account changing hands: the owner's question (with its two buttons), or
    what became of it (core.sync.connections.account_transfers: request_transfer,
    decide_transfer)."""
    step, other = str(p.transfer), p.other
    text = say(t, f"n_transfer_{step}", provider=p.provider.capitalize(), other=other)
    if step != "ask":
        return Reply.of(text)
    transfer_id = p.transfer_id or 0
    return Reply.of(
        text,
        Buttons.of(
            [Button(say(t, "btn_transfer_keep"), cb(Scope.ACCOUNT, "keep", transfer_id))],
            [
                Button(
                    say(t, "btn_transfer_give", name=other), cb(Scope.ACCOUNT, "give", transfer_id)
                )
            ],
        ),
    )


def _sync_text(t: str, p: SyncStatusPayload) -> str:
    provider = p.provider.capitalize()
    command = p.reconnect_command or "/connect"
    if p.data_deleted is not None:
        return say(
            t, "n_sync_data_deleted", provider=provider, count=p.data_deleted, command=command
        )
    if p.revoked:
        return say(t, "n_sync_revoked", provider=provider, command=command)
    if p.delayed:
        return say(t, "n_sync_delayed", provider=provider)
    if p.requested:
        return say(t, "n_sync_requested", provider=provider)
    if p.activity_changed:
        name = p.name or sport_name(t, p.sport or "")
        key = "n_sync_deleted" if p.change == "deleted" else "n_sync_updated"
        return say(t, key, name=name, day=day_or_empty(p.local_date, t))
    if p.total is not None:
        key = "n_sync_finished" if p.finished else "n_sync_progress"
        done = p.done if p.done is not None else 0
        return say(t, key, provider=provider, done=done, total=p.total)
    return say(t, "n_sync", message=p.message or provider)


def render_relationship(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, RelationshipPayload)
    key = f"n_relationship_{p.event}"
    if has_key(key):
        return Reply.of(say(t, key, athlete=view.athlete_name or ""))
    return Reply.of(p.message or say(t, "n_relationship_other"))
