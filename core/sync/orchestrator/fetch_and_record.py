"""One provider activity fetched and handed to the one recording path (core.activities.ingest).

A multisport file gives several sessions; an implausible session is dropped with a warning
(retrying cannot make it plausible); history is recorded quietly.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.ingest.edits import delete_activity
from core.activities.ingest.recording import record_activity
from core.activities.plausibility import ImplausibleActivity, check_activity
from core.clock import Clock
from core.db.models import Activity, ActivityStream, ConnectedAccount
from core.enums import ActivitySource
from core.sync.build import SyncContext
from core.sync.connections.stored_tokens import with_token
from core.sync.orchestrator.activity_refs import parse_time
from core.sync.providers.base import ActivityRef, FetchedActivity, NotFound

log = logging.getLogger(__name__)


async def import_ref(ctx: SyncContext, account_id: int, ref: ActivityRef, *, backfill: bool) -> int:
    """Fetch one activity and record it; 0 when the provider says it is gone."""
    provider = ctx.provider(ref.provider)
    try:
        fetched = await with_token(ctx, account_id, lambda t: provider.fetch_activity(t, ref))
    except NotFound:
        return 0
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        assert account is not None
        return await record_fetched(session, ctx.clock, account, fetched, backfill=backfill)


async def record_fetched(
    session: AsyncSession,
    clock: Clock,
    account: ConnectedAccount,
    fetched: FetchedActivity,
    *,
    backfill: bool,
) -> int:
    """Each session of the fetched activity (several for a multisport file), idempotently."""
    connected_at = parse_time((account.backfill or {}).get("connected_at"))
    count = 0
    for index, parsed in enumerate(fetched.activities):
        if fetched.name and len(fetched.activities) == 1:
            parsed.name = fetched.name
        source_id = fetched.activity_id if index == 0 else f"{fetched.activity_id}:{index}"
        try:
            # Checked before anything below touches the stored copy; record_activity
            # checks again (the one rule for every path).
            check_activity(parsed, clock.now())
        except ImplausibleActivity as exc:
            # Retrying cannot make it plausible: drop it, say so once, go on.
            log.warning(
                "activity_refused provider=%s account=%s source_id=%s reason=%s: %s",
                account.provider,
                account.id,
                source_id,
                exc.reason,
                exc,
            )
            continue
        # History (backfill, or a session that began before connecting) is recorded quietly.
        quiet = backfill or (connected_at is not None and parsed.start < connected_at)
        has_streams = parsed.streams is not None and len(parsed.streams) > 0
        if has_streams and await _stored_without_streams(session, account, source_id):
            # A summary recorded first (Garmin's manual-update summary before its file):
            # record_activity would only rename it, so the file's data replaces it. The
            # athlete already heard of this session: the replacement is quiet.
            await delete_activity(
                session,
                clock,
                account.user_id,
                ActivitySource(account.provider),
                source_id,
                notify=False,
            )
            quiet = True
        # An activity already stored is updated; core.activities.ingest announces what changed.
        await record_activity(
            session,
            clock,
            account.user_id,
            parsed,
            source=ActivitySource(account.provider),
            source_id=source_id,
            raw=fetched.raw_summary,
            is_private=fetched.private,
            notify=not quiet,
        )
        count += 1
    return count


async def _stored_without_streams(
    session: AsyncSession, account: ConnectedAccount, source_id: str
) -> bool:
    activity_id = await session.scalar(
        select(Activity.id).where(
            Activity.user_id == account.user_id,
            Activity.source == ActivitySource(account.provider),
            Activity.source_id == source_id,
            Activity.deleted_at.is_(None),
        )
    )
    return activity_id is not None and await session.get(ActivityStream, activity_id) is None
