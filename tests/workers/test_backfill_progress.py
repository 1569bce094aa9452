"""A backfill's progress is one chat message, edited in place as the figures arrive.

The backfill runs in steps (as it does when the worker's delivery interleaves with it),
and the real `deliver_outbox` task delivers through the real Telegram sender to the fake
Bot API after each step: one sendMessage, then editMessageText of that same message, and
every progress row ends `sent` (none failed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db.models import Notification
from core.enums import NotificationKind, NotificationStatus
from core.outbox.sending import ChatTarget, NotificationView, SentReceipt
from core.sync.orchestrator.backfill import backfill_step
from tests.core.test_delivery import telegram_person
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI
from tests.jobs_backend import broker, deliver_outbox, jobs_for
from tests.sync.sync_harness import app_settings as settings_for
from tests.sync.sync_harness import connect, now_clock
from tests.workers.test_webhook_burst import consent_as
from trainlytics.container import build_container
from workers.ratelimit import MemoryTokenBuckets

CHAT = 7070
HISTORY = 23


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramBotAPI]:
    async with FakeTelegramBotAPI() as fake:
        yield fake


async def progress_rows(db) -> list[Notification]:
    async with db.unit_of_work() as session:
        rows = await session.scalars(
            select(Notification)
            .where(Notification.kind == NotificationKind.SYNC_STATUS)
            .order_by(Notification.id)
        )
        return [row for row in rows if "progress_of" in row.payload]


async def test_backfill_progress_is_one_telegram_message_edited_in_place(
    db, clock, tmp_path, strava, tg
):
    settings = settings_for(tmp_path, strava=strava).model_copy(
        update={"telegram_bot_token": tg.token, "telegram_api_base": tg.base_url}
    )
    container = build_container(settings, clock=clock, db=db)
    sender = container.senders["telegram"]
    assert sender is not None
    limiter = MemoryTokenBuckets(now=lambda: clock.now().timestamp())  # Telegram's 1/s per chat
    broker.state.jobs = jobs_for(container, senders={"telegram": sender}, limiter=limiter)
    try:
        tg.add_chat(CHAT, first_name="Ana")
        user_id = await telegram_person(db, "Ana", str(CHAT))
        strava_id = strava.add_athlete()
        for day in range(HISTORY, 0, -1):
            strava.add_activity(strava_id, start=clock.now() - timedelta(days=day, hours=2))
        ctx = container.sync
        account = await connect(ctx, "strava", user_id, consent_as(strava, strava_id))
        while not (await backfill_step(ctx, account.id, limit=4)).finished:
            clock.advance(timedelta(seconds=2))
            await (await deliver_outbox.kiq()).wait_result(timeout=10)
        clock.advance(timedelta(seconds=2))
        await (await deliver_outbox.kiq()).wait_result(timeout=10)
    finally:
        broker.state.jobs = None
        await container.aclose()

    [first] = [c for c in tg.sent_messages(CHAT) if "imported" in str(c.params.get("text"))]
    message_id = first.response["result"]["message_id"]
    edits = [c for c in tg.calls if c.method == "editMessageText" and c.ok]
    assert len(edits) >= 3 and {c.params["message_id"] for c in edits} == {message_id}
    [shown] = [m for m in tg.chat_messages(CHAT) if "imported" in m.get("text", "")]
    assert f"imported {HISTORY} of {HISTORY} activities. All done." in shown["text"]
    rows = await progress_rows(db)
    assert len(rows) >= 4
    assert {row.status for row in rows} == {NotificationStatus.SENT}


async def progress_figure(db, clock, uid: int, account: int, done: int, total: int) -> None:
    """The outbox row core.sync writes for one backfill figure
    (core.sync.orchestrator.backfill._progress)."""
    from core.outbox import notifications
    from core.outbox.payloads import SyncStatusPayload

    payload = {"progress_of": account, "generation": "g", "provider": "strava"}
    payload |= {"done": done, "total": total, **({"finished": True} if done == total else {})}
    async with db.unit_of_work() as session:
        await notifications.notify(
            session,
            clock,
            recipient_id=uid,
            payload=SyncStatusPayload.model_validate(payload),
            key=f"sync:{account}:backfill:g:done={done}",
            force=True,
        )


class RecordingSender:
    """A platform's sender that records sends and edits (the console, Slack, Telegram
    senders all follow `view.edit_of`)."""

    platform = "telegram"

    def __init__(self) -> None:
        self.shown: list[tuple[str | None, str]] = []

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        self.shown.append((view.edit_of, f"{view.payload.get('done')}"))
        return SentReceipt(view.edit_of or f"msg-{len(self.shown)}")


async def test_progress_figures_claimed_together_show_only_the_newest(db, clock):
    from core.outbox.delivery import deliver_all_due

    uid = await telegram_person(db)
    for done in (0, 5, 10):
        await progress_figure(db, clock, uid, 1, done, 20)
    sender = RecordingSender()
    report = await deliver_all_due(db, clock, {"telegram": sender}, MemoryTokenBuckets())
    assert sender.shown == [(None, "10")] and report.superseded == 2
    clock.advance(timedelta(seconds=5))
    await progress_figure(db, clock, uid, 1, 20, 20)
    await deliver_all_due(db, clock, {"telegram": sender}, MemoryTokenBuckets())
    assert sender.shown[-1] == ("msg-1", "20")  # edits the message already shown
    async with db.unit_of_work() as session:
        statuses = set(await session.scalars(select(Notification.status)))
    assert statuses == {NotificationStatus.SENT}


async def test_backfill_progress_is_one_slack_message_updated_in_place(db, clock, tmp_path):
    from core.enums import Platform
    from core.outbox.delivery import deliver_all_due
    from core.people import identities as accounts
    from core.people.identities import ChatAddress
    from tests.bot.slack.conftest import TEAM, _slack_tables, make_container
    from tests.fakes.slack_web_api import FakeSlackWebAPI

    async with FakeSlackWebAPI() as slack:
        slack.add_user("U0ATHLETE", name="ana", real_name="Ana")
        await _slack_tables(db)
        container = make_container(slack, db, clock, tmp_path)
        sender = container.senders["slack"]
        assert sender is not None
        async with db.unit_of_work() as session:
            user, _ = await accounts.get_or_create_person(
                session,
                ChatAddress(Platform.SLACK, "U0ATHLETE", chat_id="U0ATHLETE", workspace_id=TEAM),
            )
            uid = user.id
        for done in (0, 10, 20):
            await progress_figure(db, clock, uid, 3, done, 20)
            clock.advance(timedelta(seconds=2))
            limiter = MemoryTokenBuckets(now=lambda: clock.now().timestamp())
            await deliver_all_due(db, clock, {"slack": sender}, limiter, images={})
        await container.aclose()
        [posted] = slack.calls_to("chat.postMessage")
        updates = slack.calls_to("chat.update")
        assert len(updates) == 2
        assert {u.params["ts"] for u in updates} == {posted.response["ts"]}
    async with db.unit_of_work() as session:
        statuses = set(await session.scalars(select(Notification.status)))
    assert statuses == {NotificationStatus.SENT}
