"""Recording a session from chat, as athletes did it in their first week (issue 13 items 2,
3, 8, 9, 12, 13, 14; issue 12 item 14): /log, files (plain and gzipped), check-ins,
thresholds entered after the fact, and sessions no person could have done."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.conversation import Conversation
from bot.conversation.types import IncomingFile, RequestKind
from core.clock import FixedClock
from core.coaching import relationships as coaching
from core.db.models import Activity, DailyLoad, Notification, User, Workout
from core.enums import NotificationKind
from tests.bot.conversation.test_conversations import Chat, onboard

FIXTURES = Path(__file__).parents[2] / "fixtures" / "activities"
MULTISPORT = "multisport_run_transition_row_fr935.fit"
EDGE810 = "cycling_power_outdoor_edge810.fit"


@pytest.fixture
def conversation(db, clock) -> Conversation:
    return Conversation(db, clock)


async def send_file(chat: Chat, name: str, data: bytes) -> None:
    async def fetch() -> bytes:
        return data

    await chat.request(kind=RequestKind.FILE, file=IncomingFile(name, len(data), fetch))


def buttons(chat: Chat) -> list[str]:
    return [b.label for r in chat.last for b in r.buttons]


async def count(db, model, *where) -> int:
    async with db.unit_of_work() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def plan_today(db, clock, name: str, title: str, sport: str = "run") -> None:
    async with db.unit_of_work() as session:
        user = await session.scalar(select(User).where(User.name == name))
        session.add(
            Workout(
                athlete_id=user.id,
                sport=sport,
                title=title,
                scheduled_date=clock.now().date(),
                planned_duration_s=1800,
                planned_load=40,
                structure=[],
            )
        )


async def add_coach(db, clock, chat: Chat) -> None:
    async with db.unit_of_work() as session:
        claire = User(name="Coach Claire", role="coach")
        session.add(claire)
        await session.flush()
        code = (await coaching.create_invitation(session, clock, claire.id)).code
    await chat.send(f"/coach {code}")


# --- 13.2: a /log session counts at once -------------------------------------------------


async def test_a_logged_run_completes_the_plan_and_counts_before_any_check_in(
    conversation, db, clock
):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await plan_today(db, clock, "Ana", "Easy run")
    await ana.send("/log ran 6 km in 30 min rpe 7")
    await ana.press("Confirm")
    assert "Recorded" in ana.text and "Easy run" in ana.text
    # The check-in is left unanswered: the session already counts.
    await ana.send("/today")
    assert "Done" not in buttons(ana)
    assert "✅" in ana.text
    async with db.unit_of_work() as session:
        activity = await session.scalar(select(Activity))
        day = await session.scalar(select(DailyLoad).where(DailyLoad.day == activity.local_date))
        workout = await session.scalar(select(Workout))
    assert activity.load > 0 and day is not None and day.load == pytest.approx(activity.load)
    assert day.fitness > 0
    assert workout.matched_activity_id == activity.id


# --- 13.3: the check-in is asked once, never for a transition or old history -----------


async def _athlete_check_in_cards(db) -> int:
    async with db.unit_of_work() as session:
        ana = await session.scalar(select(User).where(User.name == "Ana"))
        return await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.recipient_id == ana.id,
                Notification.kind == NotificationKind.CHECK_IN,
            )
        )


async def test_a_fresh_multisport_file_asks_once_per_leg_and_never_for_the_transition(db):
    # The day after the recording: news.
    clock = FixedClock(datetime(2021, 3, 23, 9, 0, tzinfo=UTC))
    ana = Chat(Conversation(db, clock), "Ana")
    await onboard(ana)
    await add_coach(db, clock, ana)
    await send_file(ana, "brick.fit", (FIXTURES / MULTISPORT).read_bytes())
    asks = sum(r.plain.count("How hard was it?") for r in ana.last)
    assert asks == 2  # run and row; the transition is not a session to rate
    assert await _athlete_check_in_cards(db) == 0  # asked in the reply, not again later
    async with db.unit_of_work() as session:
        pings = await session.scalars(
            select(Notification).where(Notification.kind == NotificationKind.ACTIVITY_RECORDED)
        )
        sports = sorted(n.payload["sport"] for n in pings)
    assert sports == ["row", "run"]


async def test_last_years_file_asks_nothing_and_pings_no_coach(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await add_coach(db, clock, ana)
    await send_file(ana, "old.fit", (FIXTURES / EDGE810).read_bytes())
    assert "Imported" in ana.text and "How hard" not in ana.text
    assert await _athlete_check_in_cards(db) == 0
    assert await count(db, Notification, Notification.kind == "activity_recorded") == 0


# --- 13.12: thresholds entered today score old files ------------------------------------


async def test_an_old_power_file_is_scored_with_the_ftp_entered_today(conversation, db):
    ana = Chat(conversation, "Ana")
    await onboard(ana)  # FTP 250, entered on 2026-03-10
    await send_file(ana, "edge810.fit", (FIXTURES / EDGE810).read_bytes())
    text = ana.text
    assert "Weighted power" in text and "Intensity" in text
    assert "No thresholds were set for" in text and "2013" in text
    async with db.unit_of_work() as session:
        activity = await session.scalar(select(Activity))
    assert activity.load_source == "power" and activity.load > 100


async def test_an_ftp_entered_after_the_import_rescores_it(conversation, db):
    ana = Chat(conversation, "Ana")
    await ana.send("/start")
    await ana.press(ana.last[-1].buttons[0].label)  # athlete
    await ana.send("Lyon")
    await ana.press(ana.last[-1].buttons[0].label)  # metric
    await ana.press("Skip")  # no FTP yet
    await send_file(ana, "edge810.fit", (FIXTURES / EDGE810).read_bytes())
    await ana.send("/start")
    await ana.press(ana.last[-1].buttons[0].label)
    await ana.send("Lyon")
    await ana.press(ana.last[-1].buttons[0].label)
    await ana.send("250")
    async with db.unit_of_work() as session:
        activity = await session.scalar(select(Activity))
    assert activity.load_source == "power"
    assert activity.metrics["thresholds_assumed_from"] == "2026-03-10"


# --- 13.14: the product's words, in both languages ---------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ("Weighted power", "Intensity")), ("fr", ("Puissance pondérée", "Intensité"))],
)
async def test_file_replies_say_weighted_power_and_intensity(conversation, language, words):
    person = Chat(conversation, "Marie", language=language)
    await onboard(person)
    await send_file(person, "ride.fit", (FIXTURES / EDGE810).read_bytes())
    assert all(word in person.text for word in words)
    assert "NP " not in person.text and "IF " not in person.text


# --- 13.13: /plan's sum says what it covers ----------------------------------------------


async def test_plan_names_its_fourteen_days(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await plan_today(db, clock, "Ana", "Tempo")
    await ana.send("/plan")
    assert "Load over these 14 days: 0 done of 40 planned" in ana.text
    assert "this week" not in ana.text


# --- 13.8: gzipped files, as Strava's bulk export holds them -----------------------------


@pytest.mark.parametrize(
    "name",
    [
        "cycling_power_short_pause_edge1000.fit",
        "cycling_power_short_pause_edge1000.gpx",
        "cycling_power_short_pause_edge1000.tcx",
    ],
)
async def test_gzipped_activity_files_are_imported(conversation, db, name):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await send_file(ana, f"{name}.gz", gzip.compress((FIXTURES / name).read_bytes()))
    assert "Imported" in ana.text
    assert await count(db, Activity) == 1


async def test_a_gzip_bomb_is_refused_without_filling_memory(conversation, db):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))  # 64 KB that inflate to 64 MB
    await send_file(ana, "ride.fit.gz", bomb)
    assert "too large" in ana.text and "Nothing was stored" in ana.text
    assert await count(db, Activity) == 0


# --- 12.14: sessions no person could have done -------------------------------------------


def _tcx(start: datetime, seconds: int, hr: int, metres_per_s: float) -> bytes:
    points = "".join(
        f"<Trackpoint><Time>{(start + timedelta(seconds=k)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        f"</Time><DistanceMeters>{k * metres_per_s:.1f}</DistanceMeters>"
        f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm></Trackpoint>"
        for k in range(0, seconds, 10)
    )
    return (
        '<?xml version="1.0"?><TrainingCenterDatabase '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="Running"><Id>{start.isoformat()}</Id>'
        f'<Lap StartTime="{start.isoformat()}"><Track>{points}</Track></Lap>'
        "</Activity></Activities></TrainingCenterDatabase>"
    ).encode()


@pytest.mark.parametrize(
    ("start", "hr", "speed", "says"),
    [
        (datetime(1970, 1, 1, 8, tzinfo=UTC), 150, 3.0, "before 1990"),
        (datetime(2100, 1, 1, 8, tzinfo=UTC), 150, 3.0, "in the future"),
        (datetime(2026, 3, 9, 8, tzinfo=UTC), 900, 3.0, "900 bpm"),
        (datetime(2026, 3, 9, 8, tzinfo=UTC), 150, 280.0, "km/h"),  # 1,000 km/h
    ],
)
async def test_implausible_files_are_refused_with_a_sentence_and_store_nothing(
    conversation, db, start, hr, speed, says
):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await send_file(ana, "run.tcx", _tcx(start, 1800, hr, speed))
    assert "didn't import" in ana.text and says in ana.text
    assert await count(db, Activity) == 0
    assert await count(db, DailyLoad) == 0


async def test_a_french_athlete_reads_the_refusal_in_french(conversation, db):
    marie = Chat(conversation, "Marie", language="fr")
    await onboard(marie)
    await send_file(marie, "run.tcx", _tcx(datetime(1970, 1, 1, tzinfo=UTC), 1800, 150, 3.0))
    assert "Je n'ai pas importé" in marie.text and "1970" in marie.text


# --- 13.9: /log reads what people write --------------------------------------------------


@pytest.mark.parametrize(
    ("words", "shown"),
    [
        ("ride 2h 60 km", "60.0 km · 2h00"),
        ("run 1h 10 km", "10.0 km · 1h00"),
        ("ran 10 miles in 1:20", "16.1 km · 1h20"),
        ("run 52m", "52 min"),
        ("couru 10 km en 50 min", "10.0 km · 50 min"),
        ("vélo 2h 60 km hier", "60.0 km · 2h00 · 2026-03-09"),
        ("ran 10k in 45 min yesterday", "2026-03-09"),
        ("run 40 min sunday", "2026-03-08"),
    ],
)
async def test_log_reads_common_phrasings(conversation, words, shown):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send(f"/log {words}")
    assert shown in ana.text and "Confirm" in buttons(ana)


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("ran 10k in 5 min", "faster than anyone"),
        ("ran 10k in 50 min tomorrow", "in the future"),
        ("run 45 min next friday", "in the future"),
    ],
)
async def test_log_refuses_the_impossible_with_an_example(conversation, db, words, says):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send(f"/log {words}")
    assert says in ana.text and "/log ran 10k" in ana.text
    assert "Confirm" not in buttons(ana)
    assert await count(db, Activity) == 0


async def test_log_in_french_refuses_in_french(conversation):
    marie = Chat(conversation, "Marie", language="fr")
    await onboard(marie)
    await marie.send("/log couru 10 km en 5 min")
    assert "plus vite que quiconque en course" in marie.text


async def test_a_logged_session_recorded_yesterday_lands_on_yesterday(conversation, db):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send("/log vélo 2h 60 km hier")
    await ana.press("Confirm")
    async with db.unit_of_work() as session:
        activity = await session.scalar(select(Activity))
    assert (activity.local_date, activity.distance_m, activity.moving_s) == (
        date(2026, 3, 9),
        60_000.0,
        7200.0,
    )


# --- the same through the console chat, as `trainlytics chat` pipes it --------------------


async def test_console_log_counts_at_once_and_a_gz_file_imports(db, clock, tmp_path):
    import io

    from bot.console.chat import ConsoleChat

    gz = tmp_path / "ride.fit.gz"
    gz.write_bytes(gzip.compress((FIXTURES / EDGE810).read_bytes()))
    out = io.StringIO()
    chat = ConsoleChat(Conversation(db, clock), "Ana", out, tmp_path)
    await chat.run(["/start", "1", "Paris", "1", "250", "1", "1"])
    await plan_today(db, clock, "Ana", "Easy run")
    await chat.run(["/log ran 6 km in 30 min rpe 7", "1", "/today", f"/file {gz}"])
    text = out.getvalue()
    today = text[text.rindex("Today,") :]
    assert "✅" in today and "] Done" not in today.split("Imported")[0]
    assert "Imported ride" in text and "Weighted power" in text
