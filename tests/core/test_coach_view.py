"""What a coach sees of their athletes, whichever door asks (core.coaching.coach_view)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.coaching import coach_view
from core.db.models import Workout
from core.errors import InvalidInput, NotFound
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from core.timeutil import local_date, week_start
from tests.factories import coached, person


def _spec(title: str, *, key: bool = False) -> WorkoutSpec:
    return WorkoutSpec(sport="run", title=title, planned_duration_s=2400, key_workout=key)


async def test_snapshot_counts_this_week_against_the_plan(db, clock):
    async with db.unit_of_work() as session:
        coach = await person(session, "Coach")
        ana = await person(session, "Ana")
        await coached(session, clock, coach, ana)
        today = local_date(clock.now(), ana.timezone)
        monday = week_start(today)
        done = await planning.create_workout(session, clock, coach.id, ana.id, monday, _spec("A"))
        await planning.complete_workout(session, clock, ana.id, done.id)
        await planning.create_workout(session, clock, coach.id, ana.id, today, _spec("B"))
        await planning.create_workout(
            session, clock, coach.id, ana.id, today + timedelta(days=1), _spec("Next")
        )

        snap = await coach_view.athlete_snapshot(session, clock, coach.id, ana.id)

    # The test clock's day is a Tuesday: Monday's and today's workouts are due, one done.
    assert today != monday
    assert (snap.week_planned, snap.week_done) == (2, 1)
    assert snap.compliance_pct == 50
    assert [w.title for w in snap.upcoming][:1] == ["B"]
    assert "Next" in [w.title for w in snap.upcoming]
    assert any(flag["reason"] == "no_sync" for flag in snap.flags)


async def test_roster_snapshots_cover_every_athlete_by_name(db, clock):
    async with db.unit_of_work() as session:
        coach = await person(session, "Coach")
        for name in ("Zoé", "Ben", "Ana"):
            await coached(session, clock, coach, await person(session, name))
        snaps = await coach_view.roster_snapshots(session, clock, coach.id)
    assert [s.athlete.name for s in snaps] == ["Ana", "Ben", "Zoé"]


async def test_a_coach_cannot_see_someone_else_s_athlete(db, clock):
    async with db.unit_of_work() as session:
        coach = await person(session, "Coach")
        other = await person(session, "Other coach")
        ana = await person(session, "Ana")
        await coached(session, clock, other, ana)
        # By id, an outsider's athlete reads exactly like an id nobody has.
        with pytest.raises(NotFound) as outsider:
            await coach_view.athlete_snapshot(session, clock, coach.id, ana.id)
        with pytest.raises(NotFound) as nowhere:
            await coach_view.athlete_snapshot(session, clock, coach.id, 987654)
        assert outsider.value.message == nowhere.value.message
        with pytest.raises(NotFound):
            await coach_view.find_athlete(session, coach.id, "Ana")


async def test_names_match_without_case_or_accents_and_ambiguity_is_refused(db, clock):
    async with db.unit_of_work() as session:
        coach = await person(session, "Coach")
        for name in ("Chloé Martin", "Chris Doe", "Ben"):
            await coached(session, clock, coach, await person(session, name))
        assert (await coach_view.find_athlete(session, coach.id, "chloe")).name == "Chloé Martin"
        with pytest.raises(NotFound, match="several"):
            await coach_view.find_athlete(session, coach.id, "ch")
        with pytest.raises(InvalidInput):
            await coach_view.find_athlete(session, coach.id, "  ")
        athlete, text = await coach_view.split_athlete_name(
            session, coach.id, "chloé martin Great week"
        )
        assert (athlete.name, text) == ("Chloé Martin", "Great week")


async def test_a_comment_without_a_session_goes_to_the_next_workout(db, clock):
    async with db.unit_of_work() as session:
        coach = await person(session, "Coach")
        ana = await person(session, "Ana")
        await coached(session, clock, coach, ana)
        with pytest.raises(NotFound, match="no session"):
            await coach_view.comment_subject(session, clock, coach.id, ana)
        today = local_date(clock.now(), ana.timezone)
        await planning.create_workout(
            session, clock, coach.id, ana.id, today + timedelta(days=2), _spec("Later")
        )
        await planning.create_workout(session, clock, coach.id, ana.id, today, _spec("Today"))
        subject = await coach_view.comment_subject(session, clock, coach.id, ana)
    assert isinstance(subject, Workout), "no session yet: today's plan is it"
    assert subject.title == "Today"


def test_invitation_link_needs_a_bot_name_and_a_plain_code():
    assert coach_view.invitation_link(None, "ABCD2345") is None
    assert coach_view.invitation_link("", "ABCD2345") is None
    assert (
        coach_view.invitation_link("@TrainlyticsBot", "ABCD2345")
        == "https://t.me/TrainlyticsBot?start=ABCD2345"
    )
    with pytest.raises(InvalidInput):
        coach_view.invitation_link("TrainlyticsBot", "AB CD&x=1")
