"""Local HTTP fakes of the chat platforms, strict like the real services.

`tests.fakes.telegram_bot_api.FakeTelegramBotAPI` and
`tests.fakes.slack_web_api.FakeSlackWebAPI` are aiohttp servers on 127.0.0.1, port 0, so
the production clients (aiogram, slack_sdk) run unmodified; see docs/testing.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web


@dataclass
class UploadedFile:
    """A file part of a multipart request (or a raw upload body)."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedCall:
    """One API call as the fake understood it, whatever its encoding."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 0
    response: Any = None

    @property
    def ok(self) -> bool:
        return (
            self.status == 200 and isinstance(self.response, dict) and bool(self.response.get("ok"))
        )


class LocalFakeServer:
    """aiohttp app on 127.0.0.1:0 with call recording and `wait_for`."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    def build_app(self) -> web.Application:
        raise NotImplementedError("subclasses define their routes")

    @property
    def origin(self) -> str:
        if not self.port:
            raise RuntimeError("the fake server is not started: use `async with`")
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]  # the port the OS chose for 127.0.0.1:0

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def record(self, call: RecordedCall) -> None:
        self.calls.append(call)
        await self.notify()

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        predicate: Callable[[RecordedCall], bool],
        timeout: float = 5,  # noqa: ASYNC109 (the agreed test API takes a timeout)
    ) -> RecordedCall:
        """First recorded call matching `predicate`, waiting for it up to `timeout` s.

        Wakes on every new call instead of sleeping, so tests need no sleeps.
        """

        def match() -> RecordedCall | None:
            return next((call for call in self.calls if predicate(call)), None)

        async def wait() -> RecordedCall:
            async with self._changed:
                found = match()
                while found is None:
                    await self._changed.wait()
                    found = match()
                return found

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            seen = ", ".join(call.method for call in self.calls) or "none"
            raise AssertionError(
                f"no matching call within {timeout} s; calls seen: {seen}"
            ) from None
