"""A Slack-only coach takes timezone, language and units from Slack's users.info on first
use, and can change them from Slack (issue 13, item 22)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.coaching import relationships as coaching
from core.db.models import ChatIdentity, User
from core.schedules.fan_out import fan_out
from tests.bot.slack.test_commands import said
from tests.factories import person

PARIS_COACH, CHICAGO_COACH = "U0PARIS01", "U0CHICAGO"


async def coach_named(db, slack_user: str) -> User:
    async with db.unit_of_work() as session:
        identity = await session.scalar(
            select(ChatIdentity).where(ChatIdentity.platform_user_id == slack_user)
        )
        return await session.get_one(User, identity.user_id)


@pytest.mark.parametrize(
    ("tz", "slack_locale", "locale", "units"),
    [
        ("Europe/Paris", "fr-FR", "fr", "metric"),
        ("America/Chicago", "en-US", "en", "imperial"),
        ("", "de-DE", "en", "metric"),  # what Slack does not give or we lack: the defaults
    ],
)
async def test_a_new_coach_takes_timezone_language_and_units_from_slack(
    client, slack, db, tz, slack_locale, locale, units
) -> None:
    slack.add_user(PARIS_COACH, name="amelie", tz=tz, locale=slack_locale)
    said(await client.command("help", user=PARIS_COACH, user_name="amelie"))
    coach = await coach_named(db, PARIS_COACH)
    expected_tz = tz or "UTC"
    assert (coach.timezone, coach.locale, coach.units) == (expected_tz, locale, units)
    [call] = slack.calls_to("users.info")
    assert call.params["include_locale"] in ("1", "true")


async def test_the_digest_comes_at_the_coachs_morning_not_utcs(client, slack, db, clock) -> None:
    slack.add_user(PARIS_COACH, name="amelie", tz="Europe/Paris", locale="fr-FR")
    said(await client.command("help", user=PARIS_COACH, user_name="amelie"))
    coach = await coach_named(db, PARIS_COACH)
    async with db.unit_of_work() as session:
        ana = await person(session, "Ana")
        invitation = await coaching.create_invitation(session, clock, coach.id)
        await coaching.accept_invitation(session, clock, ana.id, invitation.code)
    clock.set(datetime(2026, 3, 11, 6, 5, tzinfo=UTC))  # 07:05 in Paris, 06:05 UTC
    async with db.unit_of_work() as session:
        result = await fan_out(session, clock)
    assert coach.id in result.coach_digests


async def test_a_coach_changes_timezone_language_and_units_from_slack(client, slack, db) -> None:
    slack.add_user(CHICAGO_COACH, name="bob", tz="America/Chicago", locale="en-US")
    shown = said(await client.command("settings", user=CHICAGO_COACH, user_name="bob"))
    assert "America/Chicago" in shown and "Imperial" in shown
    said(await client.command("settings tz Asia/Tokyo", user=CHICAGO_COACH))
    said(await client.command("settings units metric", user=CHICAGO_COACH))
    answer = said(await client.command("settings lang fr", user=CHICAGO_COACH))
    assert "Fuseau : Asia/Tokyo" in answer and "Métrique" in answer
    coach = await coach_named(db, CHICAGO_COACH)
    assert (coach.timezone, coach.locale, coach.units) == ("Asia/Tokyo", "fr", "metric")
    refused = said(await client.command("settings tz Mars/Olympus", user=CHICAGO_COACH))
    assert "Mars/Olympus" in refused
    assert (await coach_named(db, CHICAGO_COACH)).timezone == "Asia/Tokyo"
