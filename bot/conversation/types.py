"""The neutral request and reply every chat door speaks.

A door (Telegram, Slack, console) turns what a person did into a `Request` and hands it
to `bot.conversation.Conversation.handle`, which answers with a list of `Reply`. The door
then renders each reply with its own means:

- `Text` is a tuple of `Span`s: plain, bold, italic, code or link. Renderers turn it into
  escaped Telegram HTML, Slack mrkdwn or plain text (`bot.conversation.markup` has the
  three translations, so no renderer hand-escapes anything).
- `Buttons` are rows of `Button`s. A button carries either a `Callback` (packed with
  `Callback.pack()` into at most 64 bytes, Telegram's limit for callback data) or a URL.
- `Image` is PNG bytes with a filename and an optional caption.
- `LocationAsk` offers a one-tap "share my location" button (Telegram's reply keyboard
  with request_location); a door without one shows its typed hint instead.
- `Reply.thread` asks the door to answer in the thread of the message standing for a
  workout, activity or comment (a Telegram reply, a Slack thread). `Reply.edit` asks it to
  replace the message whose button was pressed instead of sending a new one.
  `Reply.stands_for` asks the door to remember (as a `core.db.models.MessageRef`) that the
  message it sends stands for that subject, so a later reply to it reaches the subject.
- Long text: `split_for_limit(text, limit)` cuts a `Text` on paragraph, then line
  boundaries into pieces no longer than `limit` (Telegram: 4096 characters per message)
  without breaking a span's formatting; `Reply.pages(limit)` applies it to a whole reply.

The person is resolved by the conversation layer from `Request.address` (a
`core.people.identities.ChatAddress`); doors never touch the database for that.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import ClassVar

from bot.conversation.callbacks import Callback
from core.people.identities import ChatAddress

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024


class RequestKind(StrEnum):
    COMMAND = "command"  # "/today", "/race 2025-06-01"
    TEXT = "text"  # free text, or an answer to a question the bot asked
    BUTTON = "button"  # a pressed button; Request.callback holds its parsed data
    FILE = "file"  # a document (FIT, GPX, TCX)
    LOCATION = "location"  # a shared location (onboarding's timezone question)
    OTHER = "other"  # anything else a person sends (a photo, a sticker, a voice note)
    FORM = "form"  # fields a form collected (a Slack modal); Request.form holds them


@dataclass(frozen=True)
class MessageKey:
    """A chat message as its platform names it (Telegram message_id, Slack ts)."""

    chat_id: str
    message_id: str
    thread_id: str | None = None  # Slack thread_ts when the message sits in a thread


@dataclass(frozen=True)
class IncomingFile:
    """A document the person sent. `fetch()` downloads it only when the layer needs it,
    after the size was checked, so an oversized file is never downloaded."""

    filename: str
    size: int
    fetch: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PlanForm:
    """A workout for one athlete, as a form collected it (Slack's plan modal; the chat
    asks the same fields as questions after /plan NAME)."""

    athlete_id: int
    day: date | None  # None: the form had no (valid) date
    sport: str
    title: str
    steps: str = ""  # the step text coaches type (core.planning.step_syntax)
    key_workout: bool = False
    MAIN: ClassVar[str] = "title"  # where a refusal about no field in particular is shown


@dataclass(frozen=True)
class CommentForm:
    """A coach's comment to an athlete: on `workout_id` when given, else on the
    athlete's latest session (as /comment NAME TEXT)."""

    athlete_id: int
    text: str
    workout_id: int | None = None
    MAIN: ClassVar[str] = "text"


@dataclass(frozen=True)
class MoveForm:
    """A planned workout put on another day."""

    workout_id: int
    day: date | None
    MAIN: ClassVar[str] = "date"


Form = PlanForm | CommentForm | MoveForm


@dataclass(frozen=True)
class FormAsk:
    """Fields the conversation wants collected, with what to prefill: a door with forms
    opens one (Slack: a modal) whose submission comes back as the matching `Form`. The
    chat faces ask in text instead (the handler only sends this to a door with forms)."""

    form: str  # "plan" | "comment" | "move"
    athlete_id: int
    athlete_name: str
    day: date  # prefilled date: the athlete's today (plan), the workout's day (move)
    workout_id: int | None = None
    workout_title: str = ""
    locale: str = "en"  # the language the form speaks (the person's)


@dataclass(frozen=True)
class Place:
    """Where a command was typed when the door knows more than the person's chat with the
    bot (Slack: the channel a slash command came from; `/feed here` needs it)."""

    chat_id: str
    private: bool  # only the people invited see it (a private channel or a DM)
    direct: bool  # the person's own DM with the bot


@dataclass(frozen=True)
class Request:
    address: ChatAddress
    kind: RequestKind
    command: str | None = None  # without the slash, lower case: "today"
    args: str = ""  # what followed the command, stripped
    text: str = ""
    callback: Callback | None = None
    file: IncomingFile | None = None
    location: GeoPoint | None = None
    # The message this one answers (Telegram reply_to_message / Slack thread parent).
    reply_to: MessageKey | None = None
    # The message whose button was pressed (kind BUTTON), so a reply can edit it.
    origin: MessageKey | None = None
    place: Place | None = None
    form: Form | None = None  # kind FORM: the fields a form collected

    @classmethod
    def parse_command(cls, address: ChatAddress, text: str, **extra: object) -> Request:
        """A Request from a typed line: "/race 2025-06-01" is a command, anything else text.

        Telegram's "/today@TrainlyticsBot" form is accepted: the bot name is dropped.
        """
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, rest = stripped[1:].partition(" ")
            name = head.split("@", 1)[0].lower()
            return cls(
                address=address,
                kind=RequestKind.COMMAND,
                command=name,
                args=rest.strip(),
                text=stripped,
                **extra,  # type: ignore[arg-type]
            )
        return cls(address=address, kind=RequestKind.TEXT, text=stripped, **extra)  # type: ignore[arg-type]


class Style(StrEnum):
    PLAIN = "plain"
    BOLD = "bold"
    ITALIC = "italic"
    CODE = "code"
    LINK = "link"


@dataclass(frozen=True)
class Span:
    text: str
    style: Style = Style.PLAIN
    url: str | None = None  # only for Style.LINK

    def __post_init__(self) -> None:
        if (self.style is Style.LINK) != (self.url is not None):
            raise ValueError("A link span needs a url, and only a link span has one.")


@dataclass(frozen=True)
class Text:
    spans: tuple[Span, ...]

    @classmethod
    def of(cls, *parts: str | Span) -> Text:
        """Text.of("Today: ", bold("Intervals"), "\\n...") — strings are plain spans."""
        return cls(tuple(p if isinstance(p, Span) else Span(p) for p in parts if p != ""))

    @property
    def plain(self) -> str:
        return "".join(span.text for span in self.spans)

    def __add__(self, other: Text) -> Text:
        return Text(self.spans + other.spans)


def bold(text: str) -> Span:
    return Span(text, Style.BOLD)


def italic(text: str) -> Span:
    return Span(text, Style.ITALIC)


def code(text: str) -> Span:
    return Span(text, Style.CODE)


def link(text: str, url: str) -> Span:
    return Span(text, Style.LINK, url)


def join_lines(lines: Iterable[Text | str], sep: str = "\n") -> Text:
    """One Text from lines, separated by `sep` (a blank line between paragraphs: "\\n\\n")."""
    spans: list[Span] = []
    for index, line in enumerate(lines):
        if index:
            spans.append(Span(sep))
        spans.extend(line.spans if isinstance(line, Text) else Text.of(line).spans)
    return Text(tuple(spans))


@dataclass(frozen=True)
class Button:
    label: str
    callback: Callback | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.callback is None) == (self.url is None):
            raise ValueError("A button has either a callback or a url.")


@dataclass(frozen=True)
class Buttons:
    rows: tuple[tuple[Button, ...], ...]

    @classmethod
    def of(cls, *rows: Sequence[Button]) -> Buttons:
        return cls(tuple(tuple(row) for row in rows if row))

    def all(self) -> list[Button]:
        return [button for row in self.rows for button in row]


@dataclass(frozen=True)
class Image:
    png: bytes
    filename: str
    caption: Text | None = None


@dataclass(frozen=True)
class LocationAsk:
    """A one-tap "share my location" button, for the timezone question.

    Telegram shows a reply-keyboard button with request_location; a door without such a
    button shows `typed_hint` (the console: type "lat,lon"), and the conversation layer
    reads a typed "lat,lon" as a location while it waits for a timezone.
    """

    label: str
    typed_hint: str


Part = Text | Buttons | Image | LocationAsk


@dataclass(frozen=True)
class Subject:
    """What a message stands for: exactly one of a workout, an activity or a comment."""

    workout_id: int | None = None
    activity_id: int | None = None
    comment_id: int | None = None

    def __post_init__(self) -> None:
        given = [x for x in (self.workout_id, self.activity_id, self.comment_id) if x is not None]
        if len(given) != 1:
            raise ValueError("A subject is exactly one workout, activity or comment.")


@dataclass(frozen=True)
class EditRef:
    """Replace this message (the card whose button was pressed) instead of sending anew."""

    message: MessageKey


@dataclass(frozen=True)
class Reply:
    parts: tuple[Part, ...]
    thread: Subject | None = None  # answer in the thread of the message standing for it
    edit: EditRef | None = None
    stands_for: Subject | None = None  # remember the sent message as standing for this
    form: FormAsk | None = None  # open this form (a door with forms; see FormAsk)
    # A refused form's sentences by field, so a form shows each under its own field.
    errors: Mapping[str, str] | None = None

    @classmethod
    def of(cls, *parts: Part | str, **options: object) -> Reply:
        built = tuple(Text.of(p) if isinstance(p, str) else p for p in parts)
        return cls(parts=built, **options)  # type: ignore[arg-type]

    @property
    def texts(self) -> list[Text]:
        return [p for p in self.parts if isinstance(p, Text)]

    @property
    def buttons(self) -> list[Button]:
        return [b for p in self.parts if isinstance(p, Buttons) for b in p.all()]

    @property
    def images(self) -> list[Image]:
        return [p for p in self.parts if isinstance(p, Image)]

    @property
    def plain(self) -> str:
        return "\n".join(t.plain for t in self.texts)

    def pages(
        self, limit: int = TELEGRAM_TEXT_LIMIT, measure: Callable[[Text], int] | None = None
    ) -> list[Reply]:
        """This reply cut into replies whose every Text fits `limit`.

        Buttons stay on the last page (they act on the whole content); the edit target
        and thread stay on the first page, `stands_for` on the last (the one with buttons).
        """
        pieces: list[Part] = []
        for part in self.parts:
            if isinstance(part, Text):
                pieces.extend(split_for_limit(part, limit, measure))
            else:
                pieces.append(part)
        pages: list[list[Part]] = [[]]
        used = 0
        for piece in pieces:
            size = _measure(piece, measure) if isinstance(piece, Text) else 0
            if isinstance(piece, Text) and pages[-1] and used + size + 1 > limit:
                pages.append([])
                used = 0
            pages[-1].append(piece)
            used += size + (1 if isinstance(piece, Text) else 0)
        if len(pages) == 1:
            return [self]
        out = [Reply(parts=tuple(page)) for page in pages]
        out[0] = replace(out[0], thread=self.thread, edit=self.edit)
        out[-1] = replace(out[-1], stands_for=self.stands_for, thread=self.thread)
        return out


def _measure(text: Text, measure: Callable[[Text], int] | None) -> int:
    return measure(text) if measure is not None else len(text.plain)


def split_for_limit(
    text: Text, limit: int = TELEGRAM_TEXT_LIMIT, measure: Callable[[Text], int] | None = None
) -> list[Text]:
    """Cut `text` into pieces each measuring at most `limit`.

    Cuts fall on paragraph boundaries ("\\n\\n") when possible, then on line boundaries,
    then on spaces, and only inside a word for a word longer than the limit. Each piece
    is a list of spans, so a bold run cut in two stays bold on both sides. `measure`
    defaults to the plain length; renderers pass their rendered length (HTML escaping
    makes "<" four characters long).
    """
    if limit < 16:
        raise ValueError("A page limit below 16 characters cannot hold a sentence.")
    if _measure(text, measure) <= limit:
        return [text]
    pieces: list[Text] = []
    for separator in ("\n\n", "\n", " ", ""):
        chunks = _split_spans(text, separator)
        if len(chunks) > 1:
            current = Text(())
            for chunk in chunks:
                candidate = current + chunk if current.spans else chunk
                if _measure(candidate, measure) <= limit:
                    current = candidate
                    continue
                if current.spans:
                    pieces.append(_strip(current))
                if _measure(chunk, measure) <= limit:
                    current = chunk
                else:
                    pieces.extend(split_for_limit(_strip(chunk), limit, measure))
                    current = Text(())
            if current.spans:
                pieces.append(_strip(current))
            return [p for p in pieces if p.plain.strip()]
    return [text]  # a single character cannot be split further


def _split_spans(text: Text, separator: str) -> list[Text]:
    """Chunks of `text` that each end with `separator` (kept), spans cut where needed."""
    chunks: list[list[Span]] = [[]]
    for span in text.spans:
        if separator == "":
            for char in span.text:
                chunks[-1].append(replace(span, text=char))
                chunks.append([])
            continue
        rest = span.text
        while separator in rest:
            head, rest = rest.split(separator, 1)
            chunks[-1].append(replace(span, text=head + separator))
            chunks.append([])
        if rest:
            chunks[-1].append(replace(span, text=rest))
    return [Text(tuple(s for s in chunk if s.text)) for chunk in chunks if chunk]


def _strip(text: Text) -> Text:
    """Drop leading/trailing whitespace of a piece (the cut separator), keeping styles."""
    spans = list(text.spans)
    while spans and not spans[-1].text.rstrip():
        spans.pop()
    if spans:
        spans[-1] = replace(spans[-1], text=spans[-1].text.rstrip())
    while spans and not spans[0].text.lstrip():
        spans.pop(0)
    if spans:
        spans[0] = replace(spans[0], text=spans[0].text.lstrip())
    return Text(tuple(spans))


@dataclass
class Replies:
    """Builder handlers append to; `Conversation.handle` returns `.items`."""

    items: list[Reply] = field(default_factory=list)

    def add(self, *parts: Part | str, **options: object) -> Reply:
        reply = Reply.of(*parts, **options)
        self.items.append(reply)
        return reply
