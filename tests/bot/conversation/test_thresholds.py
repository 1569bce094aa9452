"""Thresholds asked in /start and shown and changed in /settings (issue 13.21).

A new swimmer is asked for their CSS (and heart rates and weight) while setting up, so
their swims get a load; /settings → Thresholds shows each value with the date it holds
from, changes any of them, and refuses a typo with a sentence naming the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.conversation import Conversation
from bot.conversation.types import IncomingFile, RequestKind
from core.db.models import Activity, AthleteThreshold, User
from tests.bot.conversation.test_conversations import FIXTURES, Chat


@pytest.fixture
def conversation(db, clock) -> Conversation:
    return Conversation(db, clock)


async def _start_to_thresholds(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Athlete")
    await chat.send("Lyon")
    await chat.press("Metric")


async def _thresholds_of(db, name: str) -> AthleteThreshold:
    async with db.unit_of_work() as session:
        user = await session.scalar(select(User).where(User.name == name))
        return await session.scalar(
            select(AthleteThreshold)
            .where(AthleteThreshold.user_id == user.id)
            .order_by(AthleteThreshold.valid_from.desc())
        )


async def test_a_new_swimmer_gives_css_heart_rates_and_weight_and_swims_get_a_load(
    conversation, db, clock
):
    # Sam sets up the evening of his pool swim (thresholds hold from the day entered).
    clock.set(datetime(2015, 11, 2, 22, 0, tzinfo=UTC))
    sam = Chat(conversation, "Sam")
    await _start_to_thresholds(sam)
    asked = []
    for answer in (None, None, None, "1:45", "188", "48", "64,5 kg"):
        asked.append(sam.text)
        if answer is None:
            await sam.press("Skip")
        else:
            await sam.send(answer)
    assert "All set" in sam.text
    assert any("swim CSS" in question for question in asked)
    assert any("maximum heart rate" in q for q in asked) and any("weight" in q for q in asked)
    stored = await _thresholds_of(db, "Sam")
    assert (stored.css_s_per_100m, stored.max_hr_bpm, stored.rest_hr_bpm, stored.weight_kg) == (
        105,
        188,
        48,
        64.5,
    )

    data = (FIXTURES / "swimming_pool_25m_fr920xt.fit").read_bytes()

    async def fetch() -> bytes:
        return data

    await sam.request(kind=RequestKind.FILE, file=IncomingFile("swim.fit", len(data), fetch))
    assert "Imported" in sam.text
    async with db.unit_of_work() as session:
        swim = await session.scalar(select(Activity).where(Activity.sport == "swim"))
    assert swim.load_source == "swim_pace" and swim.load > 0


async def test_settings_shows_thresholds_with_dates_and_changes_each(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await _start_to_thresholds(ana)
    await ana.send("250")  # FTP, on 10 Mar 2026
    await ana.press("Skip the rest")
    clock.advance(timedelta(days=30))

    await ana.send("/settings")
    assert "FTP 250 W" in ana.text
    await ana.press("Thresholds")
    assert "FTP: 250 W (since 10 Mar 2026)" in ana.text
    assert "Swim CSS: not set" in ana.text
    for label, typed, shown in (
        ("FTP", "265 W", "FTP: 265 W"),
        ("Threshold heart rate", "172", "Threshold heart rate: 172 bpm"),
        ("Threshold pace", "4:05", "Threshold pace: 4:05 /km"),
        ("Swim CSS", "1:38/100m", "Swim CSS: 1:38 /100 m"),
        ("Maximum heart rate", "191", "Maximum heart rate: 191 bpm"),
        ("Resting heart rate", "46", "Resting heart rate: 46 bpm"),
        ("Weight", "154 lb", "Weight: 69.9 kg"),
    ):
        await ana.press(label)
        await ana.send(typed)
        assert f"{shown} from 9 Apr 2026" in ana.text, ana.text
        assert f"{shown} (since 9 Apr 2026)" in ana.text  # the card again, updated
    stored = await _thresholds_of(db, "Ana")
    assert stored.valid_from == date(2026, 4, 9)
    assert (stored.ftp_w, stored.threshold_pace_s_per_km, stored.css_s_per_100m) == (265, 245, 98)


async def test_typos_are_refused_with_a_sentence_and_nothing_is_stored(conversation, db):
    ana = Chat(conversation, "Ana")
    await _start_to_thresholds(ana)
    await ana.send("2500")
    assert "FTP must be between 30 and 700 W; “2500” looks like a typo." in ana.text
    await ana.send("fast")
    assert "“fast” is not a number" in ana.text
    await ana.send("250")
    await ana.press("Skip")  # LTHR
    await ana.send("4:75")
    assert "“4:75” is not a pace: write minutes:seconds, like 4:15." in ana.text
    await ana.press("Skip the rest")

    await ana.send("/settings")
    await ana.press("Thresholds")
    await ana.press("Maximum heart rate")
    await ana.send("110")
    await ana.press("Resting heart rate")
    await ana.send("115")
    assert "Resting heart rate must be below threshold heart rate" in ana.text
    stored = await _thresholds_of(db, "Ana")
    assert (stored.ftp_w, stored.max_hr_bpm, stored.rest_hr_bpm) == (250, 110, None)


async def test_thresholds_read_in_french(conversation, db):
    zoe = Chat(conversation, "Zoé", language="fr")
    await zoe.send("/start")
    await zoe.press("Athlète")
    await zoe.send("Lyon")
    await zoe.press("Métrique")
    await zoe.send("900")
    assert "FTP doit être entre 30 et 700 W" in zoe.text
    await zoe.send("240")
    await zoe.press("Passer la suite")
    await zoe.send("/settings")
    await zoe.press("Seuils")
    assert "FTP : 240 W (depuis le 10 mars 2026)" in zoe.text
    assert "CSS natation : non renseigné" in zoe.text
