"""What each kind of notification carries: one frozen type per `NotificationKind`.

Producers build one of these and hand it to `core.outbox.notifications.notify`; the row
stores it as JSON (`to_row`, without the kind, which has its own column). Readers turn a
row back into its type with `read_payload(kind, stored)`, which raises `PayloadInvalid`
when an old row no longer fits its kind's type: delivery then fails that row with the
reason instead of crashing on it.

Keys the producer did not set are not written (`exclude_unset`), so a row holds exactly
what its producer said; keys a type does not know (a sender's bookkeeping, e.g. the
Telegram sender's count of parts already sent) are ignored when read back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from core.enums import NotificationKind


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class PayloadBase(_Frozen):
    kind: NotificationKind

    def to_row(self) -> dict[str, Any]:
        """The JSON stored in `notifications.payload` (the kind lives in its own column)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"kind"})


# --- comments ---------------------------------------------------------------------------


class _Comment(PayloadBase):
    comment_id: int | None = None
    author_id: int | None = None
    author_name: str = ""
    athlete_id: int | None = None
    workout_id: int | None = None
    activity_id: int | None = None
    body: str = ""


class CoachCommentPayload(_Comment):
    """The coach wrote on one of the athlete's workouts or sessions (to the athlete)."""

    kind: Literal[NotificationKind.COACH_COMMENT] = NotificationKind.COACH_COMMENT


class AthleteCommentPayload(_Comment):
    """The athlete wrote on their own workout or session (to their coach)."""

    kind: Literal[NotificationKind.ATHLETE_COMMENT] = NotificationKind.ATHLETE_COMMENT


# --- planning ---------------------------------------------------------------------------


class NewPlanPayload(PayloadBase):
    """A single workout planned for the athlete (`workout_id`), or a whole plan assigned
    (`plan_id`, with its name, first day and number of workouts)."""

    kind: Literal[NotificationKind.NEW_PLAN] = NotificationKind.NEW_PLAN
    workout_id: int | None = None
    date: dt.date | None = None
    title: str | None = None
    coach_name: str | None = None
    plan_id: int | None = None
    name: str = ""
    start: dt.date | None = None
    workout_count: int = 0


class WorkoutChangedPayload(PayloadBase):
    """A workout moved (`from`/`to`), rescaled (`scaled_pct`) or skipped (`skipped`)."""

    kind: Literal[NotificationKind.WORKOUT_CHANGED] = NotificationKind.WORKOUT_CHANGED
    workout_id: int | None = None
    athlete_id: int | None = None
    title: str | None = None
    moved_from: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    scaled_pct: int | None = None
    skipped: bool = False
    reason: str | None = None


class WorkoutCompletedPayload(PayloadBase):
    kind: Literal[NotificationKind.WORKOUT_COMPLETED] = NotificationKind.WORKOUT_COMPLETED
    workout_id: int | None = None
    athlete_id: int | None = None
    title: str | None = None


# --- activities -------------------------------------------------------------------------


class WorkoutSummary(_Frozen):
    """The planned workout a session matched, as the coach sees it next to the session."""

    id: int
    title: str = ""
    compliance_pct: float | None = None
    compliance_color: str | None = None


class ActivityRecordedPayload(PayloadBase):
    """The numbers a coach sees when a session lands (no wording: the door phrases it)."""

    kind: Literal[NotificationKind.ACTIVITY_RECORDED] = NotificationKind.ACTIVITY_RECORDED
    activity_id: int | None = None
    athlete_id: int | None = None
    name: str | None = None
    sport: str = ""
    local_date: dt.date | None = None
    start_utc: dt.datetime | None = None
    moving_s: float | None = None
    elapsed_s: float | None = None
    distance_m: float | None = None
    load: float | None = None
    load_source: str | None = None
    intensity: float | None = None
    avg_hr: float | None = None
    avg_power: float | None = None
    weighted_power: float | None = None
    workout: WorkoutSummary | None = None


class CheckInPayload(PayloadBase):
    """Either the athlete's own check-in card (`asks` set: the questions to answer), or
    the athlete's answers echoed to their coach (`rpe`, `feel`, `pain`, `pain_note`)."""

    kind: Literal[NotificationKind.CHECK_IN] = NotificationKind.CHECK_IN
    athlete_id: int | None = None
    activity_id: int | None = None
    workout_id: int | None = None
    title: str | None = None
    name: str | None = None
    sport: str | None = None
    local_date: dt.date | None = None
    asks: tuple[str, ...] | None = None
    workout: WorkoutSummary | None = None
    rpe: int | None = None
    feel: int | None = None
    pain: bool | None = None
    pain_note: str | None = None

    @property
    def is_card(self) -> bool:
        """The athlete's own card (questions to answer), not answers echoed to a coach."""
        return self.asks is not None


# --- scheduled messages -----------------------------------------------------------------


class ReminderWorkout(_Frozen):
    id: int
    title: str = ""
    sport: str | None = None
    description: str | None = None
    planned_duration_s: float | None = None
    planned_distance_m: float | None = None
    key_workout: bool = False


class ReminderPayload(PayloadBase):
    """The day's planned workouts (`workouts`, reloaded at delivery so their status is
    current), or a reminder of one workout (`workout_id`)."""

    kind: Literal[NotificationKind.REMINDER] = NotificationKind.REMINDER
    slot: Literal["morning", "evening"] | None = None
    date: dt.date | None = None
    workouts: tuple[ReminderWorkout, ...] = ()
    workout_id: int | None = None


class WeeklySummaryPayload(PayloadBase):
    """One Monday-Sunday week of an athlete; `chart="load"` adds the load chart at delivery."""

    kind: Literal[NotificationKind.WEEKLY_SUMMARY] = NotificationKind.WEEKLY_SUMMARY
    week_start: dt.date | None = None
    week_end: dt.date | None = None
    activities: int = 0
    moving_s: float = 0
    distance_m: float = 0
    load: float = 0
    planned_workouts: int = 0
    completed_workouts: int = 0
    compliance_pct: float | None = None
    fitness: float | None = None
    fatigue: float | None = None
    form: float | None = None
    chart: Literal["load"] | None = None


AttentionKind = Literal["missed_key_workout", "pain", "low_form", "no_sync", "low_compliance"]


class AttentionReason(_Frozen):
    """One reason an athlete needs the coach's attention (core.schedules.attention)."""

    reason: str
    workout_id: int | None = None
    title: str = ""
    date: dt.date | None = None
    notes: tuple[str, ...] = ()
    form: float | None = None
    days: int | None = None
    compliance_pct: float | None = None


class AttentionEntry(_Frozen):
    athlete_id: int | None = None
    name: str = ""
    reasons: tuple[AttentionReason, ...] = ()


class CoachDigestPayload(PayloadBase):
    kind: Literal[NotificationKind.COACH_DIGEST] = NotificationKind.COACH_DIGEST
    date: dt.date
    athletes: tuple[AttentionEntry, ...] = ()


class DigestItem(_Frozen):
    """One row folded into a daily digest: its kind and what it carried."""

    id: int
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict)


class DailyDigestPayload(PayloadBase):
    """The roll-up of rows a person chose to receive as a daily digest."""

    kind: Literal[NotificationKind.DAILY_DIGEST] = NotificationKind.DAILY_DIGEST
    date: dt.date
    items: tuple[DigestItem, ...] = ()


# --- accounts and relationships ---------------------------------------------------------


class SyncStatusPayload(PayloadBase):
    """News of a provider account or of a session it brought, one of:

    - backfill progress (`progress_of`, `generation`, `done`/`total`/`finished`,
      `requested`), successive figures of one chat message;
    - `delayed` (the provider is slow; retried at `retry_at`), `revoked` (the grant was
      withdrawn), `data_deleted` (the provider asked us to delete its data);
    - `transfer` (an account changing hands: "ask", "kept", "given", ...);
    - `activity_changed` (a session shown earlier was updated, deleted or hidden).
    """

    kind: Literal[NotificationKind.SYNC_STATUS] = NotificationKind.SYNC_STATUS
    provider: str = ""
    message: str | None = None
    # backfill progress
    progress_of: int | None = None
    generation: str = ""
    done: int | None = None
    total: int | None = None
    finished: bool = False
    requested: bool = False
    # account events
    delayed: bool = False
    retry_at: dt.datetime | None = None
    revoked: bool = False
    reason: str | None = None
    data_deleted: int | None = None
    reconnect_command: str | None = None
    # account transfers
    transfer: str | None = None
    transfer_id: int | None = None
    other: str = ""
    # a session changed after it was shown
    activity_changed: int | None = None
    change: str | None = None
    athlete_id: int | None = None
    name: str | None = None
    sport: str | None = None
    local_date: dt.date | None = None


class RelationshipPayload(PayloadBase):
    kind: Literal[NotificationKind.RELATIONSHIP] = NotificationKind.RELATIONSHIP
    event: str = ""
    athlete_id: int | None = None
    message: str | None = None


NotificationPayload = Annotated[
    CoachCommentPayload
    | AthleteCommentPayload
    | NewPlanPayload
    | WorkoutChangedPayload
    | WorkoutCompletedPayload
    | ActivityRecordedPayload
    | CheckInPayload
    | ReminderPayload
    | WeeklySummaryPayload
    | CoachDigestPayload
    | DailyDigestPayload
    | SyncStatusPayload
    | RelationshipPayload,
    Field(discriminator="kind"),
]

_ADAPTER: TypeAdapter[NotificationPayload] = TypeAdapter(NotificationPayload)


class PayloadInvalid(ValueError):
    """A stored row that no longer fits its kind's payload type (an old or broken row)."""


def read_payload(kind: str, stored: Mapping[str, Any] | None) -> NotificationPayload:
    """The typed payload of a row of `kind` holding `stored`, or PayloadInvalid saying why."""
    try:
        return _ADAPTER.validate_python({**(stored or {}), "kind": kind})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'kind'}: {e['msg']}" for e in exc.errors()
        )
        message = f"payload of a {kind!r} notification is not valid: {problems}"
        raise PayloadInvalid(message) from exc


__all__ = [
    "ActivityRecordedPayload",
    "AthleteCommentPayload",
    "AttentionEntry",
    "AttentionKind",
    "AttentionReason",
    "CheckInPayload",
    "CoachCommentPayload",
    "CoachDigestPayload",
    "DailyDigestPayload",
    "DigestItem",
    "NewPlanPayload",
    "NotificationPayload",
    "PayloadBase",
    "PayloadInvalid",
    "RelationshipPayload",
    "ReminderPayload",
    "ReminderWorkout",
    "SyncStatusPayload",
    "WeeklySummaryPayload",
    "WorkoutChangedPayload",
    "WorkoutCompletedPayload",
    "WorkoutSummary",
    "read_payload",
]
