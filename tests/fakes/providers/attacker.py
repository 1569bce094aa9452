"""A hostile server on another loopback port: what a forged webhook points our workers at.

It records every request (so a test can assert that none arrived, and that no token
did) and answers any GET with forged activity records and any file path with bytes, the
way an attacker who wants an activity stored and a token stolen would.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.providers.base import FakeServer


class FakeAttacker(FakeServer):
    def __init__(self, records: list[dict[str, Any]] | None = None) -> None:
        self.records = records or []
        super().__init__()

    @property
    def api_base(self) -> str:
        return self.base_url

    def url(self, path: str = "/steal") -> str:
        return f"{self.base_url}{path}"

    def tokens_seen(self) -> list[str]:
        """Every Authorization header (or token query value) that reached this server."""
        seen = [c.headers["Authorization"] for c in self.calls if "Authorization" in c.headers]
        return seen + [c.query["token"] for c in self.calls if "token" in c.query]

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._anything)

    async def _anything(self, request: web.Request) -> web.StreamResponse:
        if request.path.endswith((".fit", "File")):
            return web.Response(body=b"\x0e\x10" + b"\x00" * 64)
        return web.json_response(self.records)
