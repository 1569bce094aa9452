"""Console adapter: lines in, the conversation's replies printed as plain text.

Buttons are shown as numbered choices ("[1] Done  [2] Skip"); typing the number presses
the button. Images are written to a folder and their path printed. `/file PATH` sends a
file as a document, `/location LAT LON` shares a location. Works with piped stdin.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.conversation import Conversation
from bot.conversation.markup import to_plain
from bot.conversation.types import (
    Button,
    Buttons,
    GeoPoint,
    Image,
    IncomingFile,
    Reply,
    Request,
    RequestKind,
    Text,
)
from core.accounts import ChatAddress
from core.enums import Platform


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
                elif isinstance(part, Image):
                    self.image_dir.mkdir(parents=True, exist_ok=True)
                    self.images += 1
                    path = self.image_dir / f"{self.images:03d}-{part.filename}"
                    path.write_bytes(part.png)
                    self.out.write(f"[image saved to {path}]\n")
            self.out.write("\n")
        self.out.flush()

    async def run(self, lines: Iterable[str]) -> None:
        for line in lines:
            if line.strip() in ("/quit", "/exit"):
                break
            await self.say(line)
