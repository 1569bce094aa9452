"""The product's closed vocabularies. Stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ATHLETE = "athlete"
    COACH = "coach"
    BOTH = "both"


class Units(StrEnum):
    METRIC = "metric"
    IMPERIAL = "imperial"


class Platform(StrEnum):
    TELEGRAM = "telegram"
    SLACK = "slack"
    CONSOLE = "console"


class RelationshipStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    ENDED = "ended"


class Permission(StrEnum):
    VIEW_ACTIVITIES = "view_activities"
    VIEW_WELLNESS = "view_wellness"
    COMMENT = "comment"
    PLAN_WORKOUTS = "plan_workouts"
    EDIT_THRESHOLDS = "edit_thresholds"


DEFAULT_PERMISSIONS: dict[str, bool] = {
    Permission.VIEW_ACTIVITIES: True,
    Permission.VIEW_WELLNESS: True,
    Permission.COMMENT: True,
    Permission.PLAN_WORKOUTS: True,
    # Thresholds drive every load figure; an athlete opts in to a coach changing them.
    Permission.EDIT_THRESHOLDS: False,
}


class WorkoutStatus(StrEnum):
    PLANNED = "planned"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    POSTPONED = "postponed"


class ComplianceColor(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DIGEST = "digest"  # folded into the next digest instead of sent on its own
    FAILED = "failed"  # gave up (unreachable person, permanent error)


class DeliveryMode(StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"
    OFF = "off"


class NotificationKind(StrEnum):
    COACH_COMMENT = "coach_comment"
    ATHLETE_COMMENT = "athlete_comment"
    NEW_PLAN = "new_plan"
    WORKOUT_CHANGED = "workout_changed"
    WORKOUT_COMPLETED = "workout_completed"
    ACTIVITY_RECORDED = "activity_recorded"
    CHECK_IN = "check_in"
    REMINDER = "reminder"
    WEEKLY_SUMMARY = "weekly_summary"
    COACH_DIGEST = "coach_digest"
    DAILY_DIGEST = "daily_digest"  # the roll-up of rows a person chose to get as a digest
    SYNC_STATUS = "sync_status"
    RELATIONSHIP = "relationship"


class Provider(StrEnum):
    STRAVA = "strava"
    GARMIN = "garmin"
    POLAR = "polar"
    COROS = "coros"


class ActivitySource(StrEnum):
    """Where an activity row came from: a provider, a file sent in chat, or typed in."""

    STRAVA = "strava"
    GARMIN = "garmin"
    POLAR = "polar"
    COROS = "coros"
    FILE = "file"
    MANUAL = "manual"
