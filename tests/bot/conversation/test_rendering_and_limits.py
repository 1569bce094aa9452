"""Every outbox kind reads well in English and French; button data and pages fit limits."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.callbacks import CATALOGUE, MAX_BYTES, Callback, InvalidCallback, Scope, cb
from bot.conversation.notifications import NotificationView, render_notification
from bot.conversation.types import Button, Reply, Span, Style, Text, bold, split_for_limit
from core.db.models import Workout
from core.enums import NotificationKind
from core.outbox.payloads import read_payload

BIG = 10**18 - 1  # the largest id a callback argument takes (18 digits)

PAYLOADS: dict[str, list[dict]] = {
    NotificationKind.COACH_COMMENT: [{"author_name": "Claire", "body": "Easy today"}],
    NotificationKind.ATHLETE_COMMENT: [{"author_name": "Ana", "body": "Legs heavy"}],
    NotificationKind.NEW_PLAN: [
        {"plan_id": 3, "name": "Marathon build", "start": "2026-03-09", "workouts": 24},
        {"coach_name": "Claire"},
    ],
    NotificationKind.WORKOUT_CHANGED: [
        {"to": "2026-03-12", "title": "Tempo"},
        {"skipped": True, "title": "Tempo", "reason": "sick"},
    ],
    NotificationKind.WORKOUT_COMPLETED: [{"title": "Tempo"}],
    NotificationKind.ACTIVITY_RECORDED: [{"activity_id": None}],
    NotificationKind.CHECK_IN: [{"rpe": 7, "feel": 2, "pain": True, "pain_note": "knee"}],
    NotificationKind.REMINDER: [{"slot": "evening", "date": "2026-03-11", "workouts": []}],
    NotificationKind.WEEKLY_SUMMARY: [
        {
            "week_start": "2026-03-02",
            "week_end": "2026-03-08",
            "activities": 5,
            "moving_s": 18000,
            "distance_m": 62000,
            "load": 410.5,
            "planned_workouts": 6,
            "completed_workouts": 5,
            "compliance_pct": 88,
            "fitness": 52.3,
            "fatigue": 61.0,
            "form": -8.7,
            "chart": "load",
        }
    ],
    NotificationKind.COACH_DIGEST: [
        {
            "date": "2026-03-10",
            "athletes": [
                {
                    "athlete_id": 1,
                    "name": "Ana",
                    "reasons": [
                        {"reason": "missed_key_workout", "title": "Long run", "date": "2026-03-08"},
                        {"reason": "pain", "notes": ["left knee"]},
                        {"reason": "low_form", "form": -34.2},
                        {"reason": "no_sync", "days": 4},
                        {"reason": "low_compliance", "compliance_pct": 40},
                    ],
                },
                {"athlete_id": 2, "name": "Bob", "reasons": [{"reason": "no_sync", "days": None}]},
            ],
        }
    ],
    NotificationKind.SYNC_STATUS: [
        {"progress_of": 1, "generation": "g", "provider": "strava", "done": 37, "total": 112},
        {"provider": "strava", "done": 112, "total": 112, "finished": True},
        {"provider": "garmin", "revoked": True, "reason": "x", "reconnect_command": "/connect"},
        {"provider": "polar", "delayed": True, "retry_at": "2026-03-10T10:00:00+00:00"},
        {
            "activity_changed": 5,
            "change": "deleted",
            "name": "Morning run",
            "sport": "run",
            "local_date": "2026-03-09",
        },
    ],
    NotificationKind.RELATIONSHIP: [{"event": "joined", "athlete_id": 1}],
    NotificationKind.DAILY_DIGEST: [
        {
            "date": "2026-03-10",
            "items": [
                {"kind": "coach_comment", "payload": {}, "id": 1},
                {"kind": "coach_comment", "payload": {}, "id": 2},
                {"kind": "new_plan", "payload": {}, "id": 3},
            ],
        }
    ],
}

# Sentences that must appear, so a generic fallback cannot pass for a real rendering.
EXPECTED = {
    ("en", NotificationKind.SYNC_STATUS, 0): "imported 37 of 112 activities",
    ("fr", NotificationKind.SYNC_STATUS, 0): "37 activités importées sur 112",
    ("en", NotificationKind.WEEKLY_SUMMARY, 0): "5 sessions",
    ("fr", NotificationKind.WEEKLY_SUMMARY, 0): "5 séances",
    ("en", NotificationKind.COACH_DIGEST, 0): "missed key workout “Long run”",
    ("fr", NotificationKind.COACH_DIGEST, 0): "séance clé manquée « Long run »",
    ("en", NotificationKind.NEW_PLAN, 0): "Marathon build",
    ("en", NotificationKind.RELATIONSHIP, 0): "joined you",
    ("fr", NotificationKind.RELATIONSHIP, 0): "vous a rejoint",
    ("en", NotificationKind.DAILY_DIGEST, 0): "Coach comments: 2",
    ("fr", NotificationKind.DAILY_DIGEST, 0): "Nouveaux plans : 1",
}


def _view(kind: str, payload: dict, locale: str, **extra) -> NotificationView:
    return NotificationView(
        payload=read_payload(kind, payload),
        locale=locale,
        units="metric",
        athlete_name="Ana",
        **extra,
    )


def _packed(buttons: list[Button]) -> list[str | None]:
    """Each button's callback data; None for a link, which no expected list holds."""
    return [b.callback.pack() if b.callback is not None else None for b in buttons]


def _check_fits(reply: Reply) -> None:
    for page in reply.pages():
        for text in page.texts:
            assert len(text.plain) <= 4096
        for button in page.buttons:
            if button.callback is not None:
                assert len(button.callback.pack().encode()) <= MAX_BYTES


def test_every_notification_kind_has_payload_examples():
    assert set(PAYLOADS) == set(NotificationKind)


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_renders_a_sentence_in_both_languages(kind, locale):
    for index, payload in enumerate(PAYLOADS[kind]):
        reply = render_notification(_view(kind, payload, locale))
        text = reply.plain
        assert text.strip() and kind.value not in text, (kind, text)
        assert "{" not in text and "None" not in text, text
        if (locale, kind, index) in EXPECTED:
            assert EXPECTED[(locale, kind, index)] in text
        _check_fits(reply)


def test_french_and_english_differ_for_every_kind():
    for kind in NotificationKind:
        payload = PAYLOADS[kind][0]
        en = render_notification(_view(kind, payload, "en")).plain
        fr = render_notification(_view(kind, payload, "fr")).plain
        if kind not in (NotificationKind.COACH_COMMENT, NotificationKind.ATHLETE_COMMENT):
            assert en != fr, kind


def test_weekly_summary_carries_the_chart_image():
    reply = render_notification(
        _view(
            NotificationKind.WEEKLY_SUMMARY,
            PAYLOADS["weekly_summary"][0],
            "en",
            chart_png=b"\x89PNG fake",
        )
    )
    assert [i.png for i in reply.images] == [b"\x89PNG fake"]
    assert reply.images[0].filename == "load-2026-03-08.png"
    assert "Fitness 52" in reply.plain and "Form -9" in reply.plain


def test_reminder_with_one_workout_is_its_card_and_many_get_a_row_each():
    def workout(i: int, title: str) -> Workout:
        return Workout(
            id=i,
            athlete_id=1,
            sport="run",
            title=title,
            scheduled_date=date(2026, 3, 11),
            structure=[],
            status="planned",
            description="",
        )

    payload = {"slot": "morning", "date": "2026-03-11", "workouts": [{"id": 1}]}
    one = render_notification(
        _view(NotificationKind.REMINDER, payload, "fr", workouts=(workout(1, "Fartlek"),))
    )
    assert "Prévu aujourd'hui" in one.plain and "Fartlek" in one.plain
    assert one.stands_for is not None and one.stands_for.workout_id == 1
    assert _packed(one.buttons) == ["wk:done:1", "wk:skip:1", "wk:move:1"]
    many = render_notification(
        _view(
            NotificationKind.REMINDER,
            {**payload, "slot": "evening"},
            "en",
            workouts=(workout(BIG, "Swim " * 40), workout(2, "Gym")),
        )
    )
    assert "tomorrow" in many.plain and "Gym" in many.plain
    assert set(_packed(many.buttons)) >= {f"wk:done:{BIG}", "wk:skip:2"}
    _check_fits(many)


# --- callbacks ------------------------------------------------------------------------

_TOKEN_ARGS = {"s": "Etc/GMT+12", "i": str(-BIG)}


@pytest.mark.parametrize(("scope", "action"), sorted(CATALOGUE))
def test_every_button_round_trips_within_64_bytes_with_the_largest_arguments(scope, action):
    args = [_TOKEN_ARGS[k] for k in CATALOGUE[(scope, action)]]
    packed = Callback(scope, action, tuple(args)).pack()
    assert len(packed.encode()) <= MAX_BYTES
    assert Callback.parse(packed) == Callback(scope, action, tuple(args))


def test_typed_builder_packs_and_reads_back():
    data = cb(Scope.CHECKIN, "rpe", "w", BIG, 10).pack()
    assert data == f"ci:rpe:w:{BIG}:10"
    parsed = Callback.parse(data)
    assert (parsed.str_arg(0), parsed.int_arg(1), parsed.int_arg(2)) == ("w", BIG, 10)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "wk",
        "wk:explode:1",  # unknown action
        "zz:done:1",  # unknown scope
        "wk:done",  # missing argument
        "wk:done:1:2",  # extra argument
        "wk:done:abc",  # not an integer
        "wk:done:1234567890123456789",  # 19 digits: beyond any id we issue
        "st:tz:Europe/Paris;rm -rf",  # characters no token has
        "st:tz:" + "A" * 41,
        "x" * 65,
    ],
)
def test_forged_or_stale_button_data_is_refused(data):
    with pytest.raises(InvalidCallback):
        Callback.parse(data)


@given(st.text(max_size=80))
def test_arbitrary_data_parses_to_a_catalogued_button_or_is_refused(data):
    try:
        parsed = Callback.parse(data)
    except InvalidCallback:
        return
    assert (parsed.scope, parsed.action) in CATALOGUE and parsed.pack() == data


# --- split_for_limit ------------------------------------------------------------------

_spans = st.lists(
    st.builds(
        Span,
        st.text(alphabet=st.sampled_from("ab cd\n\n<é"), min_size=1, max_size=60),
        st.sampled_from([Style.PLAIN, Style.BOLD, Style.ITALIC, Style.CODE]),
    ),
    max_size=30,
)


@given(_spans, st.integers(min_value=16, max_value=120))
def test_pieces_never_exceed_the_limit_and_keep_each_characters_style(spans, limit):
    text = Text(tuple(spans))
    pieces = split_for_limit(text, limit)
    assert all(len(p.plain) <= limit for p in pieces)

    # Every non-space character keeps its style, in order: nothing lost, nothing restyled.
    def styled(t: Text) -> list[tuple[str, Style]]:
        return [(c, s.style) for s in t.spans for c in s.text if not c.isspace()]

    assert [x for p in pieces for x in styled(p)] == styled(text)


def test_a_bold_paragraph_cut_in_two_stays_bold_on_both_pages():
    text = Text.of("Intro\n\n", bold("word " * 30), "\n\nEnd")
    pieces = split_for_limit(text, 60)
    bold_pieces = [p for p in pieces if any(s.style is Style.BOLD for s in p.spans)]
    assert len(bold_pieces) >= 2
    for piece in bold_pieces:
        assert all(s.style is Style.BOLD for s in piece.spans if s.text.strip())


def test_a_single_long_line_is_cut_on_spaces_then_inside_a_word():
    words = Text.of("lorem " * 2000)
    pieces = split_for_limit(words, 4096)
    assert len(pieces) == 3 and all(len(p.plain) <= 4096 for p in pieces)
    assert all(not p.plain.startswith(" ") and "lorem" in p.plain for p in pieces)
    blob = split_for_limit(Text.of("x" * 10_000), 4096)
    assert [len(p.plain) for p in blob] == [4096, 4096, 1808]


def test_reply_pages_keep_buttons_on_the_last_page():
    reply = Reply.of("line\n" * 2000, render_notification(_view("reminder", {}, "en")).parts[0])
    pages = reply.pages()
    assert len(pages) >= 2 and all(len(t.plain) <= 4096 for p in pages for t in p.texts)


def test_reminder_time_constants_are_local_wall_clock_times():
    from core.people.preferences import REMINDER_CHOICES

    assert REMINDER_CHOICES["evening"] == (time(19), time(20), time(21))
    assert REMINDER_CHOICES["morning"] == (time(6), time(7), time(8))
