"""The neutral `Text` rendered for each platform, escaping done once, here.

Telegram gets HTML (parse_mode="HTML": only <, > and & need escaping); Slack gets mrkdwn
(&, <, > escaped; *bold*, _italic_, `code`, <url|label>); the console gets plain text
with links written as "label (url)".
"""

from __future__ import annotations

import html

from bot.conversation.types import Span, Style, Text


def to_telegram_html(text: Text) -> str:
    return "".join(_telegram_span(span) for span in text.spans)


def _telegram_span(span: Span) -> str:
    body = html.escape(span.text, quote=False)
    match span.style:
        case Style.BOLD:
            return f"<b>{body}</b>"
        case Style.ITALIC:
            return f"<i>{body}</i>"
        case Style.CODE:
            return f"<code>{body}</code>"
        case Style.LINK:
            return f'<a href="{html.escape(span.url or "", quote=True)}">{body}</a>'
        case _:
            return body


def telegram_length(text: Text) -> int:
    """The length Telegram's 4096 (text) and 1024 (caption) limits apply to.

    Telegram counts the message after entity parsing, so tags and escapes do not count,
    and it counts UTF-16 code units, not characters: an emoji outside the Basic
    Multilingual Plane ("🏃") counts two. Counting characters let a 2,040-emoji comment
    through as one message, which Telegram refused ("message is too long").
    """
    return len(text.plain.encode("utf-16-le")) // 2


def slack_escape(value: str) -> str:
    """The one escaping of a string for Slack mrkdwn (and a message's `text`), per Slack's
    rule: &, < and > become &amp; &lt; &gt;, so `<!channel>`, `<@U123>` and
    `<https://evil|click me>` stay words. Every person-supplied string placed in a mrkdwn
    field goes through it exactly once (bot/slack, docs/security.md "Slack")."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_slack_mrkdwn(text: Text) -> str:
    out: list[str] = []
    for span in text.spans:
        body = slack_escape(span.text)
        if not span.text.strip() or span.style is Style.PLAIN:
            out.append(body)
            continue
        # mrkdwn markers must hug the words: keep surrounding spaces outside them.
        lead = body[: len(body) - len(body.lstrip())]
        trail = body[len(body.rstrip()) :]
        core_text = body.strip()
        match span.style:
            case Style.BOLD:
                out.append(f"{lead}*{core_text}*{trail}")
            case Style.ITALIC:
                out.append(f"{lead}_{core_text}_{trail}")
            case Style.CODE:
                out.append(f"{lead}`{core_text}`{trail}")
            case Style.LINK:
                out.append(f"{lead}<{span.url}|{core_text}>{trail}")
    return "".join(out)


def to_plain(text: Text) -> str:
    return "".join(
        f"{span.text} ({span.url})" if span.style is Style.LINK else span.text
        for span in text.spans
    )
