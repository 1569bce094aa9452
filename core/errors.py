"""Domain errors. Each carries a catalogue key and its values, said to the person who caused it.

`raise NotFound("refuse_workout_does_not_exist")` names a sentence of the catalogue
(core/words); the door says it in the person's language with `err.text(locale)`, while
`str(err)` stays the English sentence so logs read well. A raise not yet converted passes
an English sentence instead of a key: it reaches everyone in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from core.words import has_key, say


class DomainError(Exception):
    """A rule of the product refused the operation; nothing was changed."""

    code = "domain_error"

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key: str | None = key if has_key(key) else None
        self.params = params
        self.message = say("en", key, **params) if self.key else key
        super().__init__(self.message)

    def text(self, locale: str | None) -> str:
        """The refusal in the person's language (English for a raise given a plain sentence)."""
        return say(locale, self.key, **self.params) if self.key else self.message


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "permission_denied"


class InvalidInput(DomainError):
    code = "invalid_input"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of a form, for the door to say in the person's language.

    `field`: the form field ("sport", "title", "date", "steps"); `code`: what is wrong
    (the catalogue, core/words, has a sentence per code, key "err_<code>"); `step`: where
    in a workout's steps ("2", or "2.1" for the first step of the second block's repeat);
    `part`: the part of that step ("duration", "distance", "kind", "target", ...);
    `params`: the values the sentence names.
    """

    field: str
    code: str
    step: str = ""
    part: str = ""
    params: dict[str, Any] = dataclass_field(default_factory=dict)


class InvalidFields(InvalidInput):
    """Input refused field by field; `message` is an English fallback for logs and tests."""

    code = "invalid_fields"

    def __init__(self, problems: list[Problem], message: str) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class InvalidTimezone(InvalidInput):
    code = "invalid_timezone"


class InvitationError(DomainError):
    code = "invitation_invalid"


class Conflict(DomainError):
    code = "conflict"
