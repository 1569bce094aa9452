"""slack_sdk's AsyncWebClient, unmodified, against FakeSlackWebAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from .slack_web_api import FakeSlackWebAPI

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a7a4f10000000049454e44ae426082"
)
CHANNEL = "C0ATHLETES"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackWebAPI]:
    async with FakeSlackWebAPI() as fake:
        fake.add_user("U0COACH01", name="marie", real_name="Marie Coach", tz="Europe/Paris")
        yield fake


@pytest.fixture
def client(slack: FakeSlackWebAPI) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test-token", base_url=slack.base_url)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_auth_test_and_invalid_token(slack: FakeSlackWebAPI, client: AsyncWebClient) -> None:
    answer = await client.auth_test()
    assert answer["team_id"] == "T0TRAINLY" and answer["bot_id"]
    stranger = AsyncWebClient(token="xoxp-user-token", base_url=slack.base_url)
    with pytest.raises(SlackApiError) as raised:
        await stranger.auth_test()
    assert raised.value.response["error"] == "invalid_auth"


async def test_post_update_delete_a_message(slack: FakeSlackWebAPI, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(
        channel=CHANNEL, text="Léa: 10 km", blocks=[section("*Léa* ran 10 km")]
    )
    reply = await client.chat_postMessage(channel=CHANNEL, text="Nice!", thread_ts=posted["ts"])
    assert reply["message"]["thread_ts"] == posted["ts"]
    await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="Léa: 12 km")
    assert slack.posted(CHANNEL)[0]["text"] == "Léa: 12 km"
    await client.chat_delete(channel=CHANNEL, ts=posted["ts"])
    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="again")
    assert raised.value.response["error"] == "message_not_found"
    call = await slack.wait_for(lambda c: c.method == "chat.postMessage")
    assert call.params["blocks"][0]["text"]["text"] == "*Léa* ran 10 km"


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "sectoin", "text": {"type": "mrkdwn", "text": "typo"}}],
        [section("x" * 3001)],
        [{"type": "section", "text": {"type": "markdown", "text": "wrong text type"}}],
        [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "x" * 76},
                        "action_id": "a",
                    }
                ],
            }
        ],
        [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "ok"},
                        "action_id": "a" * 256,
                    }
                ],
            }
        ],
        [section("one")] * 51,
    ],
)
async def test_block_kit_mistakes_are_invalid_blocks(client: AsyncWebClient, blocks: list) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="fallback", blocks=blocks)
    assert raised.value.response["error"] == "invalid_blocks"
    assert raised.value.response["errors"]


async def test_channel_errors_are_programmable(
    slack: FakeSlackWebAPI, client: AsyncWebClient
) -> None:
    slack.remove_bot_from("C0PRIVATE")
    slack.channel_not_found("C0GONE")
    for channel, error in (("C0PRIVATE", "not_in_channel"), ("C0GONE", "channel_not_found")):
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel=channel, text="hi")
        assert raised.value.response["error"] == error


async def test_rate_limit_sends_429_with_retry_after(
    slack: FakeSlackWebAPI, client: AsyncWebClient
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=2)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "2"
    assert (await client.chat_postMessage(channel=CHANNEL, text="hi"))["ok"]


async def test_app_home_and_modal_views(slack: FakeSlackWebAPI, client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section("3 athletes this week")]}
    first = await client.views_publish(user_id="U0COACH01", view=home)
    again = await client.views_publish(user_id="U0COACH01", view=home)
    assert first["view"]["id"] == again["view"]["id"]
    with pytest.raises(SlackApiError) as raised:
        await client.views_publish(
            user_id="U0COACH01", view={"type": "home", "blocks": [section("x")] * 101}
        )
    assert raised.value.response["error"] == "invalid_blocks"
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Plan a workout"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Minutes"},
                "element": {"type": "number_input", "is_decimal_allowed": False, "action_id": "m"},
            }
        ],
    }
    opened = await client.views_open(trigger_id="123.456.abc", view=modal)
    updated = await client.views_update(view_id=opened["view"]["id"], view=modal)
    assert updated["view"]["id"] == opened["view"]["id"]


async def test_users_and_conversations(slack: FakeSlackWebAPI, client: AsyncWebClient) -> None:
    user = await client.users_info(user="U0COACH01")
    assert user["user"]["tz"] == "Europe/Paris"
    assert user["user"]["tz_offset"] in (3600, 7200)  # CET or CEST, in seconds
    assert "locale" not in user["user"]  # only with include_locale, as Slack documents
    with_locale = await client.users_info(user="U0COACH01", include_locale=True)
    assert with_locale["user"]["locale"] == slack.users["U0COACH01"]["locale"]
    dm = await client.conversations_open(users="U0COACH01")
    await client.chat_postMessage(channel=dm["channel"]["id"], text="Hello coach")
    with pytest.raises(SlackApiError) as raised:
        await client.users_info(user="U0NOBODY")
    assert raised.value.response["error"] == "user_not_found"
    await client.chat_postEphemeral(channel=CHANNEL, user="U0COACH01", text="Only you")
    assert slack.ephemeral[0]["text"] == "Only you"


async def test_files_upload_v2_shares_the_png(
    slack: FakeSlackWebAPI, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=CHANNEL, text="Weekly load")
    await client.files_upload_v2(
        channel=CHANNEL, content=PNG, filename="load.png", title="Load", thread_ts=posted["ts"]
    )
    (shared,) = slack.shared_files
    assert shared["data"] == PNG and shared["channel"] == CHANNEL
    assert shared["thread_ts"] == posted["ts"]
    methods = [call.method for call in slack.calls]
    assert methods[-3:] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


async def test_oauth_install_returns_a_usable_bot_token(slack: FakeSlackWebAPI) -> None:
    anonymous = AsyncWebClient(base_url=slack.base_url)
    answer = await anonymous.oauth_v2_access(client_id="111.222", client_secret="s", code="c0de")
    assert answer["token_type"] == "bot" and answer["team"]["id"] == "T0TRAINLY"
    assert answer["authed_user"]["id"] and answer["bot_user_id"]
    installed = AsyncWebClient(token=answer["access_token"], base_url=slack.base_url)
    assert (await installed.auth_test())["user_id"] == answer["bot_user_id"]


async def test_configured_tokens_replace_the_xoxb_rule() -> None:
    async with FakeSlackWebAPI(valid_tokens={"xoxb-good"}) as slack:
        good = AsyncWebClient(token="xoxb-good", base_url=slack.base_url)
        bad = AsyncWebClient(token="xoxb-other", base_url=slack.base_url)
        assert (await good.auth_test())["ok"]
        with pytest.raises(SlackApiError):
            await bad.auth_test()
