"""How a workout or an activity reads in chat, in the person's language and units."""

from __future__ import annotations

from datetime import date

from bot.conversation.callbacks import Scope, cb
from bot.conversation.types import Button, Buttons, Reply, Subject, Text, bold, join_lines
from core.db.models import Activity, Workout
from core.enums import Units, WorkoutStatus
from core.planning.structure import describe
from core.words import format_number, say, sport_name

_KM_PER_MILE = 1.609344


def duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def distance(metres: float | None, units: str, locale: str = "en") -> str:
    """ "5.5 km" / "5,5 km": the decimal symbol of the person's language."""
    if not metres:
        return ""
    if units == Units.IMPERIAL:
        return f"{format_number(metres / 1000 / _KM_PER_MILE, locale, 1)} mi"
    if metres >= 1000:
        return f"{format_number(metres / 1000, locale, 1)} km"
    return f"{format_number(metres, locale)} m"


# Beyond about six months from today, "Fri 16 Aug" could be any year: say which.
YEAR_SHOWN_BEYOND_DAYS = 183


def day_label(day: date, locale: str, today: date | None = None) -> str:
    """ "Tue 10 Mar" / "mar. 10/03", with the year when `today` is given and `day` is more
    than six months away from it."""
    with_year = today is not None and abs((day - today).days) > YEAR_SHOWN_BEYOND_DAYS
    if locale == "fr":
        names = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
        label = f"{names[day.weekday()]} {day.day}/{day.month:02d}"
        return f"{label}/{day.year}" if with_year else label
    return day.strftime("%a %d %b %Y" if with_year else "%a %d %b")


def activity_summary(activity: Activity, locale: str, units: str, today: date | None = None) -> str:
    bits = [sport_name(locale, activity.sport)]
    bits += [
        x for x in (distance(activity.distance_m, units, locale), duration(activity.moving_s)) if x
    ]
    if activity.load is not None:
        bits.append(
            f"Load {activity.load:.0f}" if locale != "fr" else f"charge {activity.load:.0f}"
        )
    return f"{' · '.join(bits)} ({day_label(activity.local_date, locale, today)})"


def workout_text(workout: Workout, locale: str, units: str) -> Text:
    head = [bold(workout.title), f" · {sport_name(locale, workout.sport)}"]
    extent = [
        x
        for x in (
            duration(workout.planned_duration_s),
            distance(workout.planned_distance_m, units, locale),
        )
        if x
    ]
    if extent:
        head.append(f" · {' / '.join(extent)}")
    if workout.planned_load:
        head.append(
            f" · Load {workout.planned_load:.0f}"
            if locale != "fr"
            else f" · charge {workout.planned_load:.0f}"
        )
    lines: list[Text | str] = [Text.of(*head)]
    lines += [f"  • {line}" for line in describe(workout.structure or [])]
    if workout.description:
        lines.append(workout.description)
    status = {
        WorkoutStatus.COMPLETED: "status_completed",
        WorkoutStatus.SKIPPED: "status_skipped",
        WorkoutStatus.POSTPONED: "status_postponed",
    }.get(WorkoutStatus(workout.status))
    if status:
        line = say(locale, status)
        if workout.compliance_pct is not None:
            line += f" · {say(locale, 'compliance', pct=workout.compliance_pct)}"
        lines.append(line)
    return join_lines(lines)


def workout_buttons(workout: Workout, locale: str) -> Buttons | None:
    if workout.status != WorkoutStatus.PLANNED:
        return None
    return Buttons.of(
        [
            Button(say(locale, "btn_done"), cb(Scope.WORKOUT, "done", workout.id)),
            Button(say(locale, "btn_skip"), cb(Scope.WORKOUT, "skip", workout.id)),
            Button(say(locale, "btn_move"), cb(Scope.WORKOUT, "move", workout.id)),
        ]
    )


def workout_card(workout: Workout, locale: str, units: str, **options: object) -> Reply:
    """One message per workout, so each card's buttons act on it and it can be edited."""
    parts: list[Text | Buttons] = [workout_text(workout, locale, units)]
    buttons = workout_buttons(workout, locale)
    if buttons:
        parts.append(buttons)
    return Reply(parts=tuple(parts), stands_for=Subject(workout_id=workout.id), **options)  # type: ignore[arg-type]


def rpe_buttons(kind: str, subject_id: int) -> Buttons:
    return Buttons.of(
        [Button(str(n), cb(Scope.CHECKIN, "rpe", kind, subject_id, n)) for n in range(1, 6)],
        [Button(str(n), cb(Scope.CHECKIN, "rpe", kind, subject_id, n)) for n in range(6, 11)],
    )


def feel_buttons(kind: str, subject_id: int, locale: str) -> Buttons:
    return Buttons.of(
        [
            Button(say(locale, f"feel_{n}"), cb(Scope.CHECKIN, "feel", kind, subject_id, n))
            for n in range(1, 6)
        ]
    )


def pain_buttons(kind: str, subject_id: int, locale: str) -> Buttons:
    return Buttons.of(
        [
            Button(say(locale, "btn_nopain"), cb(Scope.CHECKIN, "nopain", kind, subject_id)),
            Button(say(locale, "btn_pain"), cb(Scope.CHECKIN, "pain", kind, subject_id)),
        ]
    )
