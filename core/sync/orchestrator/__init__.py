"""Provider sync on the database: backfill, webhook events, hourly poll.

Every entry point is one job a worker runs (`workers/tasks/sync.py` wraps them) and
returns a `StepResult`: finished, or to be retried at `retry_at` (rate limit, provider
outage). Any job may run twice: activities are upserted on (provider, provider activity
id) by `core.activities.ingest`, the backfill keeps a cursor in `ConnectedAccount.backfill` that
advances in the same transaction as each stored activity, and webhook events are stored
once and marked done.

History never floods anyone: backfilled activities, and webhook activities that started
before the account was connected, are recorded with `notify=False`. The athlete sees one
progress message (outbox rows of kind `sync_status` carrying `progress_of`, which the
sender edits in place) and, once per delay, a notice that the sync is late.

The modules: `webhook_events` (store each event once, apply it later),
`provider_confirmations` (a deletion or revocation is believed once the provider confirms
it), `backfill` (history, oldest first, under a lease), `hourly_poll` (what webhooks
missed), `fetch_and_record` (one provider activity into `core.activities.ingest`),
`step_results` (what a step returns, its retry delay and its sync log), `activity_refs`.

The public API, re-exported here for the doors: the jobs a worker runs (`process_event`,
`stranded_events`, `backfill_step`, `backfills_to_resume`, `accounts_to_poll`,
`poll_account`, each giving a `StepResult`) and what the webhook endpoint calls
(`store_webhook_deliveries`). Everything else is imported from its module.
"""

from core.sync.orchestrator.backfill import backfill_step, backfills_to_resume
from core.sync.orchestrator.hourly_poll import accounts_to_poll, poll_account
from core.sync.orchestrator.step_results import StepResult
from core.sync.orchestrator.webhook_events import (
    process_event,
    store_webhook_deliveries,
    stranded_events,
)

__all__ = [
    "StepResult",
    "accounts_to_poll",
    "backfill_step",
    "backfills_to_resume",
    "poll_account",
    "process_event",
    "store_webhook_deliveries",
    "stranded_events",
]
