"""Only what is expensive is limited, and a refusal says when to retry (issue 13.20)."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.conversation.types import IncomingFile, RequestKind
from tests.bot.conversation.test_conversations import FIXTURES, Chat, onboard

RUN = (FIXTURES / "running_short_fenix5.fit").read_bytes()


@pytest.fixture
def conversation(db, clock) -> Conversation:
    return Conversation(db, clock)


async def _send_file(chat: Chat) -> str:
    async def fetch() -> bytes:
        return RUN

    await chat.request(kind=RequestKind.FILE, file=IncomingFile("run.fit", len(RUN), fetch))
    return chat.text


async def test_race_is_never_limited(conversation):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    for _ in range(8):
        await ana.send("/race 2026-04-12")
        assert "try again in" not in ana.text and "12 Apr 2026" in ana.text


async def test_files_sent_one_after_another_are_all_imported(conversation):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    answers = [await _send_file(ana) for _ in range(6)]
    assert "Imported" in answers[0]
    assert all("again in" not in a for a in answers)
    assert all("Already had this one" in a for a in answers[1:])


async def test_a_flood_of_files_is_told_when_to_send_again(conversation, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    for _ in range(10):
        await _send_file(ana)
    refused = await _send_file(ana)
    assert "send this one again in 3 s. Nothing was stored from it." in refused


async def test_charts_say_how_long_to_wait(conversation):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    for _ in range(3):
        await ana.send("/fitness")
        assert "try again" not in ana.text
    await ana.send("/fitness")
    assert "Your charts take a moment to draw: try again in 20 s." in ana.text
    zoe = Chat(conversation, "Zoé", language="fr")
    await onboard(zoe)
    for _ in range(4):
        await zoe.send("/fitness")
    assert "réessayez dans 20 s" in zoe.text
