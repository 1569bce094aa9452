"""FastAPI dependencies of the web door: one per thing a route uses, typed.

`create_app` puts the root's objects on `app.state`; these read them back. Each is async
on purpose: FastAPI runs a plain-function dependency in its thread pool, a thread hop per
request that costs more than the rest of a small answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.clock import Clock
from core.db.engine import Database
from core.jobs import JobQueue
from core.services import Services
from core.settings import Settings
from core.sync.build import SyncContext


async def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def settings_of(request: Request) -> Settings:
    return (await services_of(request)).settings


async def database_of(request: Request) -> Database:
    return (await services_of(request)).db


async def clock_of(request: Request) -> Clock:
    return (await services_of(request)).clock


async def jobs_of(request: Request) -> JobQueue:
    return (await services_of(request)).jobs


async def sync_of(request: Request) -> SyncContext:
    sync: SyncContext = request.app.state.sync
    return sync


ServicesDep = Annotated[Services, Depends(services_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]
DatabaseDep = Annotated[Database, Depends(database_of)]
ClockDep = Annotated[Clock, Depends(clock_of)]
JobsDep = Annotated[JobQueue, Depends(jobs_of)]
SyncDep = Annotated[SyncContext, Depends(sync_of)]
