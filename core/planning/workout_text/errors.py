"""A refused workout text: one catalogue sentence that quotes the part to fix."""

from __future__ import annotations

from typing import Any

from core.errors import DomainError, InvalidFields, Problem

_QUOTE = 60  # characters of the typed text a sentence quotes


class WorkoutTextError(InvalidFields):
    """`key` is a catalogue key "err_steps_<code>"; its Problem has the code and values.

    `err.text(locale)` and the doors' `refusal_text` say the same sentence.
    """

    def __init__(self, code: str, /, **params: Any) -> None:
        if isinstance(params.get("text"), str):
            params["text"] = quote(params["text"])
        DomainError.__init__(self, f"err_steps_{code}", **params)
        self.problems = (Problem("steps", code, params=params),)


def quote(text: str) -> str:
    """The typed part a sentence shows: on one line, at most _QUOTE characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE else flat[: _QUOTE - 1].rstrip() + "…"
