"""What taskiq's own command line loads: `trainlytics.entry:broker` and `:scheduler`.

`trainlytics worker` and `trainlytics scheduler` run taskiq's worker and scheduler on these
(the Procfile's roles); `taskiq worker trainlytics.entry:broker` works the same. Importing
this module builds the broker and registers the tasks; each worker process builds the rest
of the container (pools, senders, sync context) when taskiq starts it, and closes it when
taskiq stops it.
"""

from __future__ import annotations

from core.settings import load_settings
from trainlytics.container import build_job_backend, open_worker_jobs
from workers.jobs import install
from workers.scheduler import build_scheduler

settings = load_settings()
jobs_backend = build_job_backend(settings)
broker = jobs_backend.backend.broker
scheduler = build_scheduler(jobs_backend.backend)


install(broker, lambda: open_worker_jobs(settings, jobs_backend))
