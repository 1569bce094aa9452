import io
from datetime import date

from sqlalchemy import select

from bot.console.sender import ConsoleSender
from core import comments, planning
from core.db.models import Notification
from core.delivery import ChatTarget, NotificationView, Person
from core.planning import WorkoutSpec
from tests.factories import coached, person


async def test_a_coach_comment_is_printed_as_the_athlete_would_read_it(db, clock):
    async with db.unit_of_work() as s:
        coach, ana = await person(s, "Claire"), await person(s, "Ana")
        ana.locale = "fr"
        await coached(s, clock, coach, ana)
        workout = await planning.create_workout(
            s, clock, coach.id, ana.id, date(2026, 3, 11), WorkoutSpec(sport="run", title="Tempo")
        )
        await comments.add_comment(s, clock, coach.id, "Reste régulière", workout_id=workout.id)
        row = await s.scalar(select(Notification).where(Notification.kind == "coach_comment"))
        view = NotificationView(
            notification_id=row.id,
            kind=row.kind,
            payload=row.payload,
            person=Person(ana.id, ana.name, ana.locale, ana.timezone),
            target=ChatTarget("console", "ana"),
            idempotency_key=row.idempotency_key,
        )
    out = io.StringIO()
    receipt = await ConsoleSender(db, out).send(ChatTarget("console", "ana"), view)
    printed = out.getvalue()
    assert printed.startswith("[to Ana @console:ana]")
    assert "Reste régulière" in printed and "Tempo" in printed
    assert "{" not in printed  # a rendered message, not a raw payload
    assert receipt.external_message_id
