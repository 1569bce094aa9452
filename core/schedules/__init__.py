"""Scheduled messages: when they fire for each person (timing, store) and what they say
(reminders, weekly, attention), written by the quarter-hourly fan-out (fan_out).

The public names are gathered here so that a caller can write `schedules.fan_out(...)`.
The schedules depend on the outbox (they write rows into it); the outbox never imports
the schedules.
"""

from core.schedules.attention import (
    FORM_ALERT_BELOW,
    LOOKBACK_DAYS,
    LOW_COMPLIANCE_PCT,
    NO_SYNC_DAYS,
    attention_reasons,
    coach_attention,
    write_coach_digest,
)
from core.schedules.fan_out import FanOutResult, fan_out
from core.schedules.reminders import write_reminder
from core.schedules.store import ReconcileResult, ScheduleStore, reconcile, reconcile_all
from core.schedules.timing import (
    COACH_DIGEST_AT,
    DAILY_DIGEST_AT,
    FAN_OUT_WINDOW,
    WEEKLY_SUMMARY_AT,
    ReminderSettings,
    ReminderSlot,
    ScheduleSpec,
    cron_at,
    local_slot_reached,
    next_fire,
    reminder_specs,
)
from core.schedules.weekly import week_numbers, write_weekly_summary

__all__ = [
    "COACH_DIGEST_AT",
    "DAILY_DIGEST_AT",
    "FAN_OUT_WINDOW",
    "FORM_ALERT_BELOW",
    "LOOKBACK_DAYS",
    "LOW_COMPLIANCE_PCT",
    "NO_SYNC_DAYS",
    "WEEKLY_SUMMARY_AT",
    "FanOutResult",
    "ReconcileResult",
    "ReminderSettings",
    "ReminderSlot",
    "ScheduleSpec",
    "ScheduleStore",
    "attention_reasons",
    "coach_attention",
    "cron_at",
    "fan_out",
    "local_slot_reached",
    "next_fire",
    "reconcile",
    "reconcile_all",
    "reminder_specs",
    "week_numbers",
    "write_coach_digest",
    "write_reminder",
    "write_weekly_summary",
]
