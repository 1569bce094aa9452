"""`trainlytics calendar-link`: an operator issues or switches off someone's calendar link."""

from __future__ import annotations

from core.calendar import links as calendar_service
from trainlytics.commands.calendar import _run
from trainlytics.container import build_container

from .conftest import make_settings
from .seed import seed


async def test_command_prints_working_links_and_revokes(db, clock, tmp_path, capsys) -> None:
    seeded = await seed(db, clock)
    settings = make_settings(tmp_path, public_url="https://t.example")
    assert (
        await _run(build_container(settings, clock=clock, db=db), seeded.athlete.id, revoke=False)
        == 0
    )
    out = capsys.readouterr().out
    assert "Calendar: https://t.example/calendar/" in out and ".ics" in out
    token = out.split("https://t.example/calendar/")[1].split()[0]
    async with db.unit_of_work() as s:
        owner = await calendar_service.resolve_token(s, clock, token)
        assert owner is not None and owner.id == seeded.athlete.id
        # The link the person had before no longer works.
        assert await calendar_service.resolve_token(s, clock, seeded.athlete_token) is None

    assert (
        await _run(build_container(settings, clock=clock, db=db), seeded.athlete.id, revoke=True)
        == 0
    )
    async with db.unit_of_work() as s:
        assert await calendar_service.resolve_token(s, clock, token) is None


async def test_command_names_an_unknown_person(db, clock, tmp_path, capsys) -> None:
    container = build_container(make_settings(tmp_path), clock=clock, db=db)
    assert await _run(container, 4242, revoke=False) == 1
    assert "does not exist" in capsys.readouterr().out
