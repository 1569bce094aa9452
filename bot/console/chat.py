"""Console adapter: lines in, the conversation's replies printed as plain text.

Buttons are shown as numbered choices ("[1] Done  [2] Skip"); typing the number presses
the button. Images are written to a folder and their path printed. `/file PATH` sends a
file as a document, `/location LAT LON` shares a location. Works with piped stdin.

Notifications for this person (a coach's comment, a reminder, "joined") are delivered by
another process; `run_live` polls the ones waiting for this chat (`bot.console.inbox`)
while it waits for a line, and shows them as they arrive, their buttons numbered like
any reply's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.console.inbox import waiting_replies
from bot.conversation import Conversation
from bot.conversation.markup import to_plain
from bot.conversation.types import (
    Button,
    Buttons,
    GeoPoint,
    Image,
    IncomingFile,
    LocationAsk,
    Reply,
    Request,
    RequestKind,
    Text,
)
from core.enums import Platform
from core.people.identities import ChatAddress


class ConsoleChat:
    def __init__(self, conversation: Conversation, name: str, out: TextIO, image_dir: Path) -> None:
        self.conversation = conversation
        self.address = ChatAddress(
            Platform.CONSOLE,
            platform_user_id=name.lower(),
            chat_id=name.lower(),
            display_name=name,
        )
        self.out = out
        self.image_dir = image_dir
        self.choices: list[Button] = []
        self.images = 0

    def request_for(self, line: str) -> Request | None:
        text = line.strip()
        if not text:
            return None
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            button = self.choices[int(text) - 1]
            if button.callback is None:
                self.out.write(f"(open {button.url})\n")
                return None
            return Request(self.address, RequestKind.BUTTON, callback=button.callback)
        if text.startswith("/file "):
            path = Path(text[6:].strip()).expanduser()
            if not path.is_file():
                self.out.write(f"(no such file: {path})\n")
                return None

            async def fetch() -> bytes:
                return path.read_bytes()

            file = IncomingFile(path.name, path.stat().st_size, fetch)
            return Request(self.address, RequestKind.FILE, file=file)
        if text.startswith("/location "):
            try:
                lat, lon = (float(x) for x in text.split()[1:3])
            except ValueError:
                self.out.write("(usage: /location LAT LON)\n")
                return None
            return Request(self.address, RequestKind.LOCATION, location=GeoPoint(lat, lon))
        return Request.parse_command(self.address, text)

    async def say(self, line: str) -> list[Reply]:
        request = self.request_for(line)
        if request is None:
            return []
        replies = await self.conversation.handle(request)
        self.show(replies)
        return replies

    def show(self, replies: Iterable[Reply]) -> None:
        self.choices = []
        for reply in replies:
            for part in reply.parts:
                if isinstance(part, Text):
                    self.out.write(to_plain(part) + "\n")
                elif isinstance(part, Buttons):
                    for row in part.rows:
                        cells = []
                        for button in row:
                            self.choices.append(button)
                            cells.append(f"[{len(self.choices)}] {button.label}")
                        self.out.write("  " + "  ".join(cells) + "\n")
                elif isinstance(part, LocationAsk):
                    self.out.write(f"  ({part.typed_hint})\n")
                elif isinstance(part, Image):
                    self.image_dir.mkdir(parents=True, exist_ok=True)
                    self.images += 1
                    path = self.image_dir / f"{self.images:03d}-{part.filename}"
                    path.write_bytes(part.png)
                    self.out.write(f"[image saved to {path}]\n")
            self.out.write("\n")
        self.out.flush()

    async def show_waiting(self) -> int:
        """Show the notifications waiting for this person; how many there were."""
        replies = await waiting_replies(self.conversation.db, self.conversation.clock, self.address)
        if replies:
            self.show(replies)
        return len(replies)

    async def run(self, lines: Iterable[str]) -> None:
        for line in lines:
            if line.strip() in ("/quit", "/exit"):
                break
            await self.say(line)
            await self.show_waiting()

    async def run_live(self, stream: TextIO, poll_s: float) -> None:
        """Lines from `stream` (read in a thread: a terminal read blocks) while deliveries
        are polled every `poll_s` seconds; ends at /quit or the end of input."""
        lock = asyncio.Lock()  # one of typing or a delivery at a time on the screen

        async def poll() -> None:
            while True:
                async with lock:
                    await self.show_waiting()
                await asyncio.sleep(poll_s)

        poller = asyncio.create_task(poll())
        try:
            while line := await asyncio.to_thread(stream.readline):
                if line.strip() in ("/quit", "/exit"):
                    break
                async with lock:
                    await self.say(line)
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        await self.show_waiting()
