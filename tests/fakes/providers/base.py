"""Shared machinery of the fake provider servers: a real aiohttp server on 127.0.0.1.

Each fake records every call in `.calls` and can be told to fail the next calls to a
path (`fail_next`), so tests drive the production clients unmodified.
"""

from __future__ import annotations

import json
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web


@dataclass
class RecordedCall:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class PlannedFailure:
    path_prefix: str
    status: int
    remaining: int
    body: Any = field(default_factory=lambda: {"message": "planned failure"})
    headers: dict[str, str] = field(default_factory=dict)


class FakeServer(ABC):
    """Subclasses add routes in `_routes`; use as `async with Fake() as fake:`."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self._failures: list[PlannedFailure] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.app = web.Application(middlewares=[self._record, self._planned_failures])
        self._routes(self.app.router)

    @abstractmethod
    def _routes(self, router: web.UrlDispatcher) -> None:
        """Register the provider's endpoints."""

    async def __aenter__(self) -> Self:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]  # the port the OS chose for 127.0.0.1:0
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        count: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next `count` calls whose path starts with `path_prefix` answer `status`."""
        self._failures.append(
            PlannedFailure(
                path_prefix, status, count, body or {"message": "planned failure"}, headers or {}
            )
        )

    def calls_to(self, path_prefix: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.path.startswith(path_prefix)]

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.read()
        self.calls.append(
            RecordedCall(
                request.method, request.path, dict(request.query), dict(request.headers), body
            )
        )
        return await handler(request)

    @web.middleware
    async def _planned_failures(self, request: web.Request, handler: Any) -> web.StreamResponse:
        for failure in self._failures:
            if failure.remaining > 0 and request.path.startswith(failure.path_prefix):
                failure.remaining -= 1
                return web.json_response(
                    failure.body, status=failure.status, headers=failure.headers
                )
        return await handler(request)


def new_token(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(12)}"


def json_error(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )
