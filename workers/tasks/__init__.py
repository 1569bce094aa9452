"""Every task module; importing this package registers them on workers.broker.broker."""

from workers.tasks import housekeeping, outbox, schedules, sync

__all__ = ["housekeeping", "outbox", "schedules", "sync"]
