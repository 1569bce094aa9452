"""The console adapter driven by piped lines, as `trainlytics chat` is."""

from __future__ import annotations

import io
from pathlib import Path

from bot.console.chat import ConsoleChat
from bot.conversation import Conversation

FIXTURES = Path(__file__).parents[2] / "fixtures" / "activities"


async def test_piped_onboarding_and_log(db, clock, tmp_path):
    out = io.StringIO()
    chat = ConsoleChat(Conversation(db, clock), "Ana", out, tmp_path)
    await chat.run(
        [
            "/start",
            "1",
            "Paris",
            "1",  # metric
            "1",  # skip FTP
            "2",  # skip the other thresholds
            "/log swim 2000m 45min",
            "1",
            f"/file {FIXTURES / 'cycling_power_indoor_trainer.fit'}",
        ]
    )
    text = out.getvalue()
    assert "[1] Athlete" in text
    assert "Timezone set to Europe/Paris" in text
    assert "All set" in text
    assert "Recorded" in text
    assert "Imported" in text


async def test_chart_image_is_saved_to_a_file(db, clock, tmp_path):
    out = io.StringIO()
    chat = ConsoleChat(Conversation(db, clock), "Ana", out, tmp_path)
    await chat.run(["/log run 40 min rpe 5", "1", "/fitness"])
    saved = list(tmp_path.glob("*.png"))
    assert len(saved) == 1 and saved[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(saved[0]) in out.getvalue()
