"""Settings: every variable is `TRAINLYTICS_*`; the defaults run embedded with nothing set up."""

from __future__ import annotations

import ipaddress
import json
import secrets
import sys
from functools import cached_property
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core import web_address


class SettingsError(Exception):
    """The configuration cannot run; the message says which variables to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRAINLYTICS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""  # default: SQLite file in data_dir
    redis_url: str | None = None  # unset: in-process jobs (InMemoryBroker)
    host: str = "127.0.0.1"
    # Heroku-style platforms set only PORT: TRAINLYTICS_PORT wins when both are set.
    # The mypy plugin flags any alias it cannot read as one static name; these three are
    # static, and `Settings(port=...)` in code still works through "port".
    port: int = Field(  # type: ignore[pydantic-alias]
        default=8000,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("TRAINLYTICS_PORT", "PORT", "port"),
    )
    public_url: str | None = None  # https://trainlytics.example.com; enables webhooks

    # Secrets. In development they are generated into data_dir/dev-keys.json when unset.
    secret_key: str | None = None  # signs connect links and similar one-time URLs
    encryption_keys: str | None = None  # Fernet keys, comma-separated, newest first

    log_level: str = "INFO"
    log_json: bool | None = None  # default: JSON in production, console in development
    sentry_dsn: str | None = None

    telegram_bot_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_secret: str | None = None

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_base: str = "https://slack.com/api/"
    # --- Slack app (bot/slack) ---
    # The Telegram bot's @username (without @): /trainlytics invite then gives athletes a
    # t.me deep link besides the code.
    telegram_bot_username: str | None = None

    strava_client_id: str | None = None
    strava_client_secret: str | None = None
    strava_api_base: str = "https://www.strava.com/api/v3"
    strava_oauth_base: str = "https://www.strava.com/oauth"
    strava_webhook_verify_token: str | None = None
    strava_subscription_id: str | None = None

    garmin_client_id: str | None = None
    garmin_client_secret: str | None = None
    garmin_api_base: str = "https://apis.garmin.com"
    garmin_oauth_base: str = "https://connect.garmin.com"

    polar_client_id: str | None = None
    polar_client_secret: str | None = None
    polar_api_base: str = "https://www.polaraccesslink.com/v3"
    polar_oauth_base: str = "https://flow.polar.com/oauth2"
    polar_webhook_secret: str | None = None

    coros_client_id: str | None = None
    coros_client_secret: str | None = None
    coros_api_base: str = "https://open.coros.com"
    coros_oauth_base: str = "https://open.coros.com/oauth2"

    backfill_days: int = Field(default=90, ge=0, le=3650)

    # --- provider sync (core/sync/connections.py, orchestrator) ---
    # Garmin and Polar serve tokens from another host than their authorize page.
    garmin_token_url: str = "https://diauth.garmin.com/di-oauth2-service/oauth/token"
    polar_token_url: str = "https://polarremote.com/v2/oauth2/token"

    # --- background jobs (workers/, issue 4) ---
    # Stream and schedule-key prefix in Redis; distinct names let several deployments
    # (or test runs) share one Redis.
    jobs_queue_name: str = "trainlytics"
    # A message unacknowledged this long is taken over from a dead worker (taskiq-redis
    # idle_timeout); every task must finish well within it.
    jobs_idle_timeout_s: int = Field(default=300, ge=5)
    # How often the outbox is swept for due rows (doors also kick delivery directly).
    outbox_poll_seconds: int = Field(default=5, ge=1, le=300)
    # Tasks one worker process runs at once (`trainlytics worker --max-async-tasks`, which
    # sets it for its processes); the worker's database pool is sized from it.
    jobs_max_async_tasks: int = Field(default=50, ge=1, le=1000)

    # --- database pool (core/db/engine.py pool_options) ---
    # Requests one web process serves on the database at once; its pool is sized from it.
    web_concurrency: int = Field(default=20, ge=1, le=1000)
    # Overrides the computed pool size (PostgreSQL only; SQLite has one writer anyway).
    db_pool_size: int | None = Field(default=None, ge=1, le=1000)

    # --- web surface limits (web/middleware.py) ---
    # Largest request body accepted (webhooks, Slack events, Telegram updates are small).
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    # Per-IP token bucket on /oauth/, /connect/ and /calendar/: sustained rate and burst.
    rate_limit_per_minute: float = Field(default=30.0, gt=0)
    rate_limit_burst: int = Field(default=30, ge=1)
    # Per-source-address bucket on /webhooks/: roomy for a provider's bursts (Garmin and
    # Polar redeliver after a 429, Strava three times, and the hourly poll catches up),
    # tight enough to bound forgeries and probing.
    webhook_rate_limit_per_minute: float = Field(default=600.0, gt=0)
    webhook_rate_limit_burst: int = Field(default=300, ge=1)
    # Proxies whose X-Forwarded-For / -Proto are believed: IPs or CIDRs, comma-separated.
    # Empty (the default): no forwarded header is believed, from anyone.
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in (v.strip() for v in value.split(",")):
            if item:
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(
                        f"TRAINLYTICS_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR"
                    ) from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [v.strip() for v in self.trusted_proxies.split(",") if v.strip()]

    @property
    def local_url(self) -> str:
        """Where this machine reaches the web role, the one base of every local link.

        The address the running web app recorded in the data dir (`core.web_address`:
        right from another process such as `trainlytics chat`), else TRAINLYTICS_HOST/PORT.
        """
        return web_address.recorded(self.data_dir) or web_address.reachable_url(
            self.host, self.port
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'trainlytics.db').as_posix()}"

    @property
    def embedded_jobs(self) -> bool:
        return not self.redis_url

    @cached_property
    def encryption_key_list(self) -> list[str]:
        return [k.strip() for k in (self.encryption_keys or "").split(",") if k.strip()]

    def ensure_secrets(self) -> list[str]:
        """Fill missing secrets, or refuse to start in production.

        Returns notices for the person starting the app (e.g. that a development key file
        was generated), so the caller decides where to print them.
        """
        missing = [name for name, value in self._required_secrets().items() if not value]
        if self.is_production:
            if missing:
                raise SettingsError(
                    "Trainlytics refuses to start in production without these settings: "
                    + ", ".join(f"TRAINLYTICS_{m.upper()}" for m in missing)
                    + ". Generate an encryption key with "
                    "`trainlytics generate-key` and a secret with `openssl rand -hex 32`."
                )
            return []
        if not missing:
            return []
        key_file = self.data_dir / "dev-keys.json"
        stored = _load_or_create_dev_keys(key_file)
        if not self.secret_key:
            self.secret_key = stored["secret_key"]
        if not self.encryption_keys:
            self.encryption_keys = stored["encryption_key"]
            self.__dict__.pop("encryption_key_list", None)
        return [f"Using development keys from {key_file} (generated once, never for production)."]

    def _required_secrets(self) -> dict[str, str | None]:
        required = {"secret_key": self.secret_key, "encryption_keys": self.encryption_keys}
        if self.is_production and self.telegram_bot_token and self.public_url:
            required["telegram_webhook_secret"] = self.telegram_webhook_secret
        if self.is_production and (self.slack_client_id or self.slack_bot_token):
            required["slack_signing_secret"] = self.slack_signing_secret
        return required


def _load_or_create_dev_keys(path: Path) -> dict[str, str]:
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_hex(32),
        "encryption_key": Fernet.generate_key().decode(),
    }
    path.write_text(json.dumps(keys, indent=2))
    path.chmod(0o600)
    return keys


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (and .env), with secrets filled or refused."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    for notice in settings.ensure_secrets():
        print(notice, file=sys.stderr)
    return settings
