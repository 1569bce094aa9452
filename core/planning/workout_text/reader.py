"""Reading the workout text into the stored structure (core/planning/structure.py).

A small hand-written reader rather than a grammar library (lark was the candidate): the
notation is a few dozen tokens, but its meaning depends on the sport (`400m` is metres on a
run, `4m` minutes on a ride), `/` is both a step separator and the `/km` of a pace, and every
refusal has to quote the very part the person typed; a generated parser would need all of
that bolted on around it. Reading is two steps: `_Splitter` cuts the text into steps and
repeats (parentheses, separators, quoted notes), then one regular expression reads each
step's tokens and `_Builder` turns them into checked steps with the kinds their place gives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.planning.structure import (
    MAX_BLOCKS,
    MAX_CSS_OFFSET_S,
    MAX_DEPTH,
    MAX_REPEAT_STEPS,
    MAX_ZONE,
    PACE_PER_M,
    StepKind,
    TargetType,
    flat_steps,
    validate_structure,
)
from core.planning.workout_text import syntax
from core.planning.workout_text.errors import WorkoutTextError
from core.planning.workout_text.syntax import Family


@dataclass(frozen=True)
class ParsedWorkout:
    """The sport named at the start of the text (`run: ...`), else the one given, and the
    structure in its stored (canonical) form."""

    sport: str | None
    structure: list[dict[str, Any]]


def parse_workout(text: str, sport: str | None = None) -> ParsedWorkout:
    """Read a workout text; `sport` is the workout's sport when the text names none.

    Raises WorkoutTextError (a catalogue sentence quoting the wrong part) and nothing is
    half-read: the result is the whole structure or an error.
    """
    if len(text) > syntax.MAX_TEXT:
        raise WorkoutTextError("text_too_long", limit=syntax.MAX_TEXT)
    body, sport = _sport_prefix(text, sport)
    fam = syntax.family(sport)
    nodes = [n for n in _Splitter(body).top() if n is not None]
    if not nodes:
        raise WorkoutTextError("text_empty")
    structure = _Builder(fam).blocks(nodes, in_repeat=False, owner="", depth=0)
    _check_size(structure)
    return ParsedWorkout(sport, validate_structure(structure))


_PREFIX = re.compile(r"\s*([a-z][a-z_ -]*?)\s*:(?!\d)", re.IGNORECASE)


def _sport_prefix(text: str, sport: str | None) -> tuple[str, str | None]:
    match = _PREFIX.match(text)
    if match is None:
        return text, sport
    word = "_".join(match[1].lower().replace("-", " ").split())
    if word not in syntax.SPORT_WORDS:
        raise WorkoutTextError("text_unknown_sport", sport=match[1].strip())
    return text[match.end() :], syntax.SPORT_WORDS[word]


def _check_size(structure: list[dict[str, Any]]) -> None:
    if len(structure) > MAX_BLOCKS:
        raise WorkoutTextError("text_too_many_blocks", limit=MAX_BLOCKS)
    done = flat_steps(structure)
    if len(done) > syntax.MAX_STEPS:
        raise WorkoutTextError("text_too_many_steps", count=len(done), limit=syntax.MAX_STEPS)
    rounds = sum(times for _, times in done)
    if rounds > syntax.MAX_DONE_STEPS:
        raise WorkoutTextError("text_too_many_rounds", count=rounds, limit=syntax.MAX_DONE_STEPS)


# ---------------------------------------------------------------- cutting into steps


@dataclass
class _StepNode:
    text: str


@dataclass
class _RepeatNode:
    count: int
    body: list[_StepNode | _RepeatNode | None]
    source: str
    tail: str = ""  # what follows the closing parenthesis: a rest ("r2m")


_Node = _StepNode | _RepeatNode | None
_REPEAT_HEAD = re.compile(r"(\d+)\s*[x×X*]\s*")
_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“"}
_PACE_BEFORE = re.compile(r"(?:\d:\d\d(?:[.,]\d+)?|\d(?:[.,]\d+)?s)\s*$", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"\d,\d")
_SPECIAL = re.compile(r"[;\n(),/\"“«„]")
_PER_AFTER = re.compile(r"\s*(?:km|k|mi|mile|100\s*m|100\s*yd)(?![a-z0-9])", re.IGNORECASE)


class _Splitter:
    """Cuts the text into steps and repeats; `None` stands for an empty step (`5x(4m / )`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def top(self) -> list[_Node]:
        items = self._list(closing=False)
        if self.pos < len(self.text):  # stopped at a ")" nobody opened
            raise WorkoutTextError("text_unopened", text=self.text[: self.pos + 1])
        return items

    def _list(self, closing: bool) -> list[_Node]:
        items: list[_Node] = []
        while True:
            items.append(self._item())
            char = self._peek()
            if char == "":
                return items
            if char == ")":
                return items
            self.pos += 1  # a separator

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r":
            self.pos += 1

    def _item(self) -> _Node:
        self._skip_space()
        start = self.pos
        head = _REPEAT_HEAD.match(self.text, self.pos)
        if head is not None:
            self.pos = head.end()
            count = int(head[1])
            if self._peek() == "(":
                self.pos += 1
                body = self._list(closing=True)
                if self._peek() != ")":
                    raise WorkoutTextError("text_unclosed", text=self.text[start:])
                self.pos += 1
                source = self.text[start : self.pos]
                tail = self._step_text()
                return _RepeatNode(count, body, source, tail.strip())
            step = self._step_text().strip()
            source = self.text[start : self.pos].strip()
            return _RepeatNode(count, [_StepNode(step) if step else None], source)
        text = self._step_text().strip()
        return _StepNode(text) if text else None

    def _step_text(self) -> str:
        """Characters up to the next separator or ")", notes in quotes kept whole."""
        start = self.pos
        text = self.text
        while True:
            special = _SPECIAL.search(text, self.pos)
            if special is None:
                self.pos = len(text)
                break
            self.pos = special.start()
            char = special[0]
            if char in _QUOTES:
                self._skip_note(start)
                continue
            if char == "(":
                raise WorkoutTextError("text_unreadable", text=text[start:], token="(")
            if char == "," and _DECIMAL_COMMA.match(text, self.pos - 1):
                self.pos += 1  # a decimal comma: "1,5km"
                continue
            if (
                char == "/"
                and _PACE_BEFORE.search(text, start, self.pos)
                and _PER_AFTER.match(text, self.pos + 1)
            ):
                self.pos += 1  # the "/km" of a pace
                continue
            break
        return text[start : self.pos]

    def _skip_note(self, start: int) -> None:
        close = _QUOTES[self.text[self.pos]]
        self.pos += 1
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and close == '"':
                self.pos += 2
                continue
            self.pos += 1
            if char == close:
                return
        raise WorkoutTextError("text_note_unclosed", text=self.text[start:])


# ---------------------------------------------------------------- reading one step

_NUM = r"\d+(?:[.,]\d+)?"
_DASH = r"\s*[-–—]\s*"
_PACE = r"\d+:\d\d(?:[.,]\d+)?"
_PER = r"km|k|mi|mile|100\s*m|100\s*yd"
_END = r"(?![a-z0-9])"
_PATTERNS = [
    ("note", r'"(?:[^"\\]|\\.)*"|“[^”]*”|«[^»]*»|„[^“]*“'),
    ("hm", rf"(?P<hm_h>\d+)h(?P<hm_m>\d+)(?:min|m)?{_END}"),
    ("ms", rf"(?P<ms_m>\d+)(?:min|m)(?P<ms_s>{_NUM})s?{_END}"),
    (
        "pace",
        rf"(?P<pace_a>{_PACE})(?:{_DASH}(?P<pace_b>{_PACE}))?\s*/\s*(?P<pace_per>{_PER}){_END}",
    ),
    (
        "paces",
        rf"(?P<paces_a>{_NUM})s?(?:{_DASH}(?P<paces_b>{_NUM}))?s\s*/\s*(?P<paces_per>{_PER}){_END}",
    ),
    (
        "percent",
        rf"(?P<pct_a>{_NUM})(?:{_DASH}(?P<pct_b>{_NUM}))?\s*%"
        rf"(?:\s*(?P<pct_w>ftp|power|pwr|lthr|hr|pace|tp|css|rpe|cadence){_END})?",
    ),
    (
        "zone",
        rf"z(?P<zone_a>\d+)(?:{_DASH}z?(?P<zone_b>\d+))?(?:\s*(?P<zone_w>hr|power|pwr|pace){_END})?{_END}",
    ),
    ("watts", rf"(?P<w_a>{_NUM})(?:{_DASH}(?P<w_b>{_NUM}))?\s*(?:w|watts?){_END}"),
    ("bpm", rf"(?P<bpm_a>{_NUM})(?:{_DASH}(?P<bpm_b>{_NUM}))?\s*(?:bpm|hr){_END}"),
    ("rpm", rf"(?P<rpm_a>{_NUM})(?:{_DASH}(?P<rpm_b>{_NUM}))?\s*(?:rpm|spm){_END}"),
    ("rpe", rf"rpe\s*(?P<rpe_a>{_NUM})(?:{_DASH}(?P<rpe_b>{_NUM}))?{_END}"),
    (
        "css",
        rf"css(?:\s*(?P<css_a>[+\-−]\s*{_NUM})\s*(?:s|sec)?"
        rf"(?:\s*\.\.\s*(?P<css_b>[+\-−]?\s*{_NUM})\s*(?:s|sec)?)?)?{_END}",
    ),
    ("rest", r"r(?=\d)"),
    (
        "plain",
        rf"(?P<plain_a>{_NUM})(?:{_DASH}(?P<plain_b>{_NUM}))?\s+"
        rf"(?P<plain_w>power|heart_rate|heart rate|hr|pace|cadence|rpe){_END}",
    ),
    (
        "extent",
        rf"(?P<ext_a>{_NUM})\s*(?P<ext_u>hours?|hrs|h|minutes?|mins?|m|seconds?|secs?|s"
        rf"|km|k|miles?|mi|mtr|metres?|meters?|yards?|yds?){_END}",
    ),
    ("at", r"@"),
    ("word", r"[a-z][a-z_-]*"),
    ("bad", r"\S+"),
]
_NUMERIC = {"hm", "ms", "pace", "paces", "percent", "watts", "bpm", "rpm", "plain", "extent"}


def _alternatives(numeric: bool) -> str:
    return "|".join(f"(?P<{n}>{b})" for n, b in _PATTERNS if (n in _NUMERIC) == numeric)


# One pass over a step: every token with the spaces before it ("bad" is what nothing reads).
# A token starting with a digit is tried only against the numeric forms, the others only
# against the rest: a third of the time on the 200-step benchmark.
_TOKENS = re.compile(
    rf"\s*(?:(?=\d)(?:{_alternatives(True)}|(?P<bad_number>\S+))|{_alternatives(False)})",
    re.IGNORECASE,
)
_UNITS = {
    "hour": "h",
    "hours": "h",
    "hrs": "h",
    "hr": "h",
    "h": "h",
    "minute": "min",
    "minutes": "min",
    "mins": "min",
    "min": "min",
    "m": "m",
    "second": "s",
    "seconds": "s",
    "secs": "s",
    "sec": "s",
    "s": "s",
    "km": "km",
    "k": "km",
    "mile": "mi",
    "miles": "mi",
    "mi": "mi",
    "mtr": "mtr",
    "metre": "mtr",
    "metres": "mtr",
    "meter": "mtr",
    "meters": "mtr",
    "yard": "yd",
    "yards": "yd",
    "yds": "yd",
    "yd": "yd",
}


def number(text: str) -> float:
    """A typed number; a comma between digits is a decimal comma ("1,5")."""
    return float(text.replace(",", ".").replace("−", "-").replace(" ", ""))


def extent_of(amount: str, unit: str, fam: Family) -> tuple[str, float]:
    """("duration_s" | "distance_m", value) of `amount` `unit` as this sport reads it."""
    value = number(amount)
    unit = _UNITS[unit.lower()]
    if unit == "m":
        unit = "mtr" if syntax.bare_m_is_metres(fam, value) else "min"
    if unit in syntax.SECONDS:
        return "duration_s", value * syntax.SECONDS[unit]
    return "distance_m", value * syntax.METRES[unit]


def pace_seconds(text: str) -> float:
    """Seconds of a typed "m:ss" ("4:15", "1:45.5")."""
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + number(seconds)


def per_of(text: str) -> str:
    return syntax.PER_WORDS["".join(text.lower().split())]


@dataclass
class _Draft:
    """One step as read, before its place gives it a kind and its values are checked."""

    text: str
    kind: StepKind | None = None
    extents: list[tuple[str, float]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    cadences: list[tuple[float, float]] = field(default_factory=list)
    ramp: bool = False
    note: str | None = None
    rest: tuple[str, float] | None = None
    is_rest_only: bool = False


def _range(match: re.Match[str], prefix: str) -> tuple[float, float]:
    low = number(match[f"{prefix}_a"])
    high_text = match[f"{prefix}_b"]
    return low, number(high_text) if high_text else low


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _note_text(token: str) -> str:
    """The note inside its quotes; inside straight quotes a backslash escapes a quote, a
    backslash, or (written before "n") a new line."""
    inner = token[1:-1]
    if token[0] != '"':
        return inner
    return _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else m[1], inner)


def read_step(text: str, fam: Family) -> _Draft:
    draft = _Draft(text)
    rest_pending = False
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or ""
        token = match[kind]
        if kind in ("bad", "bad_number"):
            raise WorkoutTextError("text_unreadable", text=text, token=token)
        if kind == "note":
            if draft.note is not None:
                raise WorkoutTextError("text_two_notes", text=text)
            draft.note = _note_text(token)
        elif rest_pending:
            if kind not in ("hm", "ms", "extent"):
                raise WorkoutTextError("text_unreadable", text=text, token="r" + token)
            draft.rest = _extent_token(match, kind, fam)
            rest_pending = False
        elif kind in ("hm", "ms", "extent"):
            draft.extents.append(_extent_token(match, kind, fam))
        elif kind == "rest":
            if draft.rest is not None:
                raise WorkoutTextError("text_unreadable", text=text, token=text[match.start() :])
            rest_pending = True
        elif kind == "rpm":
            draft.cadences.append(_range(match, "rpm"))
        elif kind == "word":
            _word(draft, token)
        elif kind != "at":
            draft.targets.append(_target(match, kind, fam, text))
    if rest_pending:
        raise WorkoutTextError("text_unreadable", text=text, token="r")
    draft.is_rest_only = draft.rest is not None and not (
        draft.kind or draft.extents or draft.targets or draft.cadences or draft.ramp or draft.note
    )
    return draft


def _extent_token(match: re.Match[str], kind: str, fam: Family) -> tuple[str, float]:
    if kind == "hm":
        return "duration_s", int(match["hm_h"]) * 3600.0 + int(match["hm_m"]) * 60.0
    if kind == "ms":
        return "duration_s", int(match["ms_m"]) * 60.0 + number(match["ms_s"])
    return extent_of(match["ext_a"], match["ext_u"], fam)


def _word(draft: _Draft, token: str) -> None:
    word = token.lower()
    if word == "ramp" and not draft.ramp:
        draft.ramp = True
    elif word in syntax.KIND_WORDS and draft.kind is None:
        draft.kind = syntax.KIND_WORDS[word]
    else:
        raise WorkoutTextError("text_unreadable", text=draft.text, token=token)


def _target(match: re.Match[str], kind: str, fam: Family, text: str) -> dict[str, Any]:
    """One target token as a stored target; `low`/`high` in typed order until `_finish`."""
    token = match[kind]
    if kind == "percent":
        low, high = _range(match, "pct")
        word = (match["pct_w"] or "").lower()
        target_type = syntax.PERCENT_WORDS[word] if word else syntax.default_type(fam)
        if max(low, high) > syntax.MAX_PERCENT:
            raise WorkoutTextError(
                "text_percent_too_high",
                text=text,
                value=max(low, high),
                limit=syntax.MAX_PERCENT,
            )
        return _typed(target_type, "percent", low, high, token)
    if kind == "zone":
        low, high = _range(match, "zone")
        if not (1 <= low <= MAX_ZONE and 1 <= high <= MAX_ZONE):
            raise WorkoutTextError("text_zone", text=text, limit=MAX_ZONE)
        word = (match["zone_w"] or "").lower()
        target_type = syntax.PERCENT_WORDS[word] if word else syntax.default_type(fam)
        return _typed(target_type, "zone", low, high, token)
    if kind == "pace":
        low = pace_seconds(match["pace_a"])
        high = pace_seconds(match["pace_b"]) if match["pace_b"] else low
        return _pace(low, high, per_of(match["pace_per"]), token, text)
    if kind == "paces":
        low, high = _range(match, "paces")
        return _pace(low, high, per_of(match["paces_per"]), token, text)
    if kind == "css":
        low = number(match["css_a"]) if match["css_a"] else 0.0
        high_text = (match["css_b"] or "").replace(" ", "")
        high = number(high_text) if high_text.strip("+-−") else low
        if max(abs(low), abs(high)) > MAX_CSS_OFFSET_S:
            raise WorkoutTextError("text_css_offset", text=text, limit=MAX_CSS_OFFSET_S)
        return _typed("pace", "offset", min(low, high), max(low, high), token)
    if kind == "plain":
        low, high = _range(match, "plain")
        word = "_".join(match["plain_w"].lower().split())
        return _typed(syntax.PLAIN_WORDS[word], "absolute", low, high, token)
    prefix, target_type = _ABSOLUTE[kind]
    lowest, highest = _BOUNDS[kind]
    low, high = _range(match, prefix)
    if not (lowest <= min(low, high) and max(low, high) <= highest):
        raise WorkoutTextError("text_implausible", text=text, target=token)
    return _typed(target_type, "absolute", low, high, token)


_ABSOLUTE: dict[str, tuple[str, TargetType]] = {
    "watts": ("w", "power"),
    "bpm": ("bpm", "heart_rate"),
    "rpe": ("rpe", "rpe"),
}
_BOUNDS = {"watts": (1.0, syntax.MAX_WATTS), "bpm": syntax.HEART_RATE_BPM, "rpe": (1.0, 10.0)}


def _typed(
    target_type: TargetType, unit: str, low: float, high: float, token: str
) -> dict[str, Any]:
    return {"type": target_type, "unit": unit, "low": low, "high": high, "_token": token}


def _pace(low: float, high: float, per: str, token: str, text: str) -> dict[str, Any]:
    lowest, highest = syntax.PACE_S_PER_KM
    for seconds in (low, high):
        if not lowest <= seconds / PACE_PER_M[per] * 1000 <= highest:
            raise WorkoutTextError("text_implausible", text=text, target=token)
    return {**_typed("pace", "absolute", low, high, token), "per": per}


# ---------------------------------------------------------------- building the structure


class _Builder:
    def __init__(self, fam: Family) -> None:
        self.fam = fam

    def blocks(
        self, nodes: Sequence[_Node], *, in_repeat: bool, owner: str, depth: int
    ) -> list[dict[str, Any]]:
        """The blocks of one list (the workout or a repeat's body), read in order."""
        drafts: list[_Draft | _RepeatNode | None] = []
        for node in nodes:
            if isinstance(node, _StepNode):
                draft = read_step(node.text, self.fam)
                if not draft.is_rest_only:
                    drafts.append(draft)
                if draft.rest is not None:
                    drafts.append(_rest_draft(draft))
            elif isinstance(node, _RepeatNode):
                drafts.append(node)
                if node.tail:
                    tail = read_step(node.tail, self.fam)
                    if not tail.is_rest_only:
                        raise WorkoutTextError(
                            "text_unreadable", text=f"{node.source} {node.tail}", token=node.tail
                        )
                    drafts.append(_rest_draft(tail))
            else:
                drafts.append(None)
        has_repeat = any(isinstance(d, _RepeatNode) for d in drafts)
        out: list[dict[str, Any]] = []
        for index, item in enumerate(drafts):
            place = syntax.inferred_kind(index, len(drafts), in_repeat, has_repeat)
            if isinstance(item, _RepeatNode):
                out.append(self._repeat(item, depth + 1))
            elif item is None:
                raise WorkoutTextError(f"text_no_extent_{place}", text=owner)
            else:
                out.append(_finish(item, item.kind or place))
        return out

    def _repeat(self, node: _RepeatNode, depth: int) -> dict[str, Any]:
        if node.count < 2:
            raise WorkoutTextError("text_repeat_too_few", text=node.source)
        if node.count > syntax.MAX_REPEAT:
            raise WorkoutTextError(
                "text_repeat_too_many", text=node.source, limit=syntax.MAX_REPEAT
            )
        if depth > MAX_DEPTH:
            raise WorkoutTextError("text_too_deep", text=node.source, limit=MAX_DEPTH)
        if all(n is None for n in node.body):
            raise WorkoutTextError("text_repeat_empty", text=node.source)
        steps = self.blocks(node.body, in_repeat=True, owner=node.source, depth=depth)
        if len(steps) > MAX_REPEAT_STEPS:
            raise WorkoutTextError("text_repeat_too_long", text=node.source, limit=MAX_REPEAT_STEPS)
        return {"repeat": node.count, "steps": steps}


def _rest_draft(draft: _Draft) -> _Draft:
    assert draft.rest is not None
    return _Draft(draft.text, kind="rest", extents=[draft.rest])


def _finish(draft: _Draft, kind: StepKind) -> dict[str, Any]:
    """The step as stored, or the refusal naming what is wrong with it."""
    text = draft.text
    if not draft.extents:
        raise WorkoutTextError(f"text_no_extent_{kind}", text=text)
    if len(draft.extents) > 1:
        raise WorkoutTextError("text_two_extents", text=text)
    ((name, value),) = draft.extents
    if value <= 0:
        raise WorkoutTextError("text_zero", text=text)
    if name == "duration_s" and value > 24 * 3600:
        raise WorkoutTextError("text_step_too_long", text=text)
    if name == "distance_m" and value > 1_000_000:
        raise WorkoutTextError("text_step_too_far", text=text)
    step: dict[str, Any] = {"kind": kind, name: value}
    targets = list(draft.targets)
    cadences = list(draft.cadences)
    if not targets and cadences:
        low, high = cadences.pop(0)
        targets.append(_typed("cadence", "absolute", low, high, ""))
    if len(targets) > 1 or len(cadences) > 1:
        raise WorkoutTextError("text_two_targets", text=text)
    for low, high in cadences + [(t["low"], t["high"]) for t in targets if t["type"] == "cadence"]:
        if not (min(low, high) > 0 and max(low, high) <= syntax.MAX_RPM):
            raise WorkoutTextError("text_implausible", text=text, target=f"{high:g} rpm")
    if targets:
        step["target"] = _ordered(targets[0], draft.ramp, text)
    elif draft.ramp:
        raise WorkoutTextError("text_ramp", text=text)
    if cadences:
        low, high = cadences[0]
        if high < low:
            raise WorkoutTextError("text_target_order", text=text)
        step["cadence"] = {"low": low, "high": high}
    if draft.note is not None:
        if len(draft.note) > syntax.MAX_NOTE:
            raise WorkoutTextError("text_note_too_long", text=text, limit=syntax.MAX_NOTE)
        step["note"] = draft.note
    return step


def _ordered(target: dict[str, Any], ramp: bool, text: str) -> dict[str, Any]:
    """Low <= high as stored; a ramp keeps its direction, a pace range reads either way."""
    out = {k: v for k, v in target.items() if k != "_token"}
    low, high = out["low"], out["high"]
    if ramp:
        if low == high or out["unit"] in ("zone", "offset"):
            raise WorkoutTextError("text_ramp", text=text)
        out["ramp"] = "up" if low < high else "down"
        out["low"], out["high"] = min(low, high), max(low, high)
    elif high < low:
        if out["type"] != "pace" or out["unit"] != "absolute":
            raise WorkoutTextError("text_target_order", text=text, low=high, high=low)
        out["low"], out["high"] = high, low
    if out["unit"] == "percent" and min(low, high) <= 0:
        raise WorkoutTextError("text_implausible", text=text, target=target["_token"])
    return out
