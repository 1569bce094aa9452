"""The scheduler: static schedules from task labels, per-person ones from the dynamic source.

Run exactly one (`trainlytics scheduler`, the Procfile's `scheduler` role): two
schedulers would send every job twice. Tasks are idempotent anyway, so a restart inside
a cron minute cannot double a message.
"""

from __future__ import annotations

from taskiq import TaskiqScheduler
from taskiq.schedule_sources import LabelScheduleSource

from workers.broker import JobBackend


def build_scheduler(backend: JobBackend) -> TaskiqScheduler:
    """Built after the tasks are registered: the label source reads their schedules."""
    return TaskiqScheduler(
        backend.broker, sources=[LabelScheduleSource(backend.broker), backend.schedule_source]
    )
