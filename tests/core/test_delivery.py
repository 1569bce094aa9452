"""Outbox delivery as a person notices it: once, later when the platform is down, never
to someone who blocked the bot, not during their quiet hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.db.models import ChatIdentity, Notification, User
from core.enums import DeliveryMode, NotificationKind, NotificationStatus, Platform, Role
from core.outbox import notifications
from core.outbox.delivery import deliver_due
from core.outbox.digest import roll_up_digest
from core.outbox.payloads import read_payload
from core.outbox.sending import (
    ChatTarget,
    NotificationView,
    PermanentFailure,
    RecipientUnreachable,
    RetryAfter,
    Sender,
    SentReceipt,
    TemporaryFailure,
)
from core.people import identities as accounts
from workers.ratelimit import MemoryTokenBuckets


class FakeSender:
    """Records what reached the person; fails as scripted first."""

    def __init__(self, platform: str = Platform.TELEGRAM, failures: list[Exception] | None = None):
        self.platform = platform
        self.failures = list(failures or [])
        self.delivered: list[tuple[ChatTarget, NotificationView]] = []
        self.calls = 0

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append((recipient, view))
        return SentReceipt(external_message_id=f"m{len(self.delivered)}")


async def telegram_person(db, name: str = "Ana", chat: str = "1001", **fields) -> int:
    async with db.unit_of_work() as s:
        user, _ = await accounts.get_or_create_person(
            s,
            accounts.ChatAddress(
                Platform.TELEGRAM, platform_user_id=chat, chat_id=chat, display_name=name
            ),
        )
        user.timezone = "Europe/Paris"
        for key, value in fields.items():
            setattr(user, key, value)
        return user.id


async def outbox(db, clock, user_id: int, key: str = "comment:1:athlete", **kw) -> int:
    async with db.unit_of_work() as s:
        row = await notifications.notify(
            s,
            clock,
            recipient_id=user_id,
            payload=read_payload(
                kw.pop("kind", NotificationKind.COACH_COMMENT),
                kw.pop("payload", {"body": "Nice intervals"}),
            ),
            key=key,
            **kw,
        )
        assert row is not None, "the person has not turned this kind off"
        return row.id


async def row(db, notification_id: int) -> Notification:
    async with db.unit_of_work() as s:
        return await s.get_one(Notification, notification_id)


def limiter() -> MemoryTokenBuckets:
    return MemoryTokenBuckets(now=lambda: 0.0)  # time stands still: no token comes back


async def test_a_delivery_run_twice_sends_once(db, clock):
    uid = await telegram_person(db)
    nid = await outbox(db, clock, uid)
    sender = FakeSender()
    senders: dict[str, Sender] = {Platform.TELEGRAM: sender}
    first = await deliver_due(db, clock, senders, MemoryTokenBuckets())
    second = await deliver_due(db, clock, senders, MemoryTokenBuckets())
    assert (first.sent, second.claimed) == (1, 0)
    assert len(sender.delivered) == 1
    target, view = sender.delivered[0]
    assert target.chat_id == "1001" and view.payload["body"] == "Nice intervals"
    assert view.person.name == "Ana" and view.person.timezone == "Europe/Paris"
    stored = await row(db, nid)
    assert stored.status == NotificationStatus.SENT and stored.sent_at == clock.now()
    assert (stored.platform, stored.external_message_id) == ("telegram", "m1")


async def test_two_workers_at_once_send_each_row_once(db, clock):
    ids = [await telegram_person(db, f"P{i}", chat=str(2000 + i)) for i in range(6)]
    for i, uid in enumerate(ids):
        await outbox(db, clock, uid, key=f"k{i}")
    sender = FakeSender()
    reports = await asyncio.gather(
        *(
            deliver_due(db, clock, {Platform.TELEGRAM: sender}, MemoryTokenBuckets(), batch=4)
            for _ in range(3)
        )
    )
    assert sum(r.sent for r in reports) == 6
    assert sorted(v.idempotency_key for _, v in sender.delivered) == [f"k{i}" for i in range(6)]


async def test_platform_down_retries_later_with_backoff_then_delivers_once(db, clock):
    uid = await telegram_person(db)
    nid = await outbox(db, clock, uid)
    sender = FakeSender(failures=[TemporaryFailure("HTTP 500"), TemporaryFailure("HTTP 502")])
    senders: dict[str, Sender] = {Platform.TELEGRAM: sender}
    start = clock.now()

    await deliver_due(db, clock, senders, limiter())
    first = await row(db, nid)
    assert first.status == NotificationStatus.PENDING
    assert first.last_error is not None and "500" in first.last_error
    assert start + timedelta(seconds=15) <= first.next_attempt_at <= start + timedelta(seconds=30)
    assert (await deliver_due(db, clock, senders, limiter())).claimed == 0  # not yet due

    clock.set(first.next_attempt_at)
    await deliver_due(db, clock, senders, limiter())
    second = await row(db, nid)
    wait = second.next_attempt_at - clock.now()
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=60)  # doubled

    clock.set(second.next_attempt_at)
    await deliver_due(db, clock, senders, limiter())
    done = await row(db, nid)
    assert done.status == NotificationStatus.SENT and done.attempts == 3
    assert len(sender.delivered) == 1


async def test_retry_after_from_the_platform_is_honoured(db, clock):
    uid = await telegram_person(db)
    nid = await outbox(db, clock, uid)
    sender = FakeSender(failures=[RetryAfter(7)])
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    assert (await row(db, nid)).next_attempt_at == clock.now() + timedelta(seconds=7)
    clock.advance(timedelta(seconds=6))
    assert (await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())).claimed == 0
    clock.advance(timedelta(seconds=1))
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    assert len(sender.delivered) == 1


async def test_a_person_who_blocked_the_bot_is_marked_unreachable_and_not_retried(db, clock):
    uid = await telegram_person(db)
    nid = await outbox(db, clock, uid)
    sender = FakeSender(failures=[RecipientUnreachable("Forbidden: bot was blocked by the user")])
    senders: dict[str, Sender] = {Platform.TELEGRAM: sender}
    report = await deliver_due(db, clock, senders, limiter())
    assert report.unreachable == 1
    async with db.unit_of_work() as s:
        identity = await s.scalar(select(ChatIdentity).where(ChatIdentity.user_id == uid))
        assert identity.unreachable_at == clock.now()
    await deliver_due(db, clock, senders, limiter())
    clock.advance(timedelta(days=1))
    await outbox(db, clock, uid, key="later")
    await deliver_due(db, clock, senders, limiter())
    assert sender.calls == 1
    stored = await row(db, nid)
    assert stored.status == NotificationStatus.FAILED and stored.last_error is not None
    assert "no reachable chat" in stored.last_error


async def test_a_refused_message_fails_without_retry(db, clock):
    uid = await telegram_person(db)
    nid = await outbox(db, clock, uid)
    sender = FakeSender(failures=[PermanentFailure("Bad Request: message is too long")])
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    clock.advance(timedelta(hours=2))
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    stored = await row(db, nid)
    assert stored.status == NotificationStatus.FAILED and stored.last_error is not None
    assert "too long" in stored.last_error
    assert sender.calls == 1


async def test_a_crash_between_send_and_commit_never_sends_twice(db, clock):
    uid = await telegram_person(db)
    nid = await outbox(db, clock, uid)

    class DiesAfterSending(FakeSender):
        async def send(self, recipient, view):
            await super().send(recipient, view)
            raise asyncio.CancelledError  # the worker is killed before recording

    crashing = DiesAfterSending()
    with pytest.raises(asyncio.CancelledError):
        await deliver_due(db, clock, {Platform.TELEGRAM: crashing}, limiter())
    assert (await row(db, nid)).status == NotificationStatus.SENDING

    sender = FakeSender()
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())  # redelivered task
    clock.advance(timedelta(hours=1))
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())  # lease expired
    assert sender.calls == 0 and len(crashing.delivered) == 1
    stored = await row(db, nid)
    assert stored.status == NotificationStatus.FAILED and stored.last_error is not None
    assert "outcome unknown" in stored.last_error


async def test_quiet_hours_hold_messages_until_they_end_in_the_persons_timezone(db, clock):
    uid = await telegram_person(db, quiet_hours_start=time(22, 0), quiet_hours_end=time(7, 0))
    clock.set(datetime(2026, 3, 28, 22, 30, tzinfo=UTC))  # 23:30 in Paris, before DST
    nid = await outbox(db, clock, uid)
    sender = FakeSender()
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    stored = await row(db, nid)
    # 07:00 Paris on the 29th is already summer time: 05:00 UTC.
    assert stored.status == NotificationStatus.PENDING
    assert stored.next_attempt_at == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    assert stored.attempts == 0 and not sender.delivered
    clock.set(stored.next_attempt_at)
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    assert len(sender.delivered) == 1


async def test_one_message_per_second_per_telegram_chat(db, clock):
    uid = await telegram_person(db)
    first = await outbox(db, clock, uid, key="a")
    second = await outbox(db, clock, uid, key="b")
    sender = FakeSender()
    report = await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    assert (report.sent, report.deferred) == (1, 1)
    held = await row(db, second if (await row(db, first)).sent_at else first)
    assert held.next_attempt_at == clock.now() + timedelta(seconds=1)


async def test_coaches_are_reached_on_slack_athletes_on_telegram(db, clock):
    async with db.unit_of_work() as s:
        coach, _ = await accounts.get_or_create_person(
            s,
            accounts.ChatAddress(
                Platform.TELEGRAM, platform_user_id="9", chat_id="9", display_name="Coach"
            ),
            default_role=Role.COACH,
        )
        s.add(
            ChatIdentity(
                user_id=coach.id,
                platform=Platform.SLACK,
                workspace_id="T1",
                platform_user_id="U1",
                chat_id="D1",
            )
        )
        coach_id = coach.id
    athlete = await telegram_person(db)
    await outbox(db, clock, coach_id, key="c", kind=NotificationKind.ATHLETE_COMMENT)
    await outbox(db, clock, athlete, key="a")
    slack, telegram = FakeSender(Platform.SLACK), FakeSender(Platform.TELEGRAM)
    await deliver_due(db, clock, {"slack": slack, "telegram": telegram}, MemoryTokenBuckets())
    assert [(t.chat_id, t.workspace_id) for t, _ in slack.delivered] == [("D1", "T1")]
    assert [v.person.user_id for _, v in telegram.delivered] == [athlete]


async def test_digest_rows_go_out_as_one_daily_message(db, clock: FixedClock):
    uid = await telegram_person(db)
    async with db.unit_of_work() as s:
        await notifications.set_preference(
            s, uid, NotificationKind.COACH_COMMENT, DeliveryMode.DIGEST
        )
    for i in range(3):
        await outbox(db, clock, uid, key=f"c{i}", payload={"body": f"comment {i}"})
    sender = FakeSender()
    assert (await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())).claimed == 0
    async with db.unit_of_work() as s:
        digest = await roll_up_digest(s, clock, uid, "2026-03-10")
        again = await roll_up_digest(s, clock, uid, "2026-03-10")
    assert digest is not None and again is None
    await deliver_due(db, clock, {Platform.TELEGRAM: sender}, limiter())
    [(_, view)] = sender.delivered
    assert view.kind == NotificationKind.DAILY_DIGEST
    assert [i["payload"]["body"] for i in view.payload["items"]] == [
        f"comment {i}" for i in range(3)
    ]
    async with db.unit_of_work() as s:
        statuses = set(await s.scalars(select(Notification.status)))
    assert statuses == {NotificationStatus.SENT}


async def test_a_person_without_any_chat_is_failed_with_a_reason(db, clock):
    async with db.unit_of_work() as s:
        user = User(name="Nobody")
        s.add(user)
        await s.flush()
        uid = user.id
    nid = await outbox(db, clock, uid)
    await deliver_due(db, clock, {Platform.TELEGRAM: FakeSender()}, limiter())
    assert (await row(db, nid)).status == NotificationStatus.FAILED


async def test_a_row_whose_payload_no_longer_fits_its_kind_fails_and_the_rest_is_sent(db, clock):
    uid = await telegram_person(db)
    broken = await outbox(db, clock, uid, key="old")
    good = await outbox(db, clock, uid, key="new")
    async with db.unit_of_work() as s:
        # An old row written before the payload types: a reminder slot that no longer exists.
        row = await s.get_one(Notification, broken)
        row.kind, row.payload = NotificationKind.REMINDER, {"slot": "noon"}
    sender = FakeSender()
    report = await deliver_due(db, clock, {Platform.TELEGRAM: sender}, MemoryTokenBuckets())
    assert (report.sent, report.failed) == (1, 1)
    assert [v.notification_id for _, v in sender.delivered] == [good]
    assert sender.delivered[0][1].typed is not None
    async with db.unit_of_work() as s:
        row = await s.get_one(Notification, broken)
        assert row.status == NotificationStatus.FAILED
        assert "'reminder' notification is not valid" in (row.last_error or "")
        assert "slot" in row.last_error
