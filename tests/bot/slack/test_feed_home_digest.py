"""App Home, the activity feed (post, edit, delete), the digest's buttons, the sender's
errors, and the comment bridge Slack → Telegram → Slack."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.slack.sender import SlackSender
from core.activities.ingest.edits import delete_activity, update_activity_fields
from core.coaching import relationships as coaching
from core.db.models import Activity, Comment, MessageRef, Notification, User, Workout
from core.enums import ActivitySource, NotificationKind, NotificationStatus, Platform
from core.outbox import notifications
from core.outbox.delivery import deliver_due
from core.outbox.payloads import read_payload
from core.outbox.sending import ChatTarget, NotificationView, Person, RetryAfter
from core.people import identities as accounts
from core.people.identities import ChatAddress
from tests.bot.slack.conftest import COACH, TEAM, block_texts, make_container
from tests.bot.slack.helpers import athlete_of, coach_id, planned, session_done
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI
from workers.ratelimit import MemoryTokenBuckets


async def deliver(container, **senders) -> None:
    """Deliver the outbox; rows deferred by the per-chat limit go once the clock moves on."""
    sender = container.senders["slack"]
    assert sender is not None
    for _ in range(10):
        report = await deliver_due(
            container.db, container.clock, {"slack": sender, **senders}, MemoryTokenBuckets()
        )
        # The athletes here have no chat: their own change notices cannot be delivered.
        errors = [e for e in report.errors if e != "no reachable chat for this person"]
        assert not errors, errors
        if not report.deferred:
            return
        container.clock.advance(timedelta(seconds=5))
    async with container.db.unit_of_work() as session:
        stuck = [
            (row.kind, row.last_error)
            for row in await session.scalars(
                select(Notification).where(Notification.status == NotificationStatus.PENDING)
            )
        ]
    raise AssertionError(f"the outbox did not drain: {stuck}")


async def test_app_home_shows_the_roster_with_buttons(client, slack, db, clock) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock, "Alex Martin")
    await session_done(db, clock, athlete)
    await athlete_of(db, clock, "Quiet Quentin")
    await client.event({"type": "app_home_opened", "user": COACH, "tab": "home"})
    call = await slack.wait_for(lambda c: c.method == "views.publish")
    assert call.ok, call.response
    blocks = call.params["view"]["blocks"]
    text = block_texts(blocks)
    assert "Alex Martin" in text and "Quiet Quentin" in text
    assert text.index("Quiet Quentin") < text.index("Alex Martin")  # attention first
    assert "no session recorded yet" in text  # the conversation's reason_text
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions.count("athlete_open") == 2 and "athlete_plan" in actions


async def test_home_buttons_open_the_card_and_the_plan_modal(client, slack, db, clock) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock, "Alex Martin")
    for action_id, expected in (
        ("athlete_open", "Alex Martin · week of"),
        ("athlete_plan", "Steps"),
    ):
        await client.interact(_press(action_id, str(athlete)))
        call = await slack.wait_for(
            lambda c, e=expected: c.method == "views.open" and e in block_texts(c.params["view"])
        )
        assert call.ok, call.response


def _press(action_id: str, value: str, message: dict | None = None) -> dict:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "coaches"},
        "user": {"id": COACH, "team_id": TEAM, "name": "Kim Coach"},
        "api_app_id": "A0TRAINLY",
        "trigger_id": "1337.44.trigger",
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "value": value,
                "block_id": "b",
                "action_ts": "1.2",
            }
        ],
    }
    if message is not None:
        payload["container"] = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": message["channel"],
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": message["channel"]}
        payload["message"] = message["message"]
    return payload


async def test_each_activity_is_posted_once_then_edited_then_removed(
    client, slack, container, db, clock
) -> None:
    coach = await coach_id(db)
    athlete = await athlete_of(db, clock, "Alex Martin")
    activity = await session_done(db, clock, athlete)
    await deliver(container)
    joined = slack.calls_to("chat.postMessage")[0]
    assert "Alex Martin joined you" in joined.params["text"]
    posts = feed_posts(slack)
    assert len(posts) == 1 and posts[0].ok
    post = posts[0].response
    assert "Alex Martin" in block_texts(post["message"]["blocks"])
    assert post["channel"].startswith("D")  # the coach's DM, never a shared channel

    async with db.unit_of_work() as session:
        await notifications.notify(
            session,
            clock,
            recipient_id=coach,
            payload=read_payload(NotificationKind.ACTIVITY_RECORDED, {"activity_id": activity}),
            key=f"activity:{activity}:recorded:coach",
        )  # the same event again: no second row
        act = await session.get_one(Activity, activity)
        source_id = act.source_id
        # The athlete renames the session: core.activities.ingest writes the change notice itself.
        await update_activity_fields(
            session, clock, athlete, ActivitySource.MANUAL, source_id, name="Hilly run"
        )
    await deliver(container)
    assert len(feed_posts(slack)) == 1
    update = await slack.wait_for(lambda c: c.method == "chat.update")
    assert update.params["ts"] == post["ts"]
    assert "Hilly run" in block_texts(slack.messages[(post["channel"], post["ts"])]["blocks"])

    async with db.unit_of_work() as session:
        await delete_activity(session, clock, athlete, ActivitySource.MANUAL, source_id)
    await deliver(container)
    await slack.wait_for(lambda c: c.method == "chat.delete")
    assert (post["channel"], post["ts"]) not in slack.messages
    async with db.unit_of_work() as session:
        assert await session.scalar(select(MessageRef)) is None


async def test_the_feed_post_is_taken_down_when_the_athlete_makes_the_session_private(
    client, slack, container, db, clock
) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock, "Alex Martin")
    activity = await session_done(db, clock, athlete)
    await deliver(container)
    [post] = feed_posts(slack)
    async with db.unit_of_work() as session:
        source_id = (await session.get_one(Activity, activity)).source_id
        await update_activity_fields(
            session, clock, athlete, ActivitySource.MANUAL, source_id, is_private=True
        )
    await deliver(container)
    await slack.wait_for(lambda c: c.method == "chat.delete")
    assert (post.response["channel"], post.response["ts"]) not in slack.messages
    assert not slack.calls_to("chat.update")  # nothing of the private session is shown

    async with db.unit_of_work() as session:  # public again: posted afresh
        await update_activity_fields(
            session, clock, athlete, ActivitySource.MANUAL, source_id, is_private=False
        )
    await deliver(container)
    assert len(feed_posts(slack)) == 2


def feed_posts(slack) -> list:
    return [c for c in slack.calls_to("chat.postMessage") if "Easy run" in c.params["text"]]


async def test_feed_goes_to_the_private_channel_the_coach_picks(
    client, slack, container, db, clock
) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock)
    refused = (
        await client.command("feed here", channel_id="C0PUBLIC1", channel_name="general")
    ).json()
    assert "only go to private places" in refused["text"]
    chosen = (
        await client.command("feed here", channel_id="G0PRIVATE", channel_name="privategroup")
    ).json()
    assert "posted here" in chosen["text"]
    await session_done(db, clock, athlete)
    await deliver(container)
    post = feed_posts(slack)[0]
    assert post.params["channel"] == "G0PRIVATE"


async def test_a_rate_limited_post_becomes_retry_after(container, slack, db, clock) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock)
    activity = await session_done(db, clock, athlete)
    slack.fail_next("chat.postMessage", 429, retry_after=7)
    sender = container.senders["slack"]
    async with db.unit_of_work() as session:
        coach = await session.get_one(User, await coach_id(db))
    view = NotificationView(
        notification_id=1,
        kind="activity_recorded",
        payload={"activity_id": activity},
        person=Person(coach.id, coach.name, "en", "UTC"),
        target=ChatTarget("slack", COACH, TEAM),
        idempotency_key="k",
    )
    with pytest.raises(RetryAfter) as caught:
        await sender.send(view.target, view)
    assert caught.value.seconds == 7
    async with db.unit_of_work() as session:
        assert await session.scalar(select(MessageRef)) is None


async def test_digest_buttons_reduce_and_snooze(client, slack, container, db, clock) -> None:
    coach = await coach_id(db)
    athlete = await athlete_of(db, clock, "Alex Martin")
    workout = await planned(db, clock, athlete, days_ahead=1)
    from core.schedules.attention import write_coach_digest

    async with db.unit_of_work() as session:
        assert await write_coach_digest(session, clock, coach) is not None
    await deliver(container)
    post = next(
        c.response for c in slack.calls_to("chat.postMessage") if "attention" in c.params["text"]
    )
    assert "Reduce 20 %" in block_texts(post["message"]["blocks"])
    as_posted = copy.deepcopy(post)  # Reduce replaces the row's buttons in the fake's copy

    await client.interact(_press("digest_reduce", f"{athlete}:{workout}", post))
    await slack.wait_for(lambda c: c.method == "chat.update")
    async with db.unit_of_work() as session:
        reduced = await session.get_one(Workout, workout)
    assert reduced.planned_duration_s == pytest.approx((15 + 4 * 8) * 60 * 0.8)
    assert reduced.structure[0]["duration_s"] == 720
    assert "reduced by 20 %" in block_texts(slack.messages[(post["channel"], post["ts"])]["blocks"])

    # Snooze is kept by core: tomorrow's digest leaves Alex out.
    await client.interact(_press("digest_snooze", f"{athlete}:{workout}", as_posted))
    await slack.wait_for(
        lambda c: c.method == "chat.update" and "Snoozed" in block_texts(c.params["blocks"])
    )
    clock.advance(timedelta(days=1))
    async with db.unit_of_work() as session:
        assert await write_coach_digest(session, clock, coach) is None


# --- the comment bridge --------------------------------------------------------------

CHAT = 4242


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramBotAPI]:
    async with FakeTelegramBotAPI() as fake:
        yield fake


async def test_comment_bridge_slack_to_telegram_and_back(
    slack, telegram, db, clock, tmp_path
) -> None:
    import httpx

    from bot.telegram.runner import run_bot
    from tests.bot.slack.conftest import SlackClient, _slack_tables
    from trainlytics.web_app import build_web_app

    await _slack_tables(db)
    container = make_container(
        slack,
        db,
        clock,
        tmp_path,
        telegram_bot_token=telegram.token,
        telegram_api_base=telegram.base_url,
        telegram_webhook_secret="tg-secret_1",
    )
    coach = await coach_id(db)
    async with db.unit_of_work() as session:
        athlete, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(Platform.TELEGRAM, str(CHAT), chat_id=str(CHAT), display_name="Ana"),
        )
        athlete.onboarded = True
        athlete.timezone = "Europe/Paris"
        invitation = await coaching.create_invitation(session, clock, coach)
        await coaching.accept_invitation(session, clock, athlete.id, invitation.code)
        athlete_id = athlete.id
    telegram.add_chat(CHAT, first_name="Ana")
    activity = await session_done(db, clock, athlete_id)
    assert container.telegram is not None, "Telegram is set up in this container"
    polling = asyncio.create_task(run_bot(container.telegram, container.settings))
    try:
        tg_sender = container.senders["telegram"]
        senders = {"telegram": tg_sender}
        await deliver(container, **senders)
        post = feed_posts(slack)[0]
        channel, ts = post.response["channel"], post.response["ts"]

        transport = httpx.ASGITransport(app=build_web_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            reply = {
                "type": "message",
                "channel": channel,
                "channel_type": "im",
                "user": COACH,
                "text": "Nice and steady, Ana!",
                "ts": "1773133200.000200",
                "thread_ts": ts,
            }
            assert (await SlackClient(http).event(reply, event_id="Ev0REPLY")).status_code == 200
            async with asyncio.timeout(10):
                while True:
                    async with db.unit_of_work() as session:
                        if await session.scalar(select(Comment).where(Comment.author_id == coach)):
                            break
                    await asyncio.sleep(0.05)

        await deliver(container, **senders)
        card = await telegram.wait_for(
            lambda c: c.method == "sendMessage" and "Nice and steady" in str(c.params.get("text"))
        )
        message = card.response["result"]
        data = [
            b.get("callback_data")
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        assert f"cm:reply:a:{activity}" in data
        telegram.user_presses(CHAT, message["message_id"], f"cm:reply:a:{activity}")
        await telegram.wait_for(lambda c: c.method == "answerCallbackQuery")
        telegram.user_sends(CHAT, "Thanks coach, legs felt fresh")
        async with asyncio.timeout(10):
            while True:
                async with db.unit_of_work() as session:
                    if await session.scalar(select(Comment).where(Comment.author_id == athlete_id)):
                        break
                await asyncio.sleep(0.05)

        await deliver(container, **senders)
        answer = await slack.wait_for(
            lambda c: c.method == "chat.postMessage" and "legs felt fresh" in c.params["text"]
        )
        assert (
            answer.ok and answer.params["thread_ts"] == ts and answer.params["channel"] == channel
        )
        async with db.unit_of_work() as session:
            rows = list(await session.scalars(select(Notification)))
        assert all(r.status != NotificationStatus.FAILED for r in rows), [
            r.last_error for r in rows
        ]
    finally:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await container.aclose()


_ = SlackSender
