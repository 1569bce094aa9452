"""Console deliveries reach the person's own `trainlytics chat`, not the server's terminal.

The server (or a worker) delivers with the console sender; the person's chat process
polls what waits for them. Both share only the database, as in `make run` and a second
terminal: each side here has its own Conversation and talks to the other through it.
"""

import asyncio
import io
import os
from datetime import date

from sqlalchemy import select

from bot.console.chat import ConsoleChat
from bot.console.sender import ConsoleSender
from bot.conversation import Conversation
from core.coaching import comments
from core.db.models import Comment, Notification
from core.enums import NotificationStatus
from core.outbox.delivery import deliver_due
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.factories import coached, person
from workers.ratelimit import MemoryTokenBuckets

DEADLINE_S = 30.0


async def _coach_comments(db, clock, body: str) -> int:
    async with db.unit_of_work() as s:
        coach, ana = await person(s, "Claire"), await person(s, "Ana")
        ana.onboarded = True
        await coached(s, clock, coach, ana)
        workout = await planning.create_workout(
            s, clock, coach.id, ana.id, date(2026, 3, 11), WorkoutSpec(sport="run", title="Tempo")
        )
        await comments.add_comment(s, clock, coach.id, body, workout_id=workout.id)
        return ana.id


async def _server_delivers(db, clock, capsys) -> None:
    await deliver_due(db, clock, {"console": ConsoleSender(db)}, MemoryTokenBuckets(), images={})
    assert "Keep it steady" not in capsys.readouterr().out  # not in the server's terminal


async def _until(check, what: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while not check():
        assert loop.time() < end, what
        await asyncio.sleep(0.02)


async def test_a_coach_comment_appears_in_the_open_chat_and_reply_can_be_pressed(
    db, clock, tmp_path, capsys
) -> None:
    ana_id = await _coach_comments(db, clock, "Keep it steady")
    out = io.StringIO()
    chat = ConsoleChat(Conversation(db, clock), "Ana", out, tmp_path)
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd) as keyboard, os.fdopen(write_fd, "w", buffering=1) as typing:
        live = asyncio.create_task(chat.run_live(keyboard, poll_s=0.05))
        await asyncio.sleep(0)  # the chat is open and waiting for a line
        await _server_delivers(db, clock, capsys)
        await _until(lambda: "Keep it steady" in out.getvalue(), out.getvalue())
        shown = out.getvalue()
        assert "Tempo" in shown and "[1] Reply" in shown

        typing.write("1\n")  # presses Reply on the delivered message
        await _until(lambda: "reply to Claire" in out.getvalue(), out.getvalue())
        typing.write("Will do!\n")
        await _until(lambda: "Reply sent." in out.getvalue(), out.getvalue())
        typing.write("/quit\n")
        await asyncio.wait_for(live, DEADLINE_S)

    async with db.unit_of_work() as s:
        answers = list(await s.scalars(select(Comment).where(Comment.author_id == ana_id)))
    assert [c.body for c in answers] == ["Will do!"]


async def test_a_notification_waits_until_a_chat_opens_and_shows_once(
    db, clock, tmp_path, capsys
) -> None:
    await _coach_comments(db, clock, "Keep it steady")
    await _server_delivers(db, clock, capsys)  # no chat open yet
    async with db.unit_of_work() as s:
        row = await s.scalar(select(Notification).where(Notification.kind == "coach_comment"))
        assert row is not None and row.status == NotificationStatus.SENT

    first, later = io.StringIO(), io.StringIO()
    await ConsoleChat(Conversation(db, clock), "Ana", first, tmp_path).run(["/help"])
    await ConsoleChat(Conversation(db, clock), "Ana", later, tmp_path).run(["/help"])
    assert first.getvalue().count("Keep it steady") == 1
    assert "Keep it steady" not in later.getvalue()
