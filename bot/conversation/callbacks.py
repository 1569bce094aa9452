"""Typed button data, packed into at most 64 bytes (Telegram's callback_data limit).

A `Callback` is a scope, an action and a few arguments: `wk:done:123` is "workout 123:
done". `pack()` writes it, `Callback.parse(data)` reads it back and validates it against
`CATALOGUE` (known scope/action pairs and the type of each argument), so a forged or
stale button raises `InvalidCallback` instead of reaching a handler with garbage.

Doors use it as is: Telegram puts `pack()` in callback_data, Slack in a button's
`value` (with `action_id` free for the door), the console prints numbered choices and
keeps the packed data behind each number.

Build callbacks with `cb(scope, action, *args)`; handlers read arguments with
`callback.int_arg(0)` / `callback.str_arg(1)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64
SEPARATOR = ":"
# Tokens are IANA zone names, enum values and small words: "Europe/Paris", "Etc/GMT+3".
_TOKEN = re.compile(r"^[A-Za-z0-9_./+\-]{1,40}$")
_INT = re.compile(r"^-?[0-9]{1,18}$")


class InvalidCallback(ValueError):
    """Button data that this version of the bot did not produce."""


class Scope(StrEnum):
    WORKOUT = "wk"  # done / skip / move / moveto / card
    LOG = "lg"  # quick-log confirm / cancel
    CHECKIN = "ci"  # rpe / feel / pain / nopain
    ONBOARD = "ob"  # role / tz / units / thr / skip
    SETTINGS = "st"  # menu / units / lang / tz / notif / quiet / remind / disc
    COACH = "co"  # leave / leaveok
    COMMENT = "cm"  # reply (to a workout or an activity)
    PAGE = "pg"  # help page
    ROSTER = "ro"  # a coach opens one athlete of their roster
    CALENDAR = "cl"  # new / off (the private calendar link)
    ACCOUNT = "ac"  # give / keep: the owner's answer about their provider account


# (scope, action) -> argument kinds, "i" an integer, "s" a token.
CATALOGUE: dict[tuple[str, str], str] = {
    ("wk", "done"): "i",
    ("wk", "skip"): "i",
    ("wk", "move"): "i",
    ("wk", "moveto"): "is",  # workout id, ISO date
    ("lg", "ok"): "",
    ("lg", "no"): "",
    ("ci", "rpe"): "sii",  # subject kind ("w" workout / "a" activity), its id, 1..10
    ("ci", "feel"): "sii",  # subject kind, id, 1..5
    ("ci", "pain"): "si",
    ("ci", "nopain"): "si",
    ("ob", "role"): "s",
    ("ob", "tz"): "s",
    ("ob", "tzlist"): "",
    ("ob", "units"): "s",
    ("ob", "thr"): "s",
    ("ob", "skip"): "",
    ("ob", "skipall"): "",
    ("st", "menu"): "s",
    ("st", "units"): "s",
    ("st", "lang"): "s",
    ("st", "tz"): "s",
    ("st", "notif"): "ss",  # kind, mode
    ("st", "quiet"): "s",  # "22-07" or "off"
    ("st", "remind"): "ss",  # "morning"/"evening", "HHMM" or "off"
    ("st", "thr"): "s",
    ("st", "skip"): "",  # skip one threshold question (the /settings Thresholds flow)
    ("st", "disc"): "s",  # disconnect a provider (/connect)
    ("co", "leave"): "",
    ("co", "leaveok"): "",
    ("cm", "reply"): "si",  # "w" or "a", id
    ("pg", "help"): "i",
    ("ro", "open"): "i",  # athlete id
    ("ro", "plan"): "i",  # athlete id: plan a workout for them (a form, or questions)
    ("ro", "comment"): "ii",  # athlete id, workout id (0: their latest session)
    ("ro", "move"): "ii",  # athlete id, workout id
    ("cl", "new"): "",
    ("cl", "off"): "",
    ("ac", "give"): "i",  # account transfer id
    ("ac", "keep"): "i",
}


@dataclass(frozen=True)
class Callback:
    scope: str
    action: str
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        kinds = CATALOGUE.get((self.scope, self.action))
        if kinds is None:
            raise InvalidCallback(f"Unknown button {self.scope}:{self.action}.")
        if len(kinds) != len(self.args):
            raise InvalidCallback(
                f"Button {self.scope}:{self.action} takes {len(kinds)} argument(s)."
            )
        for kind, arg in zip(kinds, self.args, strict=True):
            pattern = _INT if kind == "i" else _TOKEN
            if not pattern.match(arg):
                raise InvalidCallback(f"Bad argument {arg!r} for {self.scope}:{self.action}.")
        if len(self.pack().encode()) > MAX_BYTES:
            raise InvalidCallback(f"Button data longer than {MAX_BYTES} bytes.")

    def pack(self) -> str:
        return SEPARATOR.join((self.scope, self.action, *self.args))

    @classmethod
    def parse(cls, data: str) -> Callback:
        if not data or len(data.encode()) > MAX_BYTES:
            raise InvalidCallback("Empty or oversized button data.")
        scope, _, rest = data.partition(SEPARATOR)
        action, _, tail = rest.partition(SEPARATOR)
        args = tuple(tail.split(SEPARATOR)) if tail else ()
        return cls(scope, action, args)

    def int_arg(self, index: int) -> int:
        return int(self.args[index])

    def str_arg(self, index: int) -> str:
        return self.args[index]


def cb(scope: Scope | str, action: str, *args: int | str) -> Callback:
    """A callback from typed values: cb(Scope.WORKOUT, "done", 123) packs to "wk:done:123"."""
    return Callback(str(scope), action, tuple(str(a) for a in args))
