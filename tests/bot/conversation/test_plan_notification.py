"""A plan assigned from a template reaches the athlete as one readable message."""

from datetime import date

from sqlalchemy import select

from bot.conversation.markup import to_plain
from bot.conversation.notifications import build_notification_view, render_notification
from core.db.models import Notification
from core.planning import workouts as planning
from core.planning.workouts import TemplateEntry, WorkoutSpec
from tests.factories import coached, person


async def test_an_assigned_template_is_announced_with_its_name_and_size(db, clock):
    async with db.unit_of_work() as s:
        coach, ana = await person(s, "Claire"), await person(s, "Ana")
        await coached(s, clock, coach, ana)
        template = await planning.create_template(
            s,
            coach.id,
            "Base block",
            1,
            [
                TemplateEntry(
                    0, 0, WorkoutSpec(sport="ride", title="Endurance", planned_duration_s=3600)
                ),
                TemplateEntry(
                    0, 2, WorkoutSpec(sport="run", title="Easy run", planned_duration_s=2400)
                ),
            ],
        )
        await planning.assign_template(s, clock, coach.id, template.id, ana.id, date(2026, 3, 16))
        row = await s.scalar(
            select(Notification).where(
                Notification.recipient_id == ana.id, Notification.kind == "new_plan"
            )
        )
        reply = render_notification(await build_notification_view(s, row, clock=clock))
    text = "\n".join(to_plain(t) for t in reply.texts)
    assert "Base block" in text and "2" in text
