"""The timezone question answered with a shared or typed location, or a place name
(issue 13.10): real zone boundaries, so daylight saving follows the person."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bot.console.chat import ConsoleChat
from bot.conversation import Conversation
from bot.conversation.types import GeoPoint, LocationAsk, RequestKind
from core.db.models import User
from tests.bot.conversation.test_conversations import Chat

# (latitude, longitude, the zone a person there lives in, the place the reply names)
PLACES = [
    (33.749, -84.388, "America/New_York", "Atlanta"),
    (25.774, -80.194, "America/New_York", "Miami"),
    (32.783, -96.807, "America/Chicago", "Dallas"),
    (29.763, -95.363, "America/Chicago", "Houston"),
    (50.450, 30.523, "Europe/Kyiv", "Kyiv"),
    (53.900, 27.567, "Europe/Minsk", "Minsk"),
    (64.135, -21.895, "Atlantic/Reykjavik", "Reykjavík"),
    (51.045, -114.072, "America/Edmonton", "Calgary"),
    (-34.929, 138.601, "Australia/Adelaide", "Adelaide"),
    (-27.470, 153.025, "Australia/Brisbane", "Brisbane"),
    (24.861, 67.010, "Asia/Karachi", "Karachi"),
    (45.899, 6.129, "Europe/Paris", "Annecy"),  # France, 35 km from Geneva
]


@pytest.fixture
def conversation(db, clock) -> Conversation:
    return Conversation(db, clock)


async def _at_timezone_question(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Athlete")
    asks = [p for r in chat.last for p in r.parts if isinstance(p, LocationAsk)]
    assert [a.label for a in asks] == ["📍 Share my location"]


async def _zone(db, name: str) -> str:
    async with db.unit_of_work() as session:
        return (await session.scalar(select(User).where(User.name == name))).timezone


@pytest.mark.parametrize(("lat", "lon", "zone", "near"), PLACES)
async def test_a_shared_location_gets_the_zone_of_its_place(conversation, db, lat, lon, zone, near):
    ana = Chat(conversation, "Ana")
    await _at_timezone_question(ana)
    await ana.request(kind=RequestKind.LOCATION, location=GeoPoint(lat, lon))
    assert f"Near {near}: timezone set to {zone}." in ana.text
    assert "Metric (km) or imperial (miles)?" in ana.text
    assert await _zone(db, "Ana") == zone


async def test_at_sea_the_nautical_zone_is_used_and_said(conversation, db):
    ana = Chat(conversation, "Ana")
    await _at_timezone_question(ana)
    await ana.send("0.5, -30.2")  # typed as lat,lon: the mid-Atlantic
    assert "Timezone set to Etc/GMT+2 from your location." in ana.text
    assert await _zone(db, "Ana") == "Etc/GMT+2"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Atlanta", "America/New_York"),
        ("Kiev", "Europe/Kyiv"),
        ("reykjavik", "Atlantic/Reykjavik"),
        ("Londres", "Europe/London"),
        ("Genève", "Europe/Zurich"),
        ("Canberra", "Australia/Sydney"),
        ("Ouagadougou", "Africa/Ouagadougou"),
        ("Lyon", "Europe/Paris"),
        ("UTC+5", "Etc/GMT-5"),
    ],
)
async def test_typed_place_names_and_capitals(conversation, db, typed, zone):
    ana = Chat(conversation, "Ana")
    await _at_timezone_question(ana)
    await ana.send(typed)
    assert zone in ana.text
    assert await _zone(db, "Ana") == zone


async def test_the_console_types_its_location_as_lat_lon(db, clock, tmp_path):
    out = io.StringIO()
    chat = ConsoleChat(Conversation(db, clock), "Ana", out, tmp_path)
    await chat.run(["/start", "1", "-34.93,138.6"])
    text = out.getvalue()
    assert "(type it as latitude,longitude, e.g. 45.76,4.84)" in text
    assert "Near Adelaide: timezone set to Australia/Adelaide." in text
