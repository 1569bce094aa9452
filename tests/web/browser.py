"""A headless Chromium driven over the Chrome DevTools Protocol, for tests that need a browser.

Small on purpose (about 100 lines over aiohttp's websocket client, already installed with
aiogram) instead of Playwright/Selenium, which would download their own browsers: the
tests use Debian's `chromium` package and only need navigate, evaluate, click, viewport,
screenshot and the console's errors.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
STEP_LIMIT_S = 30.0  # a hang guard for each browser step, not a speed expectation


def find_chromium() -> str | None:
    explicit = os.environ.get("TRAINLYTICS_TEST_CHROMIUM")
    if explicit:
        return explicit
    return next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)


class Browser:
    def __init__(self, binary: str, profile_dir: Path) -> None:
        self.binary = binary
        self.profile_dir = profile_dir
        self.process: asyncio.subprocess.Process | None = None
        self.http: aiohttp.ClientSession | None = None
        self.port = 0

    async def __aenter__(self) -> Browser:
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        self.process = await asyncio.create_subprocess_exec(
            self.binary,
            "--headless=new",
            "--no-sandbox",  # tests may run as root in a container
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            f"--user-data-dir={self.profile_dir}",
            "about:blank",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile_dir / "DevToolsActivePort"
        async with asyncio.timeout(STEP_LIMIT_S):
            while not port_file.exists() or not port_file.read_text().strip():
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.binary} exited with {self.process.returncode}")
                await asyncio.sleep(0.05)
        self.port = int(port_file.read_text().split()[0])
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.http is not None:
            await self.http.close()
        if self.process is not None:
            self.process.terminate()
            try:
                async with asyncio.timeout(10):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def page(self) -> Page:
        assert self.http is not None
        async with self.http.get(f"http://127.0.0.1:{self.port}/json/list") as response:
            targets = await response.json()
        target = next(t for t in targets if t["type"] == "page")
        ws = await self.http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        page = Page(ws)
        await page.start()
        return page


class Page:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.console_errors: list[str] = []
        self.loaded = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.reader = asyncio.create_task(self._read())
        for domain in ("Page", "Runtime", "Log"):
            await self.send(f"{domain}.enable")

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.ws.close()

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        message_id = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[message_id] = future
        await self.ws.send_str(
            json.dumps({"id": message_id, "method": method, "params": params or {}})
        )
        async with asyncio.timeout(STEP_LIMIT_S):
            reply = await future
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data:
                future = self.pending.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            else:
                self._on_event(data["method"], data.get("params", {}))

    def _on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Page.loadEventFired":
            self.loaded.set()
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.console_errors.append(" ".join(str(a.get("value")) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            self.console_errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.console_errors.append(f"{entry.get('text')} ({entry.get('url', '')})")

    async def goto(self, url: str) -> None:
        self.loaded.clear()
        await self.send("Page.navigate", {"url": url})
        await self._wait_loaded()

    async def click(self, selector: str) -> None:
        """Click a link and wait for the page it leads to."""
        self.loaded.clear()
        clicked = await self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            # Clicked after this evaluation returns: a navigation during it would destroy
            # the context the answer comes from.
            " if (!el) return false; setTimeout(() => el.click(), 0); return true; })()"
        )
        if not clicked:
            raise AssertionError(f"nothing matches {selector!r}")
        await self._wait_loaded()

    async def _wait_loaded(self) -> None:
        async with asyncio.timeout(STEP_LIMIT_S):
            await self.loaded.wait()

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        return result["result"].get("value")

    async def viewport(self, width: int, height: int, *, mobile: bool, scale: float = 1) -> None:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )

    async def screenshot(self, path: Path) -> Path:
        """The whole page, not only the visible part."""
        metrics = await self.send("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        shot = await self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            },
        )
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
        return path
