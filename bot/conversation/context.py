"""What a handler gets: the request, the person, one database session, and reply helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.state import ConversationState, StateKey
from bot.conversation.types import Part, Reply, Request, Span, Text
from core.clock import Clock
from core.db.models import User
from core.enums import Role
from core.jobs import JobQueue
from core.people.identities import ChatAddress
from core.sync.providers.registry import PROVIDER_NAMES, provider_config
from core.words import has_key, say, say_n


@dataclass(frozen=True)
class ConversationSettings:
    """Knobs a door or the composition root sets; defaults suit a single server."""

    public_url: str | None = None  # for calendar and connect links
    # This server's own web address (http://TRAINLYTICS_HOST:PORT): without a public URL,
    # /calendar still gives a link that opens on the machine running `trainlytics run`.
    local_url: str | None = None
    max_file_bytes: int = 20 * 1024 * 1024  # Telegram bots cannot download more anyway
    # Only what costs real CPU is limited, each kind on its own allowance: a chart drawn
    # by matplotlib (/fitness), and a file parsed and scored. Everything else (/race, a
    # forecast of a few hundred numbers, included) is never refused.
    heavy_burst: int = 3  # charts allowed back to back...
    heavy_refill_s: float = 20.0  # ...then one more every this many seconds
    import_burst: int = 10  # files allowed back to back (a handful from an export)...
    import_refill_s: float = 3.0  # ...then one more every this many seconds
    # Called with a person's id after a change to their reminder times or timezone was
    # committed, so their reminder schedules follow at once (the composition root wires
    # it to the `trainlytics.reconcile_schedules` task). Without it, the scheduler's
    # periodic reconciliation catches the change within minutes.
    reschedule: Callable[[int], Awaitable[None]] | None = None
    # Called with a person's id after their Disconnect (in /connect) was committed, to
    # revoke the grant at the provider and forget the tokens at once (the composition
    # root wires it to the `trainlytics.sync.finish_disconnects` task). Without it, the
    # hourly sync sweep finishes the disconnect.
    after_disconnect: Callable[[int], Awaitable[None]] | None = None
    # Called with an account id after an owner agreed to move their provider account to
    # the person who connected it (core.sync.connections.account_transfers.decide_transfer)
    # and that was committed: queues the account's backfill (`trainlytics.sync.backfill`).
    after_connect: Callable[[int], Awaitable[None]] | None = None
    # How far back such a moved account's backfill imports (TRAINLYTICS_BACKFILL_DAYS).
    backfill_days: int = 90
    # /connect: the key that signs connect links (TRAINLYTICS_SECRET_KEY) and the providers
    # whose app credentials are set (`configured_providers`). Links also need public_url;
    # without all three /connect says plainly that connecting is not available.
    secret_key: str | None = None
    enabled_providers: tuple[str, ...] = ()
    # Called after commit with (the person's chat address, whether they coach, their
    # language) when their role or language changed, or a coach asked for /help: a door
    # with a per-chat command menu (Telegram) shows that person the commands they have.
    publish_menu: Callable[[ChatAddress, bool, str], Awaitable[None]] | None = None
    # /invite: the Telegram bot's username (TRAINLYTICS_TELEGRAM_BOT_USERNAME), to add the
    # t.me deep link that opens the bot with /start CODE; None gives the code alone.
    telegram_bot_username: str | None = None
    # /feed here|dm: where a coach's athletes' activities are posted. Only a door with a
    # feed (Slack) sets it: (session, coach id, channel or None for the DM) -> how many
    # athletes' feeds moved. Without it /feed says it belongs to Slack.
    set_feed: Callable[[AsyncSession, int, str | None], Awaitable[int]] | None = None
    # The door opens forms (Slack's modals): a handler that needs several fields answers
    # with a `FormAsk` instead of asking them one message at a time.
    forms: bool = False

    @classmethod
    def from_settings(
        cls, settings: Any, *, jobs: JobQueue | None = None, **hooks: Any
    ) -> ConversationSettings:
        """What the TRAINLYTICS_* settings decide; each door adds the hooks it can run.

        `jobs`: the queue behind `reschedule`, `after_disconnect` and `after_connect`.
        """
        if jobs is not None:
            hooks = {**_job_hooks(jobs), **hooks}
        return cls(
            public_url=settings.public_url,
            local_url=settings.local_url,
            secret_key=settings.secret_key,
            enabled_providers=configured_providers(settings),
            telegram_bot_username=settings.telegram_bot_username,
            backfill_days=settings.backfill_days,
            **hooks,
        )


def _job_hooks(jobs: JobQueue) -> dict[str, Callable[[int], Awaitable[None]]]:
    async def reschedule(user_id: int) -> None:
        await jobs.reconcile_schedules(user_id)

    async def after_disconnect(user_id: int) -> None:
        # Finishes every committed disconnect; `user_id` only names whose click it was.
        await jobs.finish_disconnects()

    async def after_connect(account_id: int) -> None:
        await jobs.enqueue_backfill(account_id)

    return {
        "reschedule": reschedule,
        "after_disconnect": after_disconnect,
        "after_connect": after_connect,
    }


def configured_providers(settings: Any) -> tuple[str, ...]:
    """Providers with a client id and secret in `settings` (the TRAINLYTICS_* Settings),
    decided exactly as the sync side decides which connectors to build."""
    return tuple(name for name in PROVIDER_NAMES if provider_config(settings, name).enabled)


@dataclass
class Context:
    session: AsyncSession
    clock: Clock
    user: User
    request: Request
    state_store: ConversationState
    settings: ConversationSettings
    created: bool = False
    replies: list[Reply] = field(default_factory=list)
    reminders_changed: bool = False  # set by handlers; the dispatcher reschedules after commit
    # Calls a handler queues for once its transaction has committed (the dispatcher runs
    # them, logging any failure: what they start is also picked up by a periodic sweep).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def locale(self) -> str:
        return self.user.locale or "en"

    @property
    def key(self) -> StateKey:
        return StateKey.of(self.request.address)

    def t(self, key: str, **values: object) -> str:
        return say(self.locale, key, **values)

    def ft(self, key: str, **values: object) -> str:
        """The face's own wording of `key` when it has one (`{key}_slack` for Slack, where
        the chat's commands and places read differently), else the chat's."""
        return say(self.locale, self.face_key(key), **values)

    def tx(self, key: str, **values: object) -> Text:
        """`ft` as Text, where a value given as a `Span` stays that span (a command of
        another face in `code`, which a face shows as typed instead of in its own words)."""
        spans = {k: v for k, v in values.items() if isinstance(v, Span)}
        marks = {k: f"\x00{k}\x00" for k in spans}
        sentence = self.ft(key, **{**values, **marks})
        pieces = sentence.split("\x00")
        # Odd pieces are the names between two marks.
        return Text.of(*(spans[p] if i % 2 else p for i, p in enumerate(pieces)))

    def face_key(self, key: str) -> str:
        own = f"{key}_{self.request.address.platform}"
        return own if has_key(own) else key

    def tn(self, key: str, count: int, **values: object) -> str:
        """The sentence for `count` things, in the plural form the person's language wants."""
        return say_n(self.locale, key, count, **values)

    def refresh_menu(self) -> None:
        """Queue the door's menu update for this person (see `publish_menu`) after commit."""
        hook = self.settings.publish_menu
        if hook is None:
            return
        address, user = self.request.address, self.user

        async def publish() -> None:
            await hook(address, user.role in (Role.COACH, Role.BOTH), user.locale or "en")

        self.after_commit.append(publish)

    def reply(self, *parts: Part | str, **options: object) -> Reply:
        reply = Reply.of(*parts, **options)
        self.replies.append(reply)
        return reply

    async def state(self) -> dict[str, Any]:
        return await self.state_store.get(self.key)

    async def await_text(self, flow: str, **data: Any) -> None:
        """The next plain text this person sends goes to `flow` (see dispatcher.AWAITING)."""
        await self.state_store.set(self.key, {"awaiting": flow, **data})

    async def clear(self) -> None:
        await self.state_store.clear(self.key)


Handler = Callable[[Context], Awaitable[None]]
