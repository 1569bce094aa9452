"""The few lines `trainlytics run` prints on start: what runs, where, and how to try it."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable

from core.demo.seed import ATHLETES, COACH_NAME
from core.settings import Settings

JOBS_SERVICE = "trainlytics.runtime:run_jobs_in_process"
TELEGRAM_SERVICE = "trainlytics.runtime:run_telegram"
CHAT_COMMAND = ".venv/bin/trainlytics chat"


def service_name(service: Callable[..., object] | str) -> str:
    """ "module:function", the name of one of `trainlytics.runtime.role_services`."""
    if isinstance(service, str):
        return service
    return f"{service.__module__}:{service.__qualname__}"


def chat_command(settings: Settings, name: str) -> str:
    """The chat command as a person pastes it into a second terminal: it must find the
    same database (data dir) and print links to the same port as this process."""
    defaults = Settings.model_fields
    carried = []
    if settings.data_dir != defaults["data_dir"].default and not settings.database_url:
        carried.append(f"TRAINLYTICS_DATA_DIR={shlex.quote(str(settings.data_dir))}")
    if settings.port != defaults["port"].default:
        carried.append(f"TRAINLYTICS_PORT={settings.port}")
    return " ".join([*carried, CHAT_COMMAND, "--as", shlex.quote(name)])


def banner(settings: Settings, services_started: Iterable[Callable[..., object] | str]) -> str:
    """Where the web app listens, how jobs and each chat platform run, how to chat."""
    started = {service_name(s) for s in services_started}
    base = settings.local_url
    lines = [
        f"Trainlytics ({settings.env}) is starting.",
        f"  Web       {base}  (health: {base}/health)",
        f"  Jobs      {_jobs(settings, started)}",
        f"  Telegram  {_telegram(settings, started)}",
        f"  Slack     {_slack(settings)}",
        f"Try it in another terminal: {chat_command(settings, ATHLETES[0].name)}",
        "  Demo people: "
        + ", ".join(f"{a.name} ({a.sport})" for a in ATHLETES)
        + f", coached by {COACH_NAME} (--as {shlex.quote(COACH_NAME)}).",
    ]
    return "\n".join(lines)


def _jobs(settings: Settings, started: set[str]) -> str:
    if settings.redis_url:
        return "on Redis: run `trainlytics worker` and `trainlytics scheduler` beside this"
    if JOBS_SERVICE in started:
        return "worker and scheduler in this process (no Redis needed)"
    return "not in this process (set TRAINLYTICS_REDIS_URL and run a worker)"


def _telegram(settings: Settings, started: set[str]) -> str:
    if not settings.telegram_bot_token:
        return "off (no TRAINLYTICS_TELEGRAM_BOT_TOKEN); the console chat works without it"
    from bot.telegram.bot import WEBHOOK_PATH

    if settings.public_url:
        return f"webhook at {settings.public_url.rstrip('/')}{WEBHOOK_PATH}"
    if TELEGRAM_SERVICE in started:
        return "bot running (long polling)"
    return "token set, but the bot is not started in this process"


def _slack(settings: Settings) -> str:
    from bot.slack.app import EVENTS_PATH, slack_mode

    mode = slack_mode(settings)
    if mode is None:
        return "not configured (needs TRAINLYTICS_SLACK_SIGNING_SECRET and a bot token)"
    where = (settings.public_url or "http://<public url>").rstrip("/")
    kind = "one workspace" if mode == "single" else "OAuth install per workspace"
    return f"{kind}; events at {where}{EVENTS_PATH}"
