"""How a role stops: SIGTERM (what PaaS and Kubernetes send, killing 30 s later) or Ctrl-C.

Every role is gone within `STOP_BUDGET_S` of the signal (tests/roles prove it per role).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Coroutine
from typing import Any

STOP_BUDGET_S = 10.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def until_stopped(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` until it ends or a stop signal arrives, then cancel it and wait for it.

    Without this the default SIGTERM action ends the process wherever it is (in the middle
    of sending a job, say) and nothing is closed.
    """
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, task.cancel)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def skip_exit_collection() -> None:
    """Call once a role's work is over, just before returning from its command.

    The interpreter's last garbage collection walks every object the role ever loaded
    (pydantic schemas, matplotlib, SQLAlchemy): on a busy 2-core machine it took about 7 s
    after everything was closed, most of the stop budget. Frozen objects are not walked.
    """
    gc.freeze()
