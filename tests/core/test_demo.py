"""The demo: what someone trying Trainlytics finds after `make run` or `trainlytics demo`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from core.db.models import Activity, CoachingRelationship, Comment, DailyLoad, User, Workout
from core.demo import seed as demo
from core.enums import RelationshipStatus, Role, WorkoutStatus
from core.timeutil import local_date
from tests.factories import person

ROOT = Path(__file__).resolve().parents[2]


async def test_seeds_a_coach_and_three_coached_athletes_with_twelve_weeks(db, clock):
    result = await demo.seed_demo(db, clock)

    assert result.created
    today = local_date(clock.now(), demo.TIMEZONE)
    async with db.unit_of_work() as session:
        coach = await session.get_one(User, result.coach_id)
        assert (coach.name, coach.role) == (demo.COACH_NAME, Role.COACH)
        relationships = list(await session.scalars(select(CoachingRelationship)))
        assert len(relationships) == 3
        assert {r.status for r in relationships} == {RelationshipStatus.ACTIVE}
        assert {r.athlete_id for r in relationships} == set(result.athlete_ids.values())
        assert {r.coach_id for r in relationships} == {coach.id}

        for name, athlete_id in result.athlete_ids.items():
            workouts = list(
                await session.scalars(select(Workout).where(Workout.athlete_id == athlete_id))
            )
            days = sorted(w.scheduled_date for w in workouts)
            assert (days[-1] - days[0]).days >= 11 * 7 - 1, name
            assert today + timedelta(days=7) < days[-1] <= today + timedelta(days=21), name
            assert any(w.scheduled_date == today for w in workouts), name
            statuses = {w.status for w in workouts if w.scheduled_date < today}
            assert statuses == {WorkoutStatus.COMPLETED, WorkoutStatus.SKIPPED}, name

            activities = list(
                await session.scalars(select(Activity).where(Activity.user_id == athlete_id))
            )
            assert len(activities) >= 30, name
            assert all(a.load and a.load > 0 for a in activities), name
            assert all(a.local_date < today for a in activities), name
            assert today - min(a.local_date for a in activities) >= timedelta(weeks=8), name
            # Real recordings, re-dated into the demo window, keep their samples.
            assert any(a.source == "file" for a in activities), name

            latest = await session.scalar(
                select(DailyLoad)
                .where(DailyLoad.user_id == athlete_id)
                .order_by(DailyLoad.day.desc())
                .limit(1)
            )
            assert latest is not None and latest.day == today
            assert latest.fitness > 15, name

        assert await session.scalar(select(func.count()).select_from(Comment)) >= 2
        pained = list(await session.scalars(select(Activity).where(Activity.pain.is_(True))))
        assert len(pained) == 1 and pained[0].pain_note


async def test_seeding_twice_changes_nothing(db, clock):
    await demo.seed_demo(db, clock)
    async with db.unit_of_work() as session:
        first = await demo.demo_counts(session)

    again = await demo.seed_demo(db, clock)

    async with db.unit_of_work() as session:
        assert await demo.demo_counts(session) == first
    assert not again.created
    assert first["users"] == 4 and first["workouts"] > 150


async def test_if_empty_leaves_a_database_with_people_alone(db, clock):
    async with db.unit_of_work() as session:
        await person(session, "Zoé")

    assert await demo.seed_demo_if_empty(db, clock) is None

    async with db.unit_of_work() as session:
        counts = await demo.demo_counts(session)
    assert counts["users"] == 1 and counts["workouts"] == 0


async def test_if_empty_seeds_an_empty_database(db, clock):
    result = await demo.seed_demo_if_empty(db, clock)

    assert result is not None and result.created
    assert set(result.athlete_ids) == set(demo.ATHLETE_NAMES)


def test_the_recordings_ship_with_the_product_not_the_tests():
    shipped = ROOT / "core" / "demo" / demo.DEMO_DATA
    for athlete in demo.ATHLETES:
        for filename, _kind in athlete.recordings:
            assert (shipped / filename).is_file()
    assert "tests" not in Path(demo.__file__).read_text().replace("tests/", "")


def _cli(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "trainlytics", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_chat_as_a_demo_athlete_after_migrate_and_demo(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINLYTICS_")}
    env["TRAINLYTICS_DATA_DIR"] = str(tmp_path / "data")

    _cli("migrate", env=env)
    seeded = _cli("demo", "--if-empty", env=env)
    assert "Ana" in seeded and "chat --as Ana" in seeded
    assert "already has people" in _cli("demo", "--if-empty", env=env)
    assert "already there" in _cli("demo", env=env)

    out = _cli(
        "chat",
        "--as",
        "Ana",
        "--images",
        str(tmp_path / "img"),
        env=env,
        stdin="/today\n/fitness\n",
    )

    assert "[1] Done" in out  # today's planned workout, as a card with its buttons
    chart = next(line for line in out.splitlines() if line.startswith("[image saved to "))
    path = Path(chart.removeprefix("[image saved to ").removesuffix("]"))
    assert path.is_file() and path.read_bytes().startswith(b"\x89PNG")
    assert "Fitness" in out


# --- the start-up banner `trainlytics run` prints ---------------------------------------


def _settings(**values: Any):
    from core.settings import Settings

    return Settings(_env_file=None, secret_key="s", encryption_keys="k", **values)


def test_banner_on_a_fresh_machine_says_what_runs_and_how_to_chat():
    from trainlytics.banner import JOBS_SERVICE, TELEGRAM_SERVICE, banner

    text = banner(_settings(), [JOBS_SERVICE, TELEGRAM_SERVICE])

    assert "http://127.0.0.1:8000/health" in text
    assert "in this process" in text
    assert "Telegram  off" in text and "TRAINLYTICS_TELEGRAM_BOT_TOKEN" in text
    assert "Slack     not configured" in text
    assert ".venv/bin/trainlytics chat --as Ana" in text
    assert all(name in text for name in (*demo.ATHLETE_NAMES, demo.COACH_NAME))
    assert len(text.splitlines()) <= 8


def test_banner_names_polling_webhook_redis_and_slack_when_configured():
    from trainlytics.banner import TELEGRAM_SERVICE, banner

    polling = banner(_settings(telegram_bot_token="1:x"), [TELEGRAM_SERVICE])
    assert "long polling" in polling

    production = banner(
        _settings(
            telegram_bot_token="1:x",
            public_url="https://t.example.com",
            redis_url="redis://localhost:6379/0",
            slack_signing_secret="sig",
            slack_bot_token="xoxb-1",
        ),
        [],
    )
    assert "webhook at https://t.example.com/telegram/webhook" in production
    assert "on Redis" in production and "trainlytics worker" in production
    assert "one workspace; events at https://t.example.com/slack/events" in production


async def test_banner_accepts_the_service_functions_run_starts(tmp_path):
    from cryptography.fernet import Fernet

    from trainlytics.banner import JOBS_SERVICE, TELEGRAM_SERVICE, banner, service_name
    from trainlytics.container import build_container
    from trainlytics.runtime import role_services

    settings = _settings(data_dir=tmp_path, telegram_bot_token="1:x").model_copy(
        update={"encryption_keys": Fernet.generate_key().decode()}
    )
    container = build_container(settings)
    try:
        services = role_services(container, "all")
    finally:
        await container.aclose()

    assert {JOBS_SERVICE, TELEGRAM_SERVICE} <= {service_name(s) for s in services}
    assert "worker and scheduler in this process" in banner(settings, services)
    assert "long polling" in banner(settings, services)
