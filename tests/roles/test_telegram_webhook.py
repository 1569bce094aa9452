"""The Procfile's `web` role registers the Telegram webhook, once per deploy.

The role runs exactly as the Procfile says, against the fake Bot API: it registers
`{public url}/telegram/webhook` with the secret and the update types the bot handles, and
Telegram's next update reaches the role. A second web process of the same deploy finds the
registration in place and leaves it alone; a deploy with a new secret registers again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.telegram_bot_api import FakeTelegramBotAPI
from tests.roles.procfile import free_port, kill_group, output, role_command, start

DEADLINE_S = 120.0  # a web role's start on a busy 2-core machine


async def logged(log: Path, text: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while text not in output(log):
        assert loop.time() < end, f"never logged {text!r}:\n{output(log)[-4000:]}"
        await asyncio.sleep(0.2)


async def delivered(tg: FakeTelegramBotAPI, update_id: int) -> int | None:
    """The status the web role answered Telegram's first delivery of the update with."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while loop.time() < end:
        for delivery in tg.webhook_deliveries:
            if delivery.update_id == update_id:
                return delivery.status
        await asyncio.sleep(0.2)
    return None


def web_env(env: dict[str, str], tg: FakeTelegramBotAPI, secret: str) -> dict[str, str]:
    port = str(free_port())
    return env | {
        "PORT": port,
        "TRAINLYTICS_PUBLIC_URL": f"http://127.0.0.1:{env['PORT']}",  # the first one's
        "TRAINLYTICS_TELEGRAM_BOT_TOKEN": tg.token,
        "TRAINLYTICS_TELEGRAM_API_BASE": tg.base_url,
        "TRAINLYTICS_TELEGRAM_WEBHOOK_SECRET": secret,
    }


async def test_web_role_registers_the_webhook_once_per_deploy(tmp_path, env, redis_cleanup):
    async with FakeTelegramBotAPI() as tg:
        first_env = web_env(env, tg, "first-deploy-secret") | {"PORT": env["PORT"]}
        logs = [tmp_path / f"web{n}.log" for n in range(3)]
        procs = [start(role_command("web"), first_env, logs[0])]
        try:
            registered = await tg.wait_for(lambda c: c.method == "setWebhook", DEADLINE_S)
            assert registered.ok
            assert registered.params["url"].startswith(f"{first_env['TRAINLYTICS_PUBLIC_URL']}/")
            assert tg.webhook_secret == "first-deploy-secret"
            assert {"message", "callback_query"} <= set(registered.params["allowed_updates"])

            tg.add_chat(5150, first_name="Wren")
            update = tg.user_sends(5150, "/start")
            assert await delivered(tg, update["update_id"]) == 200

            # Another web process of the same deploy: it looks, and changes nothing.
            procs.append(
                start(role_command("web"), web_env(env, tg, "first-deploy-secret"), logs[1])
            )
            await logged(logs[1], "Telegram webhook already registered")
            assert len(tg.calls_to("getWebhookInfo")) == 2
            assert len(tg.calls_to("setWebhook")) == 1

            # The next deploy rotates the secret: Telegram must be told.
            procs.append(
                start(role_command("web"), web_env(env, tg, "second-deploy-secret"), logs[2])
            )
            await logged(logs[2], "Telegram webhook registered")
            assert len(tg.calls_to("setWebhook")) == 2
            assert tg.webhook_secret == "second-deploy-secret"
        finally:
            for proc in procs:
                kill_group(proc)
