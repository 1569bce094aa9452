"""The console sender: leaves each notification in the outbox for the person's console chat.

`trainlytics chat` is a process of its own, not the one that delivers (`make run`'s
server, or a worker), so delivering cannot print into the person's terminal. The console
"platform" is the database instead: the sender accepts the row with the receipt
`WAITING`, and the person's chat process (`bot.console.inbox`) shows the waiting rows,
rendered with their buttons, and marks each shown. A notification for someone with no
chat open waits until one opens; nothing is printed in the server's terminal.
"""

from __future__ import annotations

import logging

from core.db.engine import Database
from core.enums import Platform
from core.outbox.sending import ChatTarget, NotificationView, SentReceipt

log = logging.getLogger("trainlytics.console")

# external_message_id of a console notification no chat has shown yet.
WAITING = "console:waiting"


class ConsoleSender:
    platform = Platform.CONSOLE.value

    def __init__(self, db: Database) -> None:
        self._db = db

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        log.debug("console notification %s waits for %s's chat", view.idempotency_key, recipient)
        return SentReceipt(external_message_id=WAITING)
