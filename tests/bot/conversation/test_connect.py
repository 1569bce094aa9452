"""/connect: a signed link per configured provider, the person's connections, Disconnect."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from bot.conversation import Conversation, ConversationSettings
from bot.conversation.context import configured_providers
from core.db.models import ConnectedAccount, User
from core.sync.connections.connect_links import ConnectLinkInvalid, open_connect_link
from tests.bot.conversation.test_conversations import Chat

PUBLIC_URL = "https://trainlytics.example.com"
SECRET = "connect-test-secret"


def _settings(**overrides: Any) -> ConversationSettings:
    values: dict[str, Any] = {
        "public_url": PUBLIC_URL,
        "secret_key": SECRET,
        "enabled_providers": ("strava", "garmin"),
    }
    values.update(overrides)
    return ConversationSettings(**values)


async def _user(db, name: str) -> User:
    async with db.unit_of_work() as session:
        return await session.scalar(select(User).where(User.name == name))


async def _account(db, user_id: int, provider: str, status: str = "active") -> None:
    async with db.unit_of_work() as session:
        session.add(
            ConnectedAccount(
                user_id=user_id,
                provider=provider,
                provider_user_id=f"{provider}-{user_id}",
                access_token_enc="x",
                status=status,
            )
        )


def test_configured_providers_need_both_client_id_and_secret() -> None:
    settings = SimpleNamespace(
        strava_client_id="1",
        strava_client_secret="s",
        garmin_client_id="2",
        polar_client_secret="only secret",
    )
    assert configured_providers(settings) == ("strava",)


@pytest.mark.parametrize(
    "overrides",
    [{"enabled_providers": ()}, {"public_url": None}, {"secret_key": None}],
)
async def test_without_a_configured_provider_connecting_is_plainly_unavailable(
    db, clock, overrides
):
    ana = Chat(Conversation(db, clock, settings=_settings(**overrides)), "Ana")
    await ana.send("/connect")
    assert "not set up on this server" in ana.text
    assert [b for r in ana.last for b in r.buttons] == []


async def test_each_configured_provider_gets_a_signed_link_for_this_person(db, clock):
    ana = Chat(Conversation(db, clock, settings=_settings()), "Ana")
    await ana.send("/connect")
    buttons = [b for r in ana.last for b in r.buttons]
    assert [b.label for b in buttons] == ["Connect Strava", "Connect Garmin"]
    user = await _user(db, "Ana")
    for button, provider in zip(buttons, ("strava", "garmin"), strict=True):
        assert button.url is not None, "a connect button opens a link"
        url = urlparse(button.url)
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{PUBLIC_URL}/connect/{provider}"
        token = parse_qs(url.query)["t"][0]
        async with db.unit_of_work() as session:
            assert await open_connect_link(session, clock, SECRET, token, provider) == user.id


async def test_connect_names_one_provider_as_the_revoked_notice_suggests(db, clock):
    ana = Chat(Conversation(db, clock, settings=_settings()), "Ana")
    await ana.send("/connect garmin")
    assert [b.label for r in ana.last for b in r.buttons] == ["Connect Garmin"]


async def test_connected_accounts_show_their_state_and_can_be_disconnected(db, clock):
    ana = Chat(Conversation(db, clock, settings=_settings()), "Ana")
    await ana.send("/help")
    user = await _user(db, "Ana")
    await _account(db, user.id, "strava")
    await _account(db, user.id, "garmin", status="revoked")

    await ana.send("/connect")
    assert "Strava: connected" in ana.text
    assert "Garmin: disconnected" in ana.text
    labels = [b.label for r in ana.last for b in r.buttons]
    assert labels == ["Disconnect Strava", "Connect Garmin"]

    await ana.press("Disconnect Strava")
    assert "Strava is disconnected" in ana.text
    async with db.unit_of_work() as session:
        strava = await session.scalar(
            select(ConnectedAccount).where(ConnectedAccount.provider == "strava")
        )
        assert (strava.status, strava.sync_enabled) == ("disconnecting", False)

    await ana.send("/connect")
    assert [b.label for r in ana.last for b in r.buttons] == ["Connect Strava", "Connect Garmin"]


async def test_a_stale_disconnect_button_says_there_is_nothing_to_disconnect(db, clock):
    ana = Chat(Conversation(db, clock, settings=_settings()), "Ana")
    await ana.send("/help")
    user = await _user(db, "Ana")
    await _account(db, user.id, "strava")
    await ana.send("/connect")
    card = ana.last
    await ana.press("Disconnect Strava")
    ana.last = card  # the old card's button, pressed a second time
    await ana.press("Disconnect Strava")
    assert ana.text == "You have no active Strava connection."


async def test_disconnect_touches_only_the_persons_own_account(db, clock):
    ana = Chat(Conversation(db, clock, settings=_settings()), "Ana")
    ben = Chat(Conversation(db, clock, settings=_settings()), "Ben")
    await ana.send("/help")
    await ben.send("/help")
    await _account(db, (await _user(db, "Ana")).id, "strava")
    await _account(db, (await _user(db, "Ben")).id, "strava")
    await ana.send("/connect")
    await ana.press("Disconnect Strava")
    async with db.unit_of_work() as session:
        rows = await session.scalars(select(ConnectedAccount).order_by(ConnectedAccount.id))
        assert [row.status for row in rows] == ["disconnecting", "active"]


async def test_connect_speaks_french(db, clock):
    ana = Chat(Conversation(db, clock, settings=_settings()), "Ana", language="fr")
    await ana.send("/connect strava")
    assert [b.label for r in ana.last for b in r.buttons] == ["Connecter Strava"]
    assert "Chaque lien" in ana.text


async def test_a_spent_or_forged_connect_link_is_refused_in_the_person_s_language(db, clock):
    """The web page shows the English sentence; the refusal carries a key, so a door can say
    it in French too."""
    ana = Chat(Conversation(db, clock, settings=_settings()), "Ana")
    await ana.send("/connect strava")
    token = parse_qs(urlparse(ana.last[0].buttons[0].url).query)["t"][0]
    async with db.unit_of_work() as session:
        await open_connect_link(session, clock, SECRET, token, "strava")
    async with db.unit_of_work() as session:
        with pytest.raises(ConnectLinkInvalid) as used:
            await open_connect_link(session, clock, SECRET, token, "strava")
        with pytest.raises(ConnectLinkInvalid) as forged:
            await open_connect_link(session, clock, SECRET, token[:-4] + "AAAA", "strava")
    assert str(used.value) == "This connect link was already used. Ask the bot for a new one."
    assert (
        used.value.text("fr") == "Ce lien de connexion a déjà servi. Demandez-en un nouveau au bot."
    )
    assert forged.value.text("fr").startswith("Ce lien de connexion n'est pas valide.")
