"""Every task module; importing this package registers them on workers.broker.broker."""

from workers.tasks import housekeeping, outbox, schedules

__all__ = ["housekeeping", "outbox", "schedules"]
