"""Structured logs (structlog), the request id that follows a request into its jobs, Sentry.

- `setup_observability(settings)` once per process (the web app does it at startup; the
  worker and scheduler processes call it when they start): JSON lines in production or when
  TRAINLYTICS_LOG_JSON=true, readable console lines in development. Standard-library
  loggers (uvicorn, sqlalchemy, taskiq, aiogram) go through the same renderer.
- `current_request_id()` is the id of the HTTP request being handled (None outside one).
- `RequestIdTaskMiddleware` carries it into jobs: on the sending side it adds the taskiq
  label `request_id` to every message kicked while a request is handled; on the worker
  side it binds the label into the log context for the task's duration, so one grep on
  the id shows the request and every job it caused. Add it with
  `broker.add_middlewares(RequestIdTaskMiddleware())`. A task may also read it itself from
  `context.message.labels["request_id"]` (taskiq `Context`).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from core.settings import Settings

REQUEST_ID_KEY = "request_id"
_TOKEN_IN_PATH = re.compile(r"/calendar/[A-Za-z0-9_-]{16,}")
_configured = False

log = structlog.get_logger("trainlytics")


def current_request_id() -> str | None:
    value = structlog.contextvars.get_contextvars().get(REQUEST_ID_KEY)
    return str(value) if value else None


def mask_secrets(text: str) -> str:
    """Calendar links are bearer secrets: never write one into a log line or an error report."""
    return _TOKEN_IN_PATH.sub("/calendar/<token>", text)


def _mask_processor(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in ("event", "path", "url"):
        value = event_dict.get(key)
        if isinstance(value, str):
            event_dict[key] = mask_secrets(value)
    return event_dict


def configure_logging(settings: Settings) -> None:
    json_lines = settings.log_json if settings.log_json is not None else settings.is_production
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _mask_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.format_exc_info if json_lines else _identity,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # JSON cannot hold a traceback object: render it as text, for structlog's own lines
    # above and for standard-library records (taskiq, uvicorn, aiogram) here. Text, not
    # structlog's dict_tracebacks, which would also write each frame's local variables
    # (tokens and secrets among them) into the log.
    foreign_chain = [*shared, structlog.processors.format_exc_info] if json_lines else shared
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=foreign_chain,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
    # uvicorn installs its own handlers when its server is configured; route them through ours.
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
    # The access log is `web.middleware`'s "http_request" line (request id, duration, the
    # calendar token masked); uvicorn's own access line would say it all a second time.
    # With no handler, uvicorn skips formatting it too.
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    # taskiq logs every task sent and started at INFO: with the outbox swept every few
    # seconds that drowns what a person needs to read. Our own task logs stay at INFO.
    if logging.getLogger().level > logging.DEBUG:
        for name in ("taskiq.cli.scheduler.run", "taskiq.receiver.receiver"):
            logging.getLogger(name).setLevel(logging.WARNING)


def _identity(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    return event_dict


def init_sentry(settings: Settings) -> bool:
    """Report errors to Sentry when TRAINLYTICS_SENTRY_DSN is set and sentry-sdk installed."""
    if not settings.sentry_dsn:
        return False
    try:
        import sentry_sdk  # optional extra: pip install "trainlytics[sentry]"
    except ImportError:
        log.warning(
            "sentry_disabled",
            reason="TRAINLYTICS_SENTRY_DSN is set but sentry-sdk is not installed",
            fix='pip install "sentry-sdk>=2"',
        )
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.env,
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=_scrub_event,
    )
    return True


def _scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("url"), str):
        request["url"] = mask_secrets(request["url"])
    return event


def setup_observability(settings: Settings) -> None:
    """Logs and error reporting for this process; later calls do nothing."""
    global _configured
    if _configured:
        return
    configure_logging(settings)
    init_sentry(settings)
    _configured = True
