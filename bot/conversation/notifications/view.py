"""An outbox row with what it refers to loaded: what a renderer reads.

`build_notification_view` reads the row's payload back as its kind's type
(core.outbox.payloads; `PayloadInvalid` when an old row no longer fits) and loads the
workout, session, people and plan it names, so that renderers stay pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.charts import weekly_load_chart
from core.clock import Clock, SystemClock
from core.db.models import Activity, Notification, TrainingPlan, User, Workout
from core.enums import NotificationKind
from core.outbox.payloads import (
    NotificationPayload,
    ReminderPayload,
    SyncStatusPayload,
    WeeklySummaryPayload,
    read_payload,
)


@dataclass(frozen=True)
class NotificationView:
    payload: NotificationPayload
    locale: str
    units: str
    workout: Workout | None = None
    activity: Activity | None = None
    athlete_name: str | None = None
    # Workouts a reminder lists (payload "workouts"), reloaded so their status is current.
    workouts: tuple[Workout, ...] = ()
    # The weekly summary's load chart (PNG), rendered when the view is built.
    chart_png: bytes | None = None
    # Who planned the workout of a NEW_PLAN message, when the payload does not say.
    planner_name: str | None = None
    # Whether the recipient is the athlete the notice is about (a coach reads the
    # athlete's name where the athlete reads "your coach").
    for_athlete: bool = False
    # The coach who assigned a plan (NEW_PLAN with a plan_id).
    plan_coach_name: str | None = None

    @property
    def kind(self) -> NotificationKind:
        return self.payload.kind


def _ref(payload: NotificationPayload, name: str) -> int | None:
    """An id the payload names, whichever kind it is (not every kind has every id)."""
    value = getattr(payload, name, None)
    return value if isinstance(value, int) and value else None


async def build_notification_view(
    session: AsyncSession,
    notification: Notification,
    *,
    clock: Clock | None = None,
    chart_png: bytes | None = None,
) -> NotificationView:
    """Load what the row refers to. A weekly summary gets its load chart: `chart_png`
    when the caller already rendered it (the delivery's image renderer), otherwise drawn
    here as of `clock` (the system clock by default)."""
    recipient = await session.get_one(User, notification.recipient_id)
    payload = read_payload(notification.kind, notification.payload)
    workout_id = _ref(payload, "workout_id")
    workout = await session.get(Workout, workout_id) if workout_id else None
    changed = payload.activity_changed if isinstance(payload, SyncStatusPayload) else None
    activity_id = _ref(payload, "activity_id") or changed
    activity = await session.get(Activity, activity_id) if activity_id else None
    # Who the notice is about: named in the payload, else the workout's or session's owner.
    athlete_id = _ref(payload, "athlete_id") or (
        workout.athlete_id if workout else activity.user_id if activity else None
    )
    athlete = await session.get(User, athlete_id) if athlete_id else None
    plan_id = _ref(payload, "plan_id")
    plan = await session.get(TrainingPlan, plan_id) if plan_id else None
    plan_coach = await session.get(User, plan.coach_id) if plan and plan.coach_id else None
    listed = [w.id for w in payload.workouts] if isinstance(payload, ReminderPayload) else []
    workouts = tuple(w for w in [await session.get(Workout, i) for i in listed if i] if w)
    planner = (
        await session.get(User, workout.created_by_id)
        if workout is not None and workout.created_by_id
        else None
    )
    if chart_png is None and isinstance(payload, WeeklySummaryPayload) and payload.chart == "load":
        chart_png = await weekly_load_chart(session, clock or SystemClock(), recipient)
    return NotificationView(
        payload=payload,
        locale=recipient.locale,
        units=recipient.units,
        workout=workout,
        activity=activity,
        athlete_name=athlete.name if athlete else None,
        workouts=workouts,
        chart_png=chart_png,
        planner_name=planner.name if planner else None,
        for_athlete=athlete is not None and athlete.id == recipient.id,
        plan_coach_name=plan_coach.name if plan_coach else None,
    )
