"""Domain errors. Each carries a message meant for the person who caused it."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the product refused the operation; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "permission_denied"


class InvalidInput(DomainError):
    code = "invalid_input"


class InvalidTimezone(InvalidInput):
    code = "invalid_timezone"


class InvitationError(DomainError):
    code = "invitation_invalid"


class Conflict(DomainError):
    code = "conflict"
