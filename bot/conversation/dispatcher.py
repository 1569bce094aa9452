"""`Conversation.handle(request) -> list[Reply]`: the one entry point every door calls.

It resolves the person from the chat address (creating them at first contact), opens one
unit of work, routes the request to a handler (a command, a button's scope, an answer
awaited by a multi-step flow, a file, a location) and returns the replies. A
`DomainError` rolls the transaction back and becomes a reply with its message; nothing
is half-stored. Any other exception (a bug) also rolls back, is logged with the
request id (the web request's, or one made here for polling and the console) and becomes
a short apology naming that id: a person never meets silence or a traceback, and a door
answering a button press always has a reply to answer it with.

A door that must handle each platform update once passes `claim`: it runs first in the
same unit of work (so it commits and rolls back with the handling, at no extra
transaction) and a False answer (a redelivered update) ends the handling with no reply.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from logging import getLogger
from typing import Any, cast

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.context import Context, ConversationSettings, Handler
from bot.conversation.handlers import (
    calendar_link,
    coach,
    connections,
    link,
    logging,
    onboarding,
    people,
    plans,
)
from bot.conversation.ratelimit import HeavyLimiter
from bot.conversation.state import ConversationState, InMemoryConversationState, SessionState
from bot.conversation.types import Reply, Request, RequestKind
from bot.conversation.validation import form_errors, refusal_text
from core.clock import Clock
from core.db.engine import Database
from core.errors import DomainError
from core.people import identities as accounts
from core.words import say

_MODULES = (onboarding, plans, logging, people, calendar_link, coach, connections, link)
COMMANDS: dict[str, Handler] = {k: v for m in _MODULES for k, v in m.COMMANDS.items()}
BUTTONS: dict[str, Handler] = {k: v for m in _MODULES for k, v in m.BUTTONS.items()}
AWAITING: dict[str, Any] = {k: v for m in _MODULES for k, v in m.AWAITING.items()}
FORMS: dict[type, Handler] = coach.FORMS
HEAVY_COMMANDS = people.HEAVY
log = getLogger(__name__)

Claim = Callable[[AsyncSession], Awaitable[bool]]


class Conversation:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        state: ConversationState | None = None,
        settings: ConversationSettings | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.state = state or InMemoryConversationState()
        self.settings = settings or ConversationSettings()
        self.charts = HeavyLimiter(clock, self.settings.heavy_burst, self.settings.heavy_refill_s)
        self.imports = HeavyLimiter(
            clock, self.settings.import_burst, self.settings.import_refill_s
        )

    async def handle(self, request: Request, *, claim: Claim | None = None) -> list[Reply]:
        locale = "en"
        try:
            async with self.db.unit_of_work() as session:
                if claim is not None and not await claim(session):
                    return []
                user, created = await accounts.get_or_create_person(session, request.address)
                locale = user.locale
                state = self.state
                if hasattr(state, "within"):
                    state = cast(SessionState, state).within(session)
                ctx = Context(
                    session, self.clock, user, request, state, self.settings, created=created
                )
                await self._route(ctx)
                user_id, changed = user.id, ctx.reminders_changed
            if changed:
                await self._reschedule(user_id)
            await _run_after_commit(ctx.after_commit)
            return ctx.replies
        except DomainError as exc:
            form = request.form
            errors = form_errors(locale, exc, form.MAIN) if form is not None else None
            return [Reply.of(refusal_text(locale, exc), errors=errors)]
        except _RateLimited as exc:
            return [Reply.of(say(locale, exc.key, seconds=exc.seconds))]
        except Exception:
            ref = _request_id()
            log.exception(
                "conversation_failed request_id=%s kind=%s command=%s button=%s",
                ref,
                request.kind,
                request.command,
                request.callback.pack() if request.callback else None,
                extra={REQUEST_ID_KEY: ref},
            )
            return [Reply.of(say(locale, "crashed", ref=ref))]

    async def _route(self, ctx: Context) -> None:
        request = ctx.request
        match request.kind:
            case RequestKind.COMMAND:
                name = request.command or ""
                handler = COMMANDS.get(name)
                if handler is None:
                    ctx.reply(ctx.ft("unknown_command", command=name))
                    return
                # A new command abandons any half-finished flow.
                await ctx.clear()
                if name in HEAVY_COMMANDS:
                    _take(self.charts, ctx, "rate_limited")
                await handler(ctx)
            case RequestKind.BUTTON:
                callback = request.callback
                handler = BUTTONS.get(callback.scope) if callback else None
                if handler is None:
                    ctx.reply(ctx.t("bad_button"))
                    return
                await handler(ctx)
            case RequestKind.FILE:
                _take(self.imports, ctx, "rate_limited_file")
                await logging.on_file(ctx)
            case RequestKind.LOCATION:
                await onboarding.on_location(ctx)
            case RequestKind.FORM:
                handler = FORMS.get(type(request.form)) if request.form else None
                if handler is None:
                    ctx.reply(ctx.t("bad_button"))
                    return
                await handler(ctx)
            case RequestKind.OTHER:
                ctx.reply(ctx.t("other_content"))
            case RequestKind.TEXT:
                if await people.reply_to_message(ctx):
                    return
                awaiting = (await ctx.state()).get("awaiting")
                handler = AWAITING.get(awaiting) if awaiting else None
                if handler is not None:
                    await handler(ctx)
                else:
                    # Someone new who says "hello" first hears what this is and how to start.
                    ctx.reply(ctx.t("free_text" if ctx.user.onboarded else "free_text_new"))

    async def _reschedule(self, user_id: int) -> None:
        hook = self.settings.reschedule
        if hook is None:
            return
        try:
            await hook(user_id)
        except Exception:
            # The change is committed and the periodic reconciliation will pick it up;
            # a broker hiccup must not turn a saved setting into an error message.
            log.exception("could not reschedule reminders of user %s", user_id)


async def _run_after_commit(calls: list[Callable[[], Awaitable[None]]]) -> None:
    for call in calls:
        try:
            await call()
        except Exception:
            # The change is committed and a periodic sweep finishes it; a broker hiccup
            # must not turn a saved change into an error message.
            log.exception("a call queued for after the commit failed")


REQUEST_ID_KEY = "request_id"  # the structlog context key the web middleware binds


def _request_id() -> str:
    """The id the web middleware bound for this request (Telegram webhook, Slack), else a
    fresh short one (long polling, the console), so the apology and the log line match."""
    bound = structlog.contextvars.get_contextvars().get(REQUEST_ID_KEY)
    return str(bound) if bound else uuid.uuid4().hex[:12]


def _take(limiter: HeavyLimiter, ctx: Context, key: str) -> None:
    wait = limiter.take(ctx.user.id)
    if wait:
        raise _RateLimited(key, wait)


class _RateLimited(Exception):
    def __init__(self, key: str, seconds: int) -> None:
        super().__init__(key, seconds)
        self.key = key  # the sentence that says what waits and for how long
        self.seconds = seconds
